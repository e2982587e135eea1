import { schema } from '@mci/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const count = async (table: typeof schema.images | typeof schema.clouds | typeof schema.auditEntries) =>
  (await h.database.db.select().from(table)).length;

describe('clouds', () => {
  it('§4: the superuser adds clouds; names are unique (409 naming the cloud)', async () => {
    const cloud = await h.build.cloud({ name: 'AWS eu-west-1', region: 'eu-west-1' });
    const got = await h.call('GET', `/v1/clouds/${cloud.id}`);
    expect(got.data).toMatchObject({
      name: 'AWS eu-west-1',
      cloudType: 'aws',
      region: 'eu-west-1',
      description: '',
    });
    const dup = await h.call('POST', '/v1/clouds', {
      body: { name: 'AWS eu-west-1', cloudType: 'aws', region: 'eu-west-1' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.data.detail).toContain('AWS eu-west-1');
  });

  it('§4: a non-superuser cannot add clouds (403) but can list them', async () => {
    const acc = await h.build.account();
    const user = await h.build.user({ accountId: acc.id, roles: ['designer', 'admin'] });
    const res = await h.call('POST', '/v1/clouds', {
      token: user.token,
      body: { name: 'Mine', cloudType: 'aws', region: 'x' },
    });
    expect(res.statusCode).toBe(403);
    expect((await h.call('GET', '/v1/clouds', { token: user.token })).statusCode).toBe(200);
  });

  it('filters clouds by type and text', async () => {
    await h.build.cloud({ name: 'Azure westeurope', cloudType: 'azure', region: 'westeurope' });
    const res = await h.call('GET', '/v1/clouds?cloudType=azure&q=westeu');
    expect(res.data.items.map((c: { name: string }) => c.name)).toEqual(['Azure westeurope']);
  });

  it('an unknown cloud type is 400 naming the field, and nothing is stored', async () => {
    const before = await count(schema.clouds);
    const res = await h.call('POST', '/v1/clouds', { body: { name: 'X', cloudType: 'ibm', region: 'r' } });
    expect(res.statusCode).toBe(400);
    expect(res.data.errors[0].path).toBe('body.cloudType');
    expect(await count(schema.clouds)).toBe(before);
  });
});

describe('images and launch permissions (SPEC §2, §4)', () => {
  it('§4: a designer registers a private image owned by the account; an observer may not', async () => {
    const cloud = await h.build.cloud();
    const acc = await h.build.account();
    const designer = await h.build.user({ accountId: acc.id, roles: ['designer'] });
    const observer = await h.build.user({ accountId: acc.id, roles: ['observer'] });
    const body = {
      resourceUid: 'ami-private-1',
      name: 'Golden web',
      cpuArchitecture: 'x86_64',
      visibility: 'private',
      ownerAccountId: acc.id,
    };
    const denied = await h.call('POST', `/v1/clouds/${cloud.id}/images`, { token: observer.token, body });
    expect(denied.statusCode).toBe(403);
    const res = await h.call('POST', `/v1/clouds/${cloud.id}/images`, { token: designer.token, body });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe(`/v1/clouds/${cloud.id}/images/${res.data.id}`);
    expect(res.data).toMatchObject({ visibility: 'private', ownerAccountId: acc.id, state: 'available' });
  });

  it('§4: only the superuser registers public images', async () => {
    const cloud = await h.build.cloud();
    const acc = await h.build.account();
    const designer = await h.build.user({ accountId: acc.id, roles: ['designer'] });
    const res = await h.call('POST', `/v1/clouds/${cloud.id}/images`, {
      token: designer.token,
      body: { resourceUid: 'ami-pub', name: 'Pub', cpuArchitecture: 'x86_64', visibility: 'public' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('a private image without an owner is 422 naming ownerAccountId', async () => {
    const cloud = await h.build.cloud();
    const res = await h.call('POST', `/v1/clouds/${cloud.id}/images`, {
      body: { resourceUid: 'ami-x', name: 'X', cpuArchitecture: 'x86_64', visibility: 'private' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.errors[0].path).toBe('ownerAccountId');
  });

  it('resourceUid is unique per cloud (409) but may repeat across clouds', async () => {
    const a = await h.build.cloud();
    const b = await h.build.cloud();
    await h.build.image(a.id, { resourceUid: 'ami-same' });
    await h.build.image(b.id, { resourceUid: 'ami-same' });
    const dup = await h.call('POST', `/v1/clouds/${a.id}/images`, {
      body: { resourceUid: 'ami-same', name: 'Y', cpuArchitecture: 'arm64', visibility: 'public' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.data.errors[0].path).toBe('resourceUid');
  });

  it('§2: private images are listed only where usable; usableBy filters what an account can launch', async () => {
    const cloud = await h.build.cloud();
    const owner = await h.build.account();
    const shared = await h.build.account();
    const stranger = await h.build.account();
    const ownerDesigner = await h.build.user({ accountId: owner.id, roles: ['designer'] });
    const sharedUser = await h.build.user({ accountId: shared.id, roles: ['observer'] });
    const strangerUser = await h.build.user({ accountId: stranger.id, roles: ['observer'] });

    const pub = await h.build.image(cloud.id, { name: 'A public' });
    await h.build.image(cloud.id, { name: 'B public gone', state: 'unavailable' });
    const priv = await h.build.image(
      cloud.id,
      { name: 'C private', visibility: 'private', ownerAccountId: owner.id },
      ownerDesigner.token,
    );
    const names = async (token: string, query = '') =>
      (await h.call('GET', `/v1/clouds/${cloud.id}/images?${query}`, { token })).data.items.map(
        (i: { name: string }) => i.name,
      );

    expect(await names(strangerUser.token)).toEqual(['A public', 'B public gone']);
    expect(await names(sharedUser.token)).toEqual(['A public', 'B public gone']);
    expect(await names(ownerDesigner.token)).toEqual(['A public', 'B public gone', 'C private']);
    expect(
      (await h.call('GET', `/v1/clouds/${cloud.id}/images/${priv.id}`, { token: strangerUser.token }))
        .statusCode,
    ).toBe(404);

    const share = await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${priv.id}`, {
      token: ownerDesigner.token,
      body: { launchPermissions: [shared.id] },
    });
    expect(share.statusCode).toBe(200);
    expect(share.data.launchPermissions).toEqual([shared.id]);
    expect(await names(sharedUser.token)).toEqual(['A public', 'B public gone', 'C private']);
    expect(await names(sharedUser.token, `usableBy=${shared.id}`)).toEqual(['A public', 'C private']);
    expect(await names(strangerUser.token, `usableBy=${stranger.id}`)).toEqual(['A public']);

    const notMine = await h.call('GET', `/v1/clouds/${cloud.id}/images?usableBy=${owner.id}`, {
      token: strangerUser.token,
    });
    expect(notMine.statusCode).toBe(404);

    const cannotEdit = await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${priv.id}`, {
      token: sharedUser.token,
      body: { name: 'hijack' },
    });
    expect(cannotEdit.statusCode).toBe(403);
    expect(pub.visibility).toBe('public');
  });

  it('filters by text, OS, architecture, visibility and state', async () => {
    const cloud = await h.build.cloud();
    await h.build.image(cloud.id, { name: 'ubuntu-22.04-x86', osFamily: 'ubuntu', osVersion: '22.04' });
    await h.build.image(cloud.id, {
      name: 'ubuntu-24.04-arm',
      osFamily: 'ubuntu',
      osVersion: '24.04',
      cpuArchitecture: 'arm64',
    });
    await h.build.image(cloud.id, {
      name: 'debian-12',
      osFamily: 'debian',
      osVersion: '12',
      state: 'deprecated',
    });
    const names = async (query: string) =>
      (await h.call('GET', `/v1/clouds/${cloud.id}/images?${query}`)).data.items.map(
        (i: { name: string }) => i.name,
      );
    expect(await names('q=UBUNTU')).toEqual(['ubuntu-22.04-x86', 'ubuntu-24.04-arm']);
    expect(await names('osFamily=ubuntu&osVersion=24.04')).toEqual(['ubuntu-24.04-arm']);
    expect(await names('cpuArchitecture=x86_64')).toEqual(['debian-12', 'ubuntu-22.04-x86']);
    expect(await names('state=deprecated')).toEqual(['debian-12']);
    expect(await names('visibility=private')).toEqual([]);
    expect(await names('q=%25')).toEqual([]);
  });

  it('deprecating stamps deprecatedAt; a replacement must be an image of the same cloud', async () => {
    const cloud = await h.build.cloud();
    const other = await h.build.cloud();
    const old = await h.build.image(cloud.id);
    const newer = await h.build.image(cloud.id);
    const elsewhere = await h.build.image(other.id);
    const bad = await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${old.id}`, {
      body: { state: 'deprecated', replacementImageId: elsewhere.id },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.data.errors[0].path).toBe('replacementImageId');
    const res = await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${old.id}`, {
      body: { state: 'deprecated', replacementImageId: newer.id },
    });
    expect(res.data).toMatchObject({
      state: 'deprecated',
      replacementImageId: newer.id,
      deprecatedAt: h.clock.now.toISOString(),
    });
    const back = await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${old.id}`, {
      body: { state: 'available' },
    });
    expect(back.data.deprecatedAt).toBeNull();
  });

  it('launch permissions naming an unknown account are 422 naming it, and nothing changes', async () => {
    const cloud = await h.build.cloud();
    const acc = await h.build.account();
    const img = await h.build.image(cloud.id, { visibility: 'private', ownerAccountId: acc.id });
    const res = await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${img.id}`, {
      body: { launchPermissions: ['acc_does_not_exist'] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.detail).toContain('acc_does_not_exist');
    const after = await h.call('GET', `/v1/clouds/${cloud.id}/images/${img.id}`);
    expect(after.data.launchPermissions).toEqual([]);
  });

  it('an empty patch and a patch with unknown fields are 400', async () => {
    const cloud = await h.build.cloud();
    const img = await h.build.image(cloud.id);
    expect((await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${img.id}`, { body: {} })).statusCode).toBe(
      400,
    );
    const res = await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${img.id}`, { body: { cloudId: 'x' } });
    expect(res.statusCode).toBe(400);
  });
});

describe('pagination', () => {
  it('walks a large list exactly once, in name order, without gaps or repeats', async () => {
    const cloud = await h.build.cloud();
    const images = Array.from({ length: 257 }, (_, i) => ({
      resourceUid: `ami-${String(i).padStart(4, '0')}`,
      // Repeated names make the id tie-breaker matter.
      name: `image-${String(i % 40).padStart(2, '0')}`,
      cpuArchitecture: i % 3 === 0 ? 'arm64' : 'x86_64',
      visibility: 'public',
    }));
    const bulk = await h.call('POST', `/v1/clouds/${cloud.id}/images/bulk`, { body: { images } });
    expect(bulk.statusCode).toBe(201);
    expect(bulk.data.created).toBe(257);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.call(
        'GET',
        `/v1/clouds/${cloud.id}/images?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      seen.push(...res.data.items.map((i: { resourceUid: string }) => i.resourceUid));
      cursor = res.data.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(257);
    expect(new Set(seen).size).toBe(257);
  });

  it('rejects a tampered cursor and an out-of-range limit with 400', async () => {
    const cloud = await h.build.cloud();
    const bad = await h.call('GET', `/v1/clouds/${cloud.id}/images?cursor=garbage`);
    expect(bad.statusCode).toBe(400);
    expect(bad.data.errors[0].path).toBe('cursor');
    const big = await h.call('GET', `/v1/clouds/${cloud.id}/images?limit=100000`);
    expect(big.statusCode).toBe(400);
    expect(big.data.errors[0].path).toBe('querystring.limit');
  });
});

describe('bulk registration', () => {
  it('is all or nothing: one duplicate stores none of the batch', async () => {
    const cloud = await h.build.cloud();
    await h.build.image(cloud.id, { resourceUid: 'ami-taken' });
    const before = await count(schema.images);
    const res = await h.call('POST', `/v1/clouds/${cloud.id}/images/bulk`, {
      body: {
        images: [
          { resourceUid: 'ami-new-1', name: 'n1', cpuArchitecture: 'x86_64', visibility: 'public' },
          { resourceUid: 'ami-taken', name: 'n2', cpuArchitecture: 'x86_64', visibility: 'public' },
        ],
      },
    });
    expect(res.statusCode).toBe(409);
    expect(await count(schema.images)).toBe(before);
  });

  it('names a resourceUid repeated inside the batch', async () => {
    const cloud = await h.build.cloud();
    const img = { resourceUid: 'ami-twice', name: 'n', cpuArchitecture: 'x86_64', visibility: 'public' };
    const res = await h.call('POST', `/v1/clouds/${cloud.id}/images/bulk`, { body: { images: [img, img] } });
    expect(res.statusCode).toBe(422);
    expect(res.data.errors[0].path).toBe('images.1.resourceUid');
  });
});

describe('instance types', () => {
  it('are added by the superuser and filtered by architecture', async () => {
    const cloud = await h.build.cloud();
    await h.build.instanceType(cloud.id, { resourceUid: 'm5.large', name: 'm5.large' });
    await h.build.instanceType(cloud.id, {
      resourceUid: 'm6g.large',
      name: 'm6g.large',
      cpuArchitectures: ['arm64'],
    });
    const res = await h.call('GET', `/v1/clouds/${cloud.id}/instance-types?cpuArchitecture=arm64`);
    expect(res.data.items.map((t: { resourceUid: string }) => t.resourceUid)).toEqual(['m6g.large']);
    const one = await h.call('GET', `/v1/clouds/${cloud.id}/instance-types/${res.data.items[0].id}`);
    expect(one.data).toMatchObject({ cpuCount: 2, memoryMb: 8192, cpuArchitectures: ['arm64'] });
    const dup = await h.call('POST', `/v1/clouds/${cloud.id}/instance-types`, {
      body: {
        resourceUid: 'm5.large',
        name: 'm5.large',
        cpuCount: 2,
        memoryMb: 8192,
        cpuArchitectures: ['x86_64'],
      },
    });
    expect(dup.statusCode).toBe(409);
  });

  it('an unknown cloud is 404', async () => {
    const res = await h.call('GET', '/v1/clouds/cld_missing/instance-types');
    expect(res.statusCode).toBe(404);
    expect(res.data.code).toBe('not_found');
  });
});

describe('bad requests change nothing (SPEC §5)', () => {
  it('malformed JSON is 400 malformed_json', async () => {
    const res = await h.call('POST', '/v1/clouds', {
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.data.code).toBe('malformed_json');
  });

  it('a wrong type is 400 naming the field', async () => {
    const cloud = await h.build.cloud();
    const res = await h.call('POST', `/v1/clouds/${cloud.id}/instance-types`, {
      body: { resourceUid: 'x', name: 'x', cpuCount: 'two', memoryMb: 1, cpuArchitectures: ['x86_64'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.data.errors.map((e: { path: string }) => e.path)).toContain('body.cpuCount');
  });

  it('an oversized body is 413 and stores nothing', async () => {
    const before = await count(schema.clouds);
    const res = await h.call('POST', '/v1/clouds', {
      body: { name: 'big', cloudType: 'aws', region: 'r', description: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.data.code).toBe('body_too_large');
    expect(await count(schema.clouds)).toBe(before);
  });

  it('a failed mutation writes no audit entry', async () => {
    const before = await count(schema.auditEntries);
    await h.call('POST', '/v1/clouds', { body: { name: '', cloudType: 'aws', region: 'r' } });
    expect(await count(schema.auditEntries)).toBe(before);
  });

  it('an unknown route is a 404 problem', async () => {
    const res = await h.call('GET', '/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
