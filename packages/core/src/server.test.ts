import { describe, expect, it } from 'vitest';
import type { Image, InstanceType } from './catalog.ts';
import { InputError } from './errors.ts';
import type { Principal, Role } from './access.ts';
import { ConflictError } from './errors.ts';
import {
  assertDeploymentDeletable,
  assertLaunchable,
  repointServer,
  resolveServerImage,
  serverActions,
  SERVER_STATES,
  type ResolutionLink,
  type ServerPatch,
  type ServerPin,
  type ServerRequest,
} from './server.ts';
import { fake } from './testing.ts';

const c1 = fake.cloud('c1', 'AWS us-east-1');
const c2 = fake.cloud('c2', 'AWS eu-west-1');
const images = new Map<string, Image>(
  [
    fake.image('i1'),
    fake.image('i2', { cloudId: 'c2' }),
    fake.image('i3', { cloudId: 'c2' }),
    fake.image('arm', { cpuArchitecture: 'arm64' }),
    fake.image('gone', { state: 'unavailable' }),
    fake.image('secret', { visibility: 'private', ownerAccountId: 'acc_other' }),
  ].map((i) => [i.id, i]),
);
const types = new Map<string, InstanceType>(
  [fake.instanceType('t1'), fake.instanceType('t2', { cloudId: 'c2' }), fake.instanceType('big')].map((t) => [
    t.id,
    t,
  ]),
);
const setting = (
  cloudId: string,
  imageId: string,
  instanceTypeId: string,
  userData: string | null = null,
) => ({
  cloudId,
  imageId,
  instanceTypeId,
  userData,
});
const links: ResolutionLink[] = [
  {
    id: 'l1',
    mciId: 'mciA',
    mciLineageId: 'A',
    isDefault: true,
    position: 1,
    settings: [setting('c1', 'i1', 't1', '#!/bin/sh')],
  },
  {
    id: 'l2',
    mciId: 'mciB',
    mciLineageId: 'B',
    isDefault: false,
    position: 2,
    settings: [setting('c1', 'i1', 'big'), setting('c2', 'i2', 't2')],
  },
];
const resolve = (
  request: Partial<ServerRequest> & { cloudId?: string },
  over: { links?: ResolutionLink[]; accountId?: string } = {},
) =>
  resolveServerImage({
    accountId: over.accountId ?? 'acc_a',
    cloud: request.cloudId === 'c2' ? c2 : c1,
    links: over.links ?? links,
    request: { cloudId: 'c1', ...request },
    cloudsById: new Map([
      ['c1', c1],
      ['c2', c2],
    ]),
    images,
    instanceTypes: types,
  });
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as InputError;
  }
  throw new Error('expected an error');
};

describe('R-SRV-1: supported clouds', () => {
  it('R-SRV-1: a cloud the template does not support is 422 listing the supported clouds', () => {
    const e = errorOf(() =>
      resolveServerImage({ ...baseInput(), cloud: c2, request: { cloudId: 'c2' }, links: [links[0]] }),
    );
    expect(e.code).toBe('cloud_not_supported');
    expect(e.message).toContain('AWS us-east-1');
    expect(e.details?.supportedClouds).toEqual([{ id: 'c1', name: 'AWS us-east-1' }]);
  });
});

function baseInput() {
  return {
    accountId: 'acc_a',
    cloudsById: new Map([
      ['c1', c1],
      ['c2', c2],
    ]),
    images,
    instanceTypes: types,
  };
}

describe('R-SRV-2/3: resolution', () => {
  it('R-SRV-3: inherits image, instance type and user data from the default MCI’s setting', () => {
    expect(resolve({})).toEqual({
      mciId: 'mciA',
      imageId: 'i1',
      instanceTypeId: 't1',
      userData: '#!/bin/sh',
      inheritedSource: { mci: 'server_template', image: 'mci', instanceType: 'mci' },
    });
  });
  it('R-SRV-2: falls back to the first MCI that supports the cloud', () => {
    expect(resolve({ cloudId: 'c2' })).toMatchObject({ mciId: 'mciB', imageId: 'i2', instanceTypeId: 't2' });
  });
  it('R-SRV-2: an explicit MCI must be linked and cover the cloud', () => {
    expect(resolve({ mciId: 'mciB' })).toMatchObject({
      mciId: 'mciB',
      instanceTypeId: 'big',
      inheritedSource: { mci: 'user' },
    });
    expect(errorOf(() => resolve({ mciId: 'mciZ' })).code).toBe('mci_not_linked');
    expect(errorOf(() => resolve({ cloudId: 'c2', mciId: 'mciA' })).code).toBe('mci_cloud_not_supported');
  });
  it('R-SRV-3: explicit image, instance type and user data override and are recorded as "user"', () => {
    expect(resolve({ cloudId: 'c2', imageId: 'i3', instanceTypeId: 't2', userData: null })).toMatchObject({
      imageId: 'i3',
      userData: null,
      inheritedSource: { mci: 'server_template', image: 'user', instanceType: 'user' },
    });
  });
  it('R-SRV-3: an explicit image of another cloud, or a type that does not fit, is refused', () => {
    expect(errorOf(() => resolve({ imageId: 'i2' })).code).toBe('image_cloud_mismatch');
    expect(errorOf(() => resolve({ instanceTypeId: 't2' })).code).toBe('instance_type_cloud_mismatch');
    expect(errorOf(() => resolve({ imageId: 'arm' })).code).toBe('architecture_mismatch');
  });
});

describe('R-SRV-6: unlaunchable images', () => {
  it('R-SRV-6: an unavailable image: "image <resourceUid> is unavailable in <cloud>: <reason>"', () => {
    expect(errorOf(() => resolve({ imageId: 'gone' })).message).toBe(
      'image ami-gone is unavailable in AWS us-east-1: the image is marked unavailable',
    );
  });
  it('R-SRV-6: a deregistered image names the cloud’s reason', () => {
    const deregistered = fake.image('dereg', { state: 'unavailable', unavailableReason: 'deregistered' });
    expect(() => assertLaunchable(deregistered, 'dereg', c1, 'acc_a')).toThrow(
      'image ami-dereg is unavailable in AWS us-east-1: the image was deregistered from the cloud',
    );
  });
  it('R-SRV-6: an image the account may not launch', () => {
    expect(errorOf(() => resolve({ imageId: 'secret' })).message).toBe(
      'image ami-secret is unavailable in AWS us-east-1: the image is private to another account and not shared with this account',
    );
  });
});

describe('R-SRV-5: re-pointing a server', () => {
  const pin: ServerPin = {
    name: 'web-1',
    cloudId: 'c1',
    mciId: 'mciA',
    imageId: 'i1',
    instanceTypeId: 't1',
    userData: '#!/bin/sh',
    inheritedSource: { mci: 'server_template', image: 'mci', instanceType: 'mci' },
    state: 'inactive',
  };
  const repoint = (patch: ServerPatch, current: Partial<ServerPin> = {}) =>
    repointServer({
      accountId: 'acc_a',
      cloud: c1,
      current: { ...pin, ...current },
      patch,
      mci: patch.mciId
        ? { id: patch.mciId, name: `MCI ${patch.mciId}`, settings: links[1].settings }
        : undefined,
      images: new Map([...images, ['i9', fake.image('i9')]]),
      instanceTypes: types,
    });

  it('R-SRV-5: pointing at another MCI re-resolves image, type and user data from its setting', () => {
    const { next, warnings } = repoint({ mciId: 'mciB' });
    expect(next).toMatchObject({ mciId: 'mciB', imageId: 'i1', instanceTypeId: 'big', userData: null });
    expect(next.inheritedSource).toEqual({ mci: 'user', image: 'mci', instanceType: 'mci' });
    expect(warnings).toEqual([]);
  });

  it('R-SRV-5: an MCI without a setting for the server’s cloud is 422 naming mciId', () => {
    const e = errorOf(() =>
      repointServer({
        accountId: 'acc_a',
        cloud: c1,
        current: pin,
        patch: { mciId: 'mciC' },
        mci: { id: 'mciC', name: 'Only EU', settings: [setting('c2', 'i2', 't2')] },
        images,
        instanceTypes: types,
      }),
    );
    expect(e.code).toBe('mci_cloud_not_supported');
    expect(e.message).toBe('MCI "Only EU" has no setting for cloud AWS us-east-1');
    expect(e.errors).toEqual([{ path: 'mciId', message: 'has no setting for AWS us-east-1' }]);
  });

  it('R-SRV-5: any usable image of the cloud, even one no MCI names, keeps the MCI and marks the image user-chosen', () => {
    const { next } = repoint({ imageId: 'i9', instanceTypeId: 'big' });
    expect(next).toMatchObject({
      mciId: 'mciA',
      imageId: 'i9',
      instanceTypeId: 'big',
      userData: '#!/bin/sh',
    });
    expect(next.inheritedSource).toEqual({ mci: 'server_template', image: 'user', instanceType: 'user' });
  });

  it('R-SRV-5: an unusable or foreign image is refused as at creation', () => {
    expect(errorOf(() => repoint({ imageId: 'gone' })).code).toBe('image_unavailable');
    expect(errorOf(() => repoint({ imageId: 'i2' })).code).toBe('image_cloud_mismatch');
  });

  it('R-SRV-5: a running server’s launch changes apply at its next launch (warning); a rename does not warn', () => {
    const running = repoint({ userData: null }, { state: 'operational' });
    expect(running.next.userData).toBeNull();
    expect(running.warnings).toEqual([
      {
        code: 'applies_next_launch',
        message: 'server "web-1" is operational: the change applies at its next launch',
      },
    ]);
    const renamed = repoint({ name: 'web-2' }, { state: 'operational' });
    expect(renamed.next.name).toBe('web-2');
    expect(renamed.warnings).toEqual([]);
    expect(running.next.state).toBe('operational');
  });
});

describe('R-DEP-1: a deployment with running servers', () => {
  it('R-DEP-1: deleting a deployment is refused (409) while any server runs, listing them', () => {
    const e = (() => {
      try {
        assertDeploymentDeletable({ name: 'prod' }, [
          { name: 'a', state: 'inactive' },
          { name: 'b', state: 'operational' },
          { name: 'c', state: 'booting' },
        ]);
      } catch (err) {
        return err as ConflictError;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.code).toBe('deployment_has_running_servers');
    expect(e.message).toBe(
      'Deployment "prod" has running servers: b (operational), c (booting); terminate them first',
    );
  });

  it('R-DEP-1: a deployment whose servers are all inactive or stopped can go', () => {
    expect(() =>
      assertDeploymentDeletable({ name: 'prod' }, [
        { name: 'a', state: 'inactive' },
        { name: 'b', state: 'stopped' },
      ]),
    ).not.toThrow();
  });
});

describe('server actions (SPEC §4 roles, server state)', () => {
  const who = (roles: Role[], isSuperuser = false): Principal => ({
    userId: 'usr_1',
    email: 'u@example.com',
    isSuperuser,
    memberships: new Map([['acc_a', roles]]),
  });
  const server = (state: (typeof SERVER_STATES)[number]) => ({ accountId: 'acc_a', state });

  it('§4: an actor may launch an idle server and terminate a running one', () => {
    expect(serverActions(who(['actor']), 'acc_a', server('inactive'))).toEqual([
      'edit',
      'repoint',
      'launch',
      'delete',
    ]);
    expect(serverActions(who(['actor']), 'acc_a', server('operational'))).toEqual([
      'edit',
      'repoint',
      'terminate',
    ]);
    expect(serverActions(who(['actor']), 'acc_a', server('terminating'))).toEqual(['edit', 'repoint']);
    expect(serverActions(who([], true), 'acc_a', server('stopped'))).toContain('launch');
  });

  it('R-LCH-2: a launch waiting for the cloud offers no terminate; a server stopped with its instance does', () => {
    const actor = who(['actor']);
    expect(
      serverActions(actor, 'acc_a', { accountId: 'acc_a', state: 'pending', providerInstanceId: null }),
    ).toEqual(['edit', 'repoint']);
    expect(
      serverActions(actor, 'acc_a', { accountId: 'acc_a', state: 'pending', providerInstanceId: 'i-1' }),
    ).toContain('terminate');
    const running = { imageId: 'i', instanceTypeId: 't', userData: null };
    expect(
      serverActions(actor, 'acc_a', {
        accountId: 'acc_a',
        state: 'stopped',
        providerInstanceId: 'i-1',
        running,
      }),
    ).toEqual(['edit', 'repoint', 'launch', 'terminate', 'delete']);
  });

  it('§4: an observer or designer without the actor role may do nothing to a server', () => {
    expect(serverActions(who(['observer', 'designer']), 'acc_a', server('inactive'))).toEqual([]);
    expect(serverActions(who(['actor']), 'acc_b', { accountId: 'acc_b', state: 'inactive' })).toEqual([]);
  });
});
