import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
let acc: { id: string };
let A: any;
let B: any;
let C: any;
beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  // Names chosen so that name order differs from creation order.
  B = await h.build.cloudWithImage({ name: 'VC beta' });
  A = await h.build.cloudWithImage({ name: 'VC alpha' });
  C = await h.build.cloudWithImage({ name: 'VC gamma' });
});
afterAll(async () => h?.close());

const m = (id: string, suffix = '') => `/v1/accounts/${acc.id}/mcis/${id}${suffix}`;
const t = (id = '', suffix = '') => `/v1/accounts/${acc.id}/server-templates${id ? `/${id}` : ''}${suffix}`;
const setting = (c: any, imageId = c.image.id) => ({
  cloudId: c.cloud.id,
  imageId,
  instanceTypeId: c.type.id,
});
const commit = async (id: string, message = 'c') =>
  (await h.call('POST', m(id, '/commit'), { body: { message } })).data;
const put = (id: string, c: any, imageId: string) =>
  h.call('PUT', m(id, `/settings/${c.cloud.id}`), { body: { imageId, instanceTypeId: c.type.id } });

describe('R-VC-1: MCI diff', () => {
  it('R-VC-1: fields and per-cloud added/removed/changed in cloud-name order, images with resourceUid and name', async () => {
    const head = await h.build.mci(acc.id, { name: 'Diffable', settings: [setting(A), setting(B)] });
    const r1 = await commit(head.id, 'one');
    const newer = await h.build.image(B.cloud.id, { name: 'beta-newer' });
    await put(head.id, B, newer.id);
    await h.call('DELETE', m(head.id, `/settings/${A.cloud.id}`));
    await h.call('POST', m(head.id, '/settings'), { body: setting(C) });
    await h.call('PATCH', m(head.id), { body: { name: 'Diffable 2', tags: ['x'] } });
    const res = await h.call('GET', `${m(head.id, '/diff')}?against=${r1.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.data.from).toMatchObject({ id: r1.id, revision: 1 });
    expect(res.data.fields).toEqual({
      name: { from: 'Diffable', to: 'Diffable 2' },
      tags: { from: [], to: ['x'] },
    });
    expect(res.data.clouds.map((c: any) => [c.cloudName, c.change])).toEqual([
      ['VC alpha', 'removed'],
      ['VC beta', 'changed'],
      ['VC gamma', 'added'],
    ]);
    expect(res.data.clouds[1].fields).toEqual({
      image: {
        from: { id: B.image.id, resourceUid: B.image.resourceUid, name: B.image.name },
        to: { id: newer.id, resourceUid: newer.resourceUid, name: 'beta-newer' },
      },
    });
    const none = await h.call('GET', `${m(r1.id, '/diff')}?against=${r1.id}`);
    expect(none.data).toMatchObject({ fields: {}, clouds: [] });
  });

  it('R-VC-1: diffs across lineages; an unknown revision is 404', async () => {
    const x = await h.build.mci(acc.id, { settings: [setting(A)] });
    const y = await h.build.mci(acc.id, { settings: [setting(B)] });
    const res = await h.call('GET', `${m(x.id, '/diff')}?against=${y.id}`);
    expect(res.data.clouds.map((c: any) => c.change)).toEqual(['added', 'removed']);
    expect((await h.call('GET', `${m(x.id, '/diff')}?against=mci_missing`)).statusCode).toBe(404);
  });
});

describe('R-VC-2: MCI merge', () => {
  it('R-VC-2: a clone takes the newer upstream revision: one-sided changes from both sides merge', async () => {
    const upstream = await h.build.mci(acc.id, { name: 'Upstream', settings: [setting(A), setting(B)] });
    const u1 = await commit(upstream.id);
    const local = (await h.call('POST', m(u1.id, '/clone'), { body: { name: 'Local' } })).data;
    const localA = await h.build.image(A.cloud.id, { name: 'local-a' });
    await put(local.id, A, localA.id);
    const upB = await h.build.image(B.cloud.id, { name: 'up-b' });
    await put(upstream.id, B, upB.id);
    await h.call('POST', m(upstream.id, '/settings'), { body: setting(C) });
    const u2 = await commit(upstream.id);

    const res = await h.call('POST', m(local.id, '/merge'), { body: { from: u2.id } });
    expect(res.statusCode).toBe(200);
    expect(res.data.merge).toEqual({ baseId: u1.id, fromTheirs: [B.cloud.id, C.cloud.id], resolved: {} });
    expect(res.data.name).toBe('Local');
    expect(res.data.settings.map((s: any) => [s.cloudName, s.imageName])).toEqual([
      ['VC alpha', 'local-a'],
      ['VC beta', 'up-b'],
      ['VC gamma', C.image.name],
    ]);
    expect(res.data.clonedFrom).toBe(u2.id);
    // Only HEAD was written: the upstream revisions are unchanged.
    expect((await h.call('GET', m(u2.id))).data.settings.map((s: any) => s.imageId)).toEqual([
      A.image.id,
      upB.id,
      C.image.id,
    ]);
  });

  it('R-VC-2: different changes to one cloud conflict: 409 listing base/ours/theirs; resolutions apply all or nothing', async () => {
    const upstream = await h.build.mci(acc.id, { settings: [setting(A), setting(B)] });
    const u1 = await commit(upstream.id);
    const local = (await h.call('POST', m(u1.id, '/clone'), { body: { name: 'Mine' } })).data;
    const oursA = await h.build.image(A.cloud.id, { name: 'ours-a' });
    const theirsA = await h.build.image(A.cloud.id, { name: 'theirs-a' });
    const theirsB = await h.build.image(B.cloud.id, { name: 'theirs-b' });
    await put(local.id, A, oursA.id);
    await put(upstream.id, A, theirsA.id);
    await put(upstream.id, B, theirsB.id);
    await h.call('PATCH', m(upstream.id), { body: { description: 'upstream notes' } });
    const u2 = await commit(upstream.id);
    const before = (await h.call('GET', m(local.id))).data;

    const refused = await h.call('POST', m(local.id, '/merge'), { body: { from: u2.id } });
    expect(refused.statusCode).toBe(409);
    expect(refused.data.code).toBe('merge_conflict');
    expect(refused.data.conflicts).toEqual([
      {
        key: A.cloud.id,
        kind: 'entry',
        label: 'VC alpha',
        base: expect.objectContaining({ imageId: A.image.id }),
        ours: expect.objectContaining({ imageId: oursA.id }),
        theirs: expect.objectContaining({ imageId: theirsA.id }),
      },
    ]);
    expect((await h.call('GET', m(local.id))).data).toEqual(before);

    const badKey = await h.call('POST', m(local.id, '/merge'), {
      body: { from: u2.id, resolutions: { [A.cloud.id]: 'ours', nope: 'theirs' } },
    });
    expect(badKey.statusCode).toBe(409);
    expect(badKey.data.errors[0].path).toBe('resolutions.nope');

    const theirs = await h.call('POST', m(local.id, '/merge'), {
      body: { from: u2.id, resolutions: { [A.cloud.id]: 'theirs' } },
    });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.data.settings.map((s: any) => s.imageId)).toEqual([theirsA.id, theirsB.id]);
    expect(theirs.data.description).toBe('upstream notes');
  });

  it('R-VC-2: "ours" keeps the HEAD value for the conflicting cloud', async () => {
    const upstream = await h.build.mci(acc.id, { settings: [setting(A)] });
    const u1 = await commit(upstream.id);
    const local = (await h.call('POST', m(u1.id, '/clone'), { body: { name: 'Keep mine' } })).data;
    const mine = await h.build.image(A.cloud.id);
    const other = await h.build.image(A.cloud.id);
    await put(local.id, A, mine.id);
    await put(upstream.id, A, other.id);
    const u2 = await commit(upstream.id);
    const res = await h.call('POST', m(local.id, '/merge'), {
      body: { from: u2.id, resolutions: { [A.cloud.id]: 'ours' } },
    });
    expect(res.data.settings.map((s: any) => s.imageId)).toEqual([mine.id]);
  });

  it('R-VC-2: merging into a committed revision is 409 immutable_revision', async () => {
    const x = await h.build.mci(acc.id, { settings: [setting(A)] });
    const r1 = await commit(x.id);
    const res = await h.call('POST', m(r1.id, '/merge'), { body: { from: x.id } });
    expect(res.data.code).toBe('immutable_revision');
  });
});

describe('R-VC-1/2 for templates, and R-VC-3 update notices', () => {
  it('R-VC-3: a HEAD template shows when a linked MCI has a newer committed revision', async () => {
    const mci = await h.build.mci(acc.id, { settings: [setting(A)] });
    const r1 = await commit(mci.id);
    const tpl = (await h.call('POST', t(), { body: { name: 'Notice', mciIds: [r1.id] } })).data;
    expect(tpl.links[0].newerRevision).toBeNull();
    const r2 = await commit(mci.id);
    const read = await h.call('GET', t(tpl.id));
    expect(read.data.links[0].newerRevision).toEqual({ mciId: r2.id, revision: 2 });
  });

  it('R-VC-1: template diff shows links added, removed, revision changed and default changed', async () => {
    const m1 = await h.build.mci(acc.id, { name: 'Link one', settings: [setting(A)] });
    const m1r1 = await commit(m1.id);
    const m2 = await h.build.mci(acc.id, { name: 'Link two', settings: [setting(B)] });
    const m3 = await h.build.mci(acc.id, { name: 'Link three', settings: [setting(C)] });
    const head = (await h.call('POST', t(), { body: { name: 'Tdiff', mciIds: [m1r1.id, m2.id] } })).data;
    const r1 = (await h.call('POST', t(head.id, '/commit'), { body: { message: 'one' } })).data;
    const m1r2 = await commit(m1.id);
    await h.call('PATCH', t(head.id, `/mcis/${head.links[0].id}`), { body: { mciId: m1r2.id } });
    await h.call('POST', t(head.id, '/mcis'), { body: { mciId: m3.id } });
    const after = (await h.call('POST', t(head.id, `/mcis/${head.links[1].id}/make-default`))).data;
    await h.call('DELETE', t(head.id, `/mcis/${after.links[0].id}`));
    const res = await h.call('GET', `${t(head.id, '/diff')}?against=${r1.id}`);
    expect(
      res.data.links.map((l: any) => [l.mciName, l.change, l.from?.revision ?? null, l.to?.revision ?? null]),
    ).toEqual([
      ['Link one', 'removed', 1, null],
      ['Link three', 'added', null, 0],
    ]);
    expect(res.data.defaultChanged).toEqual({
      from: { mciLineageId: m1.lineageId, mciName: 'Link one' },
      to: { mciLineageId: m2.lineageId, mciName: 'Link two' },
    });
  });

  it('R-VC-2: templates merge their links keyed by MCI lineage', async () => {
    const m1 = await h.build.mci(acc.id, { name: 'TM one', settings: [setting(A)] });
    const m1r1 = await commit(m1.id);
    const m2 = await h.build.mci(acc.id, { name: 'TM two', settings: [setting(B)] });
    const m3 = await h.build.mci(acc.id, { name: 'TM three', settings: [setting(C)] });
    const upstream = (await h.call('POST', t(), { body: { name: 'TM', mciIds: [m1r1.id] } })).data;
    const u1 = (await h.call('POST', t(upstream.id, '/commit'), { body: { message: 'one' } })).data;
    const local = (await h.call('POST', t(u1.id, '/clone'), { body: { name: 'TM local' } })).data;
    await h.call('POST', t(local.id, '/mcis'), { body: { mciId: m2.id } });
    const m1r2 = await commit(m1.id);
    await h.call('PATCH', t(upstream.id, `/mcis/${upstream.links[0].id}`), { body: { mciId: m1r2.id } });
    await h.call('POST', t(upstream.id, '/mcis'), { body: { mciId: m3.id } });
    const u2 = (await h.call('POST', t(upstream.id, '/commit'), { body: { message: 'two' } })).data;

    const res = await h.call('POST', t(local.id, '/merge'), { body: { from: u2.id } });
    expect(res.statusCode).toBe(200);
    expect(res.data.links.map((l: any) => [l.mciName, l.mciRevision, l.isDefault, l.position])).toEqual([
      ['TM one', 2, true, 1],
      ['TM two', 0, false, 2],
      ['TM three', 0, false, 3],
    ]);
  });
});
