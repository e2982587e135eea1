import type { Cloud, Image, InstanceType } from './catalog.ts';

/** Builders of plain catalog objects for pure-rule tests. */
export const fake = {
  cloud(id: string, name = `Cloud ${id}`): Cloud {
    return {
      id,
      name,
      cloudType: 'aws',
      region: id,
      description: '',
      driver: 'none',
      sync: { owners: [], nameFilters: [], intervalSeconds: null },
      lastSyncedAt: null,
    };
  },
  image(id: string, over: Partial<Image> = {}): Image {
    return {
      id,
      cloudId: 'c1',
      resourceUid: `ami-${id}`,
      name: 'ubuntu-22.04-x86_64',
      description: '',
      osFamily: 'ubuntu',
      osVersion: '22.04',
      cpuArchitecture: 'x86_64',
      virtualizationType: 'hvm',
      rootDeviceType: 'ebs',
      visibility: 'public',
      ownerAccountId: null,
      launchPermissions: [],
      state: 'available',
      deprecatedAt: null,
      replacementImageId: null,
      unavailableReason: null,
      unavailableAt: null,
      ownerPrincipal: null,
      unknownPrincipals: [],
      syncScope: null,
      ...over,
    };
  },
  instanceType(id: string, over: Partial<InstanceType> = {}): InstanceType {
    return {
      id,
      cloudId: 'c1',
      resourceUid: `m5.${id}`,
      name: `m5.${id}`,
      cpuCount: 2,
      memoryMb: 8192,
      cpuArchitectures: ['x86_64'],
      ...over,
    };
  },
};
