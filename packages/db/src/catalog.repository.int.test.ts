import { ConflictError, InputError, newImageFrom, type NewImageInput } from '@mci/core';
import { beforeAll, expect, it } from 'vitest';
import { catalogRepository, SEARCH_SAMPLE } from './catalog.repository.ts';
import { SEARCH_TEXT_SEPARATOR } from './schema.ts';
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
    expect(image).toEqual({
      id: image.id,
      ...input,
      deprecatedAt: NOW.toISOString(),
      // Fields only a sync sets (R-CLD-3/4) stay at their defaults for an image registered by hand.
      unavailableReason: null,
      unavailableAt: null,
      ownerPrincipal: null,
      unknownPrincipals: [],
      syncScope: null,
    });
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

  it('text search: a rare term, a pasted id and a common term (beyond the sorted sample) give the same pages as a plain filter', async () => {
    const { db } = database();
    const cloud = (
      await catalogRepository.insertCloud(db, {
        name: 'search',
        cloudType: 'aws',
        region: 'x',
        description: '',
      })
    ).id;
    // More "common" images than the sample, named so they sort after every "rare" one.
    const common = SEARCH_SAMPLE + 20;
    const rows = [
      ...Array.from({ length: common }, (_, i) =>
        imageInput(`ami-c${String(i).padStart(5, '0')}`, { name: `zz common ${i % 97} Web` }),
      ),
      ...['r3', 'r1', 'r2'].map((uid) => imageInput(`ami-${uid}`, { name: `rare-${uid} WEB` })),
    ].map((input) => newImageFrom(cloud, input, NOW));
    await catalogRepository.insertImagesBulk(db, rows);
    const walk = async (q: string | undefined, limit: number) => {
      const seen: string[] = [];
      let after: { name: string; id: string } | undefined;
      for (let page = 0; page < 4; page++) {
        const found = await catalogRepository.listImages(db, { cloudId: cloud, q, limit, after });
        seen.push(...found.slice(0, limit).map((i) => i.resourceUid));
        if (found.length <= limit) break;
        after = { name: found[limit - 1].name, id: found[limit - 1].id };
      }
      return seen;
    };
    expect(await walk('RARE', 2)).toEqual(['ami-r1', 'ami-r2', 'ami-r3']);
    expect(await walk('ami-r2', 5)).toEqual(['ami-r2']);
    // "web" matches every row: more than the sample, so the name index is walked, in the
    // database's own order (the same pages as no filter at all).
    expect(await walk('web', 25)).toEqual(await walk(undefined, 25));
    expect((await walk('web', 25)).slice(0, 3)).toEqual(['ami-r1', 'ami-r2', 'ami-r3']);
    // A term matching across name and uid matches neither field, so nothing.
    expect(await walk(`WEB${SEARCH_TEXT_SEPARATOR}ami`, 5)).toEqual([]);
    expect(await walk('no such words', 5)).toEqual([]);
  });

  it('names the account ids that do not exist', async () => {
    expect(await catalogRepository.missingAccountIds(database().db, [accountId, 'account_nope'])).toEqual([
      'account_nope',
    ]);
  });
});
