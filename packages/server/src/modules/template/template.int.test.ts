import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
let acc: { id: string };
let cA: any;
let cB: any;
beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  cA = await h.build.cloudWithImage({ name: 'T cloud A' });
  cB = await h.build.cloudWithImage({ name: 'T cloud B' });
});
afterAll(async () => h?.close());

const tUrl = (id = '', suffix = '') =>
  `/v1/accounts/${acc.id}/server-templates${id ? `/${id}` : ''}${suffix}`;
const mUrl = (id: string, suffix = '') => `/v1/accounts/${acc.id}/mcis/${id}${suffix}`;
const settingFor = (c: any) => ({ cloudId: c.cloud.id, imageId: c.image.id, instanceTypeId: c.type.id });

describe('ServerTemplates: links (R-ST-1, R-ST-2)', () => {
  it('R-ST-2: the first linked MCI becomes the default; later ones are not', async () => {
    const m1 = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    const m2 = await h.build.mci(acc.id, { settings: [settingFor(cB)] });
    const t = await h.call('POST', tUrl(), { body: { name: 'Web', mciIds: [m1.id] } });
    expect(t.statusCode).toBe(201);
    expect(t.data.links).toEqual([expect.objectContaining({ mciId: m1.id, isDefault: true, position: 1 })]);
    const linked = await h.call('POST', tUrl(t.data.id, '/mcis'), { body: { mciId: m2.id } });
    expect(linked.statusCode).toBe(201);
    expect(linked.data).toMatchObject({ mciId: m2.id, isDefault: false, position: 2 });
    expect(linked.headers.location).toBe(
      `/v1/accounts/${acc.id}/server-templates/${t.data.id}/mcis/${linked.data.id}`,
    );
    const read = await h.call('GET', tUrl(t.data.id));
    expect(read.data.links.map((l: any) => [l.mciId, l.isDefault, l.position])).toEqual([
      [m1.id, true, 1],
      [m2.id, false, 2],
    ]);
  });

  it('R-ST-1: a second revision of a linked MCI lineage is 409; the link can change revision within it', async () => {
    const head = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    const r1 = (await h.call('POST', mUrl(head.id, '/commit'), { body: { message: 'v1' } })).data;
    const other = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    const t = (await h.call('POST', tUrl(), { body: { name: 'R-ST-1', mciIds: [head.id] } })).data;
    const dup = await h.call('POST', tUrl(t.id, '/mcis'), { body: { mciId: r1.id } });
    expect(dup.statusCode).toBe(409);
    expect(dup.data.code).toBe('lineage_already_linked');
    const linkId = t.links[0].id;
    const changed = await h.call('PATCH', tUrl(t.id, `/mcis/${linkId}`), { body: { mciId: r1.id } });
    expect(changed.statusCode).toBe(200);
    expect(changed.data.links[0]).toMatchObject({ mciId: r1.id, mciRevision: 1 });
    const wrong = await h.call('PATCH', tUrl(t.id, `/mcis/${linkId}`), { body: { mciId: other.id } });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.data.code).toBe('different_lineage');
  });

  it('R-ST-2: make-default moves the default; removing the default or the last link is 409', async () => {
    const m1 = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    const m2 = await h.build.mci(acc.id, { settings: [settingFor(cB)] });
    const t = (await h.call('POST', tUrl(), { body: { name: 'Defaults', mciIds: [m1.id, m2.id] } })).data;
    const [l1, l2] = t.links;
    const refused = await h.call('DELETE', tUrl(t.id, `/mcis/${l1.id}`));
    expect(refused.statusCode).toBe(409);
    expect(refused.data.code).toBe('default_link');
    const moved = await h.call('POST', tUrl(t.id, `/mcis/${l2.id}/make-default`));
    expect(moved.data.links.map((l: any) => l.isDefault)).toEqual([false, true]);
    const removed = await h.call('DELETE', tUrl(t.id, `/mcis/${l1.id}`));
    expect(removed.statusCode).toBe(200);
    expect(removed.data.links.map((l: any) => l.id)).toEqual([l2.id]);
    const last = await h.call('DELETE', tUrl(t.id, `/mcis/${l2.id}`));
    expect(last.statusCode).toBe(409);
    expect(last.data.code).toBe('last_link');
  });

  it('R-ST-3: supported clouds are the union, each with the MCI that serves it', async () => {
    const m1 = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    const m2 = await h.build.mci(acc.id, { settings: [settingFor(cA), settingFor(cB)] });
    const t = (await h.call('POST', tUrl(), { body: { name: 'Clouds', mciIds: [m1.id, m2.id] } })).data;
    const res = await h.call('GET', tUrl(t.id, '/clouds'));
    expect(res.data.items.map((c: any) => [c.cloudName, c.mciId, c.coveredBy])).toEqual([
      ['T cloud A', m1.id, [m1.id, m2.id]],
      ['T cloud B', m2.id, [m2.id]],
    ]);
  });

  it('R-MCI-7: deleting a linked MCI is 409 listing the templates', async () => {
    const m = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    await h.call('POST', tUrl(), { body: { name: 'Keeps it alive', mciIds: [m.id] } });
    const res = await h.call('DELETE', mUrl(m.id));
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('mci_in_use');
    expect(res.data.detail).toContain('Keeps it alive');
    expect(res.data.templates).toEqual([expect.objectContaining({ name: 'Keeps it alive', revision: 0 })]);
  });
});

describe('ServerTemplates: commit and clone (R-ST-4)', () => {
  it('R-ST-4: committing with HEAD MCI links succeeds with a warning; committed links never change', async () => {
    const m = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    const t = (await h.call('POST', tUrl(), { body: { name: 'Commit me', mciIds: [m.id] } })).data;
    const res = await h.call('POST', tUrl(t.id, '/commit'), { body: { message: 'first' } });
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({ revision: 1, commitMessage: 'first' });
    expect(res.data.warnings.map((w: any) => w.code)).toEqual(['links_head_mci']);
    const committedLink = res.data.links[0].id;
    const edit = await h.call('POST', tUrl(res.data.id, `/mcis/${committedLink}/make-default`));
    expect(edit.statusCode).toBe(409);
    expect(edit.data.code).toBe('immutable_revision');
  });

  it('R-ST-4: commitHeadDependencies commits each HEAD MCI and re-points the links, in one go', async () => {
    const m = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    const t = (await h.call('POST', tUrl(), { body: { name: 'Deps', mciIds: [m.id] } })).data;
    const res = await h.call('POST', tUrl(t.id, '/commit'), {
      body: { message: 'release', commitHeadDependencies: true },
    });
    expect(res.data.warnings).toEqual([]);
    expect(res.data.links[0]).toMatchObject({ mciRevision: 1 });
    const mciRevs = await h.call('GET', mUrl(m.id, '/revisions'));
    expect(mciRevs.data.items[0]).toMatchObject({ revision: 1, commitMessage: 'release' });
    const head = await h.call('GET', tUrl(t.id));
    expect(head.data.links[0].mciRevision).toBe(1);
    expect(head.data.baseRevision).toBe(1);
  });

  it('a template without links cannot be committed (422); clone records clonedFrom', async () => {
    const t = (await h.call('POST', tUrl(), { body: { name: 'Empty' } })).data;
    expect((await h.call('POST', tUrl(t.id, '/commit'), { body: { message: 'x' } })).data.code).toBe(
      'no_links',
    );
    const m = await h.build.mci(acc.id, { settings: [settingFor(cA)] });
    await h.call('POST', tUrl(t.id, '/mcis'), { body: { mciId: m.id } });
    const clone = await h.call('POST', tUrl(t.id, '/clone'), { body: { name: 'Copy' } });
    expect(clone.data).toMatchObject({ revision: 0, clonedFrom: t.id, name: 'Copy' });
    expect(clone.data.links.map((l: any) => l.mciId)).toEqual([m.id]);
  });
});
