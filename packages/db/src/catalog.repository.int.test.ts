import { ConflictError, InputError, newImageFrom, type NewImageInput } from '@mci/core';
import { beforeAll, expect, it } from 'vitest';
import { catalogRepository } from './catalog.repository.ts';
import { identityRepository } from './identity.repository.ts';
import { describeOnEveryEngine } from './testing/index.ts';

const NOW = new Date('2026-01-02T03:04:05.000Z');

function imageInput(resourceUid: string, overrides: Partial<NewImageInput> = {}): NewImageInput {
  return {
    resourceUid,
    name: `image ${resourceUid}`,
    description: '',
    osFamily: 'ubuntu',
    osVersion: '24.04',
    cpuArchitecture: 'x86_64',
    virtualizationType: 'hvm',
    rootDeviceType: 'ebs',
    visibility: 'public',
    launchPermissions: [],
    state: 'available',
    ...overrides,
  };
}

describeOnEveryEngine('catalogRepository', (database) => {
  let cloudId: string;
  let accountId: string;
  let shareeId: string;
  beforeAll(async () => {
    const { db } = database();
    cloudId = (
      await catalogRepository.insertCloud(db, {
        name: 'AWS eu-west-1',
        cloudType: 'aws',
        region: 'eu-west-1',
        description: '',
      })
    ).id;
    accountId = (await identityRepository.insertAccount(db, { name: 'owner', description: '' })).id;
    shareeId = (await identityRepository.insertAccount(db, { name: 'sharee', description: '' })).id;
  });

  it('translates a duplicate cloud name into a ConflictError naming the field', async () => {
    const error = await catalogRepository
      .insertCloud(database().db, { name: 'AWS eu-west-1', cloudType: 'aws', region: 'x', description: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).errors).toEqual([
      { path: 'name', message: 'a cloud named "AWS eu-west-1" already exists' },
    ]);
  });

  it('translates a reference to a missing cloud into an InputError', async () => {
    const error = await catalogRepository
      .insertImage(database().db, newImageFrom('cloud_missing', imageInput('ami-missing'), NOW))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('invalid_reference');
  });

  it('stores an image exactly as given and reads it back (arrays, null references, timestamps)', async () => {
    const input = newImageFrom(
      cloudId,
      imageInput('ami-0001', {
        visibility: 'private',
        ownerAccountId: accountId,
        launchPermissions: [shareeId],
        state: 'deprecated',
      }),
      NOW,
    );
    const image = await catalogRepository.insertImage(database().db, input);
    expect(image).toEqual({ id: image.id, ...input, deprecatedAt: NOW.toISOString() });
    expect(await catalogRepository.findImage(database().db, image.id)).toEqual(image);
  });

  it('bulk-inserts all rows or none, and a duplicate resourceUid is a ConflictError', async () => {
    const rows = ['ami-b1', 'ami-b2', 'ami-b3'].map((uid) => newImageFrom(cloudId, imageInput(uid), NOW));
    expect(await catalogRepository.insertImagesBulk(database().db, rows)).toBe(3);
    const again = [newImageFrom(cloudId, imageInput('ami-b4'), NOW), rows[0]];
    await expect(catalogRepository.insertImagesBulk(database().db, again)).rejects.toBeInstanceOf(
      ConflictError,
    );
    const found = await catalogRepository.listImages(database().db, { cloudId, q: 'ami-b', limit: 10 });
    expect(found.map((i) => i.resourceUid)).toEqual(['ami-b1', 'ami-b2', 'ami-b3']);
  });

  it('lists images by (name, id) in keyset pages, one more row than the limit to tell a next page', async () => {
    const rows = ['k-c', 'k-a', 'k-b', 'k-e', 'k-d'].map((uid) =>
      newImageFrom(cloudId, imageInput(uid, { name: `keyset ${uid}` }), NOW),
    );
    await catalogRepository.insertImagesBulk(database().db, rows);
    const first = await catalogRepository.listImages(database().db, { cloudId, q: 'keyset', limit: 2 });
    expect(first.map((i) => i.resourceUid)).toEqual(['k-a', 'k-b', 'k-c']);
    const last = first[1];
    const second = await catalogRepository.listImages(database().db, {
      cloudId,
      q: 'keyset',
      after: { name: last.name, id: last.id },
      limit: 2,
    });
    expect(second.map((i) => i.resourceUid)).toEqual(['k-c', 'k-d', 'k-e']);
  });

  it('usableBy keeps public, owned and shared images that are not unavailable', async () => {
    const rows = [
      imageInput('u-public'),
      imageInput('u-owned', { visibility: 'private', ownerAccountId: shareeId }),
      imageInput('u-shared', {
        visibility: 'private',
        ownerAccountId: accountId,
        launchPermissions: [shareeId],
      }),
      imageInput('u-other', { visibility: 'private', ownerAccountId: accountId }),
      imageInput('u-gone', { state: 'unavailable' }),
    ].map((i) => newImageFrom(cloudId, i, NOW));
    await catalogRepository.insertImagesBulk(database().db, rows);
    const usable = await catalogRepository.listImages(database().db, {
      cloudId,
      q: 'u-',
      usableBy: shareeId,
      limit: 10,
    });
    expect(usable.map((i) => i.resourceUid).sort()).toEqual(['u-owned', 'u-public', 'u-shared']);
  });

  it('names the account ids that do not exist', async () => {
    expect(await catalogRepository.missingAccountIds(database().db, [accountId, 'account_nope'])).toEqual([
      'account_nope',
    ]);
  });
});
