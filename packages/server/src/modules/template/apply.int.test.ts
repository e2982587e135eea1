import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
let acc: { id: string };
let a: { cloud: any; image: any; type: any };
let b: { cloud: any; image: any; type: any };

beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  a = await h.build.cloudWithImage();
  b = await h.build.cloudWithImage();
});
afterAll(async () => h?.close());

const apply = (body: unknown, headers: Record<string, string> = {}) =>
  h.call('POST', `/v1/accounts/${acc.id}/server-templates/apply`, { body, headers });
const inline = (name: string, c = a, imageId = c.image.id) => ({
  name,
  settings: [{ cloudId: c.cloud.id, imageId, instanceTypeId: c.type.id }],
});
const audit = async () => (await h.call('GET', `/v1/accounts/${acc.id}/audit?limit=500`)).data.items.length;
const heads = async (name: string) =>
  (await h.call('GET', `/v1/accounts/${acc.id}/mcis?q=${encodeURIComponent(name)}`)).data.items;

describe('template push: one server-side call, all or nothing (R-ST-1, R-ST-2, R-ST-4)', () => {
  it('R-ST-2: creates the template, its inline MCIs and links (first default); the same document again changes nothing', async () => {
    const doc = { name: 'Push web', mcis: [inline('Push base'), inline('Push alt', b)] };
    const first = await apply(doc);
    expect(first.statusCode).toBe(201);
    expect(first.data.changes).toEqual([
      'create MCI "Push base" with 1 setting(s)',
      'create MCI "Push alt" with 1 setting(s)',
      'create ServerTemplate "Push web" linking 2 MCI(s)',
    ]);
    expect(first.data.template.links.map((l: any) => [l.mciName, l.isDefault, l.position])).toEqual([
      ['Push base', true, 1],
      ['Push alt', false, 2],
    ]);
    const entries = await audit();
    const again = await apply(doc, { 'if-match': first.headers.etag as string });
    expect(again.statusCode).toBe(200);
    expect(again.data.changes).toEqual([]);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(await audit()).toBe(entries);
  });

  it('R-ST-2: a new order moves the default; a changed inline setting updates that MCI HEAD', async () => {
    const doc = { name: 'Push order', mcis: [inline('Order one'), inline('Order two', b)] };
    expect((await apply(doc)).statusCode).toBe(201);
    const newer = await h.build.image(b.cloud.id);
    const res = await apply({
      name: 'Push order',
      mcis: [inline('Order two', b, newer.id), inline('Order one')],
    });
    expect(res.statusCode).toBe(200);
    expect(res.data.changes).toEqual([
      `MCI "Order two": replace setting for ${b.cloud.name}`,
      'move "Order two" to position 1',
      'move "Order one" to position 2',
      'make "Order two" the default',
    ]);
    expect(res.data.template.links.map((l: any) => [l.mciName, l.isDefault, l.position])).toEqual([
      ['Order two', true, 1],
      ['Order one', false, 2],
    ]);
  });

  it('R-ST-2: a new order of the same links is a change (positions, version, audit)', async () => {
    const doc = { name: 'Push reorder', mcis: [inline('Re one'), inline('Re two', b), inline('Re three')] };
    const first = await apply(doc);
    const res = await apply({ ...doc, mcis: [doc.mcis[0], doc.mcis[2], doc.mcis[1]] });
    expect(res.data.changes).toEqual(['move "Re three" to position 2', 'move "Re two" to position 3']);
    expect(res.headers.etag).not.toBe(first.headers.etag);
    expect(res.data.template.links.map((l: any) => l.mciName)).toEqual(['Re one', 'Re three', 'Re two']);
  });

  it('finds the HEAD of exactly that name, however many other names contain it', async () => {
    const mine = await h.build.mci(acc.id, { name: 'Exact probe', settings: inline('x').settings });
    for (let i = 0; i < 101; i++) await h.build.mci(acc.id, { name: `A exact probe ${i}` });
    const res = await apply({ name: 'Push exact', mcis: [inline('Exact probe')] });
    expect(res.statusCode).toBe(201);
    expect(res.data.changes).not.toContain('create MCI "Exact probe" with 1 setting(s)');
    expect(res.data.template.links[0].mciId).toBe(mine.id);
  });

  it('a dry run reports the same changes and writes nothing', async () => {
    const doc = { name: 'Push dry', mcis: [inline('Dry base')] };
    const before = await audit();
    const dry = await apply({ ...doc, dryRun: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.data).toMatchObject({ dryRun: true, template: null, templateId: null, created: true });
    expect(dry.data.changes).toHaveLength(2);
    expect(await heads('Dry base')).toEqual([]);
    expect(await audit()).toBe(before);
    expect((await apply(doc)).data.changes).toEqual(dry.data.changes);
  });

  it('SPEC §5: a stale If-Match is 412 and nothing of the document is written', async () => {
    const created = await apply({ name: 'Push guarded', mcis: [inline('Guarded base')] });
    const etag = created.headers.etag as string;
    await h.call('PATCH', `/v1/accounts/${acc.id}/server-templates/${created.data.templateId}`, {
      body: { description: 'edited elsewhere' },
    });
    const stale = await apply(
      { name: 'Push guarded', mcis: [inline('Guarded base'), inline('Guarded new', b)] },
      { 'if-match': etag },
    );
    expect(stale.statusCode).toBe(412);
    expect(await heads('Guarded new')).toEqual([]);
  });

  it('R-MCI-2: a refused setting half way leaves no partial data (422 naming it)', async () => {
    const before = await audit();
    const res = await apply({
      name: 'Push broken',
      mcis: [inline('Broken ok'), inline('Broken bad', a, b.image.id)],
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.code).toBe('image_cloud_mismatch');
    expect(await heads('Broken ok')).toEqual([]);
    expect(await audit()).toBe(before);
  });
});
