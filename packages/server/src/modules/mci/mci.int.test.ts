import { schema } from '@mci/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
let acc: { id: string };
let designer: { token: string };
let observer: { token: string };
beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  designer = await h.build.user({ accountId: acc.id, roles: ['designer'] });
  observer = await h.build.user({ accountId: acc.id, roles: ['observer'] });
});
afterAll(async () => h?.close());

const url = (id = '', suffix = '') => `/v1/accounts/${acc.id}/mcis${id ? `/${id}` : ''}${suffix}`;

describe('MCIs: create, read, edit', () => {
  it('creates a HEAD (revision 0) with settings, names resolved; an observer cannot (403)', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage({ name: 'AWS us-east-1 test' });
    const body = {
      name: 'Ubuntu_22.04_x64',
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    };
    expect((await h.call('POST', url(), { token: observer.token, body })).statusCode).toBe(403);
    const res = await h.call('POST', url(), { token: designer.token, body });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.data).toMatchObject({
      revision: 0,
      name: 'Ubuntu_22.04_x64',
      accountId: acc.id,
      baseRevision: null,
      warnings: [],
    });
    expect(res.data.settings).toEqual([
      expect.objectContaining({
        cloudId: cloud.id,
        cloudName: 'AWS us-east-1 test',
        imageId: image.id,
        imageResourceUid: image.resourceUid,
        instanceTypeName: 'm5.large',
        userData: null,
      }),
    ]);
  });

  it('R-MCI-1: a second setting for the same cloud is 409 naming the cloud', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage({ name: 'Dup cloud' });
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const res = await h.call('POST', url(mci.id, '/settings'), {
      body: { cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id },
    });
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('duplicate_cloud_setting');
    expect(res.data.detail).toContain('Dup cloud');
    expect(res.data.hint).toBe(`PUT /v1/accounts/${acc.id}/mcis/${mci.id}/settings/${cloud.id}`);
  });

  it('R-MCI-2: an image or instance type of another cloud is 422 naming the id; nothing is stored', async () => {
    const a = await h.build.cloudWithImage();
    const b = await h.build.cloudWithImage();
    const mci = await h.build.mci(acc.id);
    const wrongImage = await h.call('POST', url(mci.id, '/settings'), {
      body: { cloudId: a.cloud.id, imageId: b.image.id, instanceTypeId: a.type.id },
    });
    expect(wrongImage.statusCode).toBe(422);
    expect(wrongImage.data.code).toBe('image_cloud_mismatch');
    expect(wrongImage.data.detail).toContain(b.image.id);
    const wrongType = await h.call('POST', url(mci.id, '/settings'), {
      body: { cloudId: a.cloud.id, imageId: a.image.id, instanceTypeId: b.type.id },
    });
    expect(wrongType.data.code).toBe('instance_type_cloud_mismatch');
    expect((await h.call('GET', url(mci.id))).data.settings).toEqual([]);
  });

  it('R-MCI-2: a private image of another account is refused; a deprecated one is accepted with a warning', async () => {
    const { cloud, type } = await h.build.cloudWithImage();
    const other = await h.build.account();
    const secret = await h.build.image(cloud.id, { visibility: 'private', ownerAccountId: other.id });
    const old = await h.build.image(cloud.id, { state: 'deprecated' });
    const mci = await h.build.mci(acc.id);
    const refused = await h.call('POST', url(mci.id, '/settings'), {
      body: { cloudId: cloud.id, imageId: secret.id, instanceTypeId: type.id },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.data.code).toBe('image_not_usable');
    const accepted = await h.call('POST', url(mci.id, '/settings'), {
      body: { cloudId: cloud.id, imageId: old.id, instanceTypeId: type.id },
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.data.warnings).toEqual([
      expect.objectContaining({ code: 'deprecated_image', cloudId: cloud.id }),
    ]);
    const gone = await h.build.image(cloud.id, { state: 'unavailable' });
    const refusedGone = await h.call('PUT', url(mci.id, `/settings/${cloud.id}`), {
      body: { imageId: gone.id, instanceTypeId: type.id },
    });
    expect(refusedGone.data.code).toBe('image_unavailable');
  });

  it('R-MCI-3: an instance type that does not fit the image architecture is 422', async () => {
    const { cloud, type } = await h.build.cloudWithImage();
    const arm = await h.build.image(cloud.id, { cpuArchitecture: 'arm64' });
    const mci = await h.build.mci(acc.id);
    const res = await h.call('POST', url(mci.id, '/settings'), {
      body: { cloudId: cloud.id, imageId: arm.id, instanceTypeId: type.id },
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.code).toBe('architecture_mismatch');
  });

  it('user data over 16 KiB is refused with 400 naming the field', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const mci = await h.build.mci(acc.id);
    const res = await h.call('POST', url(mci.id, '/settings'), {
      body: {
        cloudId: cloud.id,
        imageId: image.id,
        instanceTypeId: type.id,
        userData: 'x'.repeat(16 * 1024 + 1),
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.data.errors[0].path).toBe('body.userData');
    const ok = await h.call('POST', url(mci.id, '/settings'), {
      body: { cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id, userData: '#!/bin/sh\necho hi' },
    });
    expect(ok.data.settings[0].userData).toBe('#!/bin/sh\necho hi');
  });

  it('a setting read from the API can be sent back to PUT (same cloudId); another cloudId is 422 naming it', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const other = await h.build.cloudWithImage();
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const { cloudId, imageId, instanceTypeId, userData } = (await h.call('GET', url(mci.id))).data
      .settings[0];
    const same = await h.call('PUT', url(mci.id, `/settings/${cloud.id}`), {
      body: { cloudId, imageId, instanceTypeId, userData: userData ?? '#!/bin/sh' },
    });
    expect(same.statusCode).toBe(200);
    expect(same.data.settings[0].userData).toBe('#!/bin/sh');
    const moved = await h.call('PUT', url(mci.id, `/settings/${cloud.id}`), {
      body: { cloudId: other.cloud.id, imageId, instanceTypeId },
    });
    expect(moved.statusCode).toBe(422);
    expect(moved.data.errors).toEqual([expect.objectContaining({ path: 'cloudId' })]);
    expect((await h.call('GET', url(mci.id))).data.settings[0].cloudId).toBe(cloud.id);
  });

  it('replaces and removes settings; renames with If-Match (412 when stale)', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const image2 = await h.build.image(cloud.id, { name: 'newer' });
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const read = await h.call('GET', url(mci.id));
    const etag = read.headers.etag as string;
    const put = await h.call('PUT', url(mci.id, `/settings/${cloud.id}`), {
      headers: { 'if-match': etag },
      body: { imageId: image2.id, instanceTypeId: type.id },
    });
    expect(put.statusCode).toBe(200);
    expect(put.data.settings[0].imageId).toBe(image2.id);
    const stale = await h.call('PATCH', url(mci.id), {
      headers: { 'if-match': etag },
      body: { name: 'Renamed' },
    });
    expect(stale.statusCode).toBe(412);
    const fresh = await h.call('PATCH', url(mci.id), {
      headers: { 'if-match': put.headers.etag as string },
      body: { name: 'Renamed', tags: ['web'] },
    });
    expect(fresh.data).toMatchObject({ name: 'Renamed', tags: ['web'] });
    const del = await h.call('DELETE', url(mci.id, `/settings/${cloud.id}`));
    expect(del.data.settings).toEqual([]);
    expect((await h.call('DELETE', url(mci.id, `/settings/${cloud.id}`))).statusCode).toBe(404);
  });

  it('lists with filters and pages; another account’s MCI is 404', async () => {
    const other = await h.build.account();
    const foreign = await h.build.mci(other.id, { name: 'Foreign' });
    expect((await h.call('GET', url(foreign.id), { token: designer.token })).statusCode).toBe(404);
    await h.build.mci(acc.id, { name: 'zz-filter-me' });
    const res = await h.call('GET', `${url()}?q=filter-me&revision=0`, { token: observer.token });
    expect(res.data.items.map((m: { name: string }) => m.name)).toEqual(['zz-filter-me']);
  });
});

describe('R-MCI-4/5: commit and immutability', () => {
  it('R-MCI-5: commit copies HEAD exactly as revision max+1; HEAD stays editable with baseRevision', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const head = await h.build.mci(acc.id, {
      name: 'Web base',
      tags: ['web'],
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id, userData: 'boot' }],
    });
    const c1 = await h.call('POST', url(head.id, '/commit'), {
      token: designer.token,
      body: { message: 'first' },
    });
    expect(c1.statusCode).toBe(201);
    expect(c1.data).toMatchObject({
      revision: 1,
      lineageId: head.lineageId,
      name: 'Web base',
      tags: ['web'],
      commitMessage: 'first',
    });
    expect(c1.data.settings).toEqual(head.settings);
    expect(c1.data.committedAt).toBe(h.clock.now.toISOString());
    const headAfter = await h.call('GET', url(head.id));
    expect(headAfter.data).toMatchObject({ revision: 0, baseRevision: 1 });
    const c2 = await h.call('POST', url(head.id, '/commit'), { body: { message: 'second' } });
    expect(c2.data.revision).toBe(2);
    const revs = await h.call('GET', url(head.id, '/revisions'));
    expect(
      revs.data.items.map((r: { revision: number; commitMessage: string | null }) => [
        r.revision,
        r.commitMessage,
      ]),
    ).toEqual([
      [2, 'second'],
      [1, 'first'],
      [0, null],
    ]);
  });

  it('R-MCI-5: an empty message is 400; no settings is 422', async () => {
    const empty = await h.build.mci(acc.id);
    expect((await h.call('POST', url(empty.id, '/commit'), { body: { message: ' ' } })).statusCode).toBe(400);
    const res = await h.call('POST', url(empty.id, '/commit'), { body: { message: 'x' } });
    expect(res.statusCode).toBe(422);
    expect(res.data.code).toBe('no_settings');
  });

  it('R-MCI-4: edits to a committed revision are 409 immutable_revision', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const head = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const committed = (await h.call('POST', url(head.id, '/commit'), { body: { message: 'v1' } })).data;
    for (const [method, suffix, body] of [
      ['PATCH', '', { name: 'x' }],
      ['POST', '/settings', { cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
      ['PUT', `/settings/${cloud.id}`, { imageId: image.id, instanceTypeId: type.id }],
      ['DELETE', `/settings/${cloud.id}`, undefined],
      ['POST', '/commit', { message: 'again' }],
    ] as const) {
      const res = await h.call(method, url(committed.id, suffix), { body });
      expect(res.statusCode, `${method} ${suffix}`).toBe(409);
      expect(res.data.code).toBe('immutable_revision');
    }
  });

  it('R-MCI-5: concurrent commits of one lineage get distinct, consecutive numbers', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const head = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.call('POST', url(head.id, '/commit'), { body: { message: `c${i}` } }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(201));
    expect(results.map((r) => r.data.revision).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });
});

describe('R-MCI-6: clone', () => {
  it('R-MCI-6: clones a committed revision into a new editable lineage recording clonedFrom', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const head = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const r1 = (await h.call('POST', url(head.id, '/commit'), { body: { message: 'v1' } })).data;
    const clone = await h.call('POST', url(r1.id, '/clone'), {
      token: designer.token,
      body: { name: 'My copy' },
    });
    expect(clone.statusCode).toBe(201);
    expect(clone.data).toMatchObject({ revision: 0, name: 'My copy', clonedFrom: r1.id });
    expect(clone.data.lineageId).not.toBe(head.lineageId);
    expect(clone.data.settings).toEqual(r1.settings);
    const edit = await h.call('PATCH', url(clone.data.id), { body: { description: 'editable' } });
    expect(edit.statusCode).toBe(200);
  });
});

describe('R-MCI-8: lint', () => {
  it('R-MCI-8: returns structured warnings: name mismatch, architecture across clouds, deprecated', async () => {
    const a = await h.build.cloudWithImage({ name: 'Lint A' });
    const b = await h.build.cloud({ name: 'Lint B' });
    const armImage = await h.build.image(b.id, { cpuArchitecture: 'arm64', state: 'deprecated' });
    const armType = await h.build.instanceType(b.id, { cpuArchitectures: ['arm64'] });
    const mci = await h.build.mci(acc.id, {
      name: 'Debian_12_x64',
      settings: [
        { cloudId: a.cloud.id, imageId: a.image.id, instanceTypeId: a.type.id },
        { cloudId: b.id, imageId: armImage.id, instanceTypeId: armType.id },
      ],
    });
    const res = await h.call('GET', url(mci.id, '/lint'), { token: observer.token });
    expect(res.statusCode).toBe(200);
    const codes = res.data.warnings.map((w: { code: string }) => w.code);
    expect(codes).toEqual(['architecture_mismatch', 'name_mismatch', 'name_mismatch', 'deprecated_image']);
    expect(res.data.warnings[3]).toMatchObject({ cloudId: b.id });
    const empty = await h.build.mci(acc.id);
    expect(
      (await h.call('GET', url(empty.id, '/lint'))).data.warnings.map((w: { code: string }) => w.code),
    ).toEqual(['no_settings']);
  });
});

describe('R-MCI-7: delete', () => {
  it('R-MCI-7: deletes the whole lineage', async () => {
    const { cloud, image, type } = await h.build.cloudWithImage();
    const head = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const r1 = (await h.call('POST', url(head.id, '/commit'), { body: { message: 'v1' } })).data;
    expect((await h.call('DELETE', url(r1.id), { token: observer.token })).statusCode).toBe(403);
    expect((await h.call('DELETE', url(r1.id), { token: designer.token })).statusCode).toBe(204);
    expect((await h.call('GET', url(head.id))).statusCode).toBe(404);
    const rows = await h.database.db.select().from(schema.mcis);
    expect(rows.some((r) => r.lineageId === head.lineageId)).toBe(false);
  });
});
