import { describe, expect, it } from 'vitest';
import type { Image, InstanceType } from './catalog.ts';
import { InputError } from './errors.ts';
import { resolveServerImage, type ResolutionLink, type ServerRequest } from './server.ts';
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
  it('R-SRV-6: an image the account may not launch', () => {
    expect(errorOf(() => resolve({ imageId: 'secret' })).message).toBe(
      'image ami-secret is unavailable in AWS us-east-1: the image is private to another account and not shared with this account',
    );
  });
});
