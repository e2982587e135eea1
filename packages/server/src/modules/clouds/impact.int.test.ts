import { schema } from '@mci/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
let A: { id: string };
let B: { id: string };
let aUser: { token: string };
let bUser: { token: string };
let east: any;

const at = (acc: { id: string }, p: string) => `/v1/accounts/${acc.id}${p}`;
const settingOf = (imageId: string) => ({ cloudId: east.cloud.id, imageId, instanceTypeId: east.type.id });

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'Impact A' });
  B = await h.build.account({ name: 'Impact B' });
  aUser = await h.build.user({ accountId: A.id, roles: ['designer', 'publisher', 'actor'] });
  bUser = await h.build.user({ accountId: B.id, roles: ['designer'] });
  east = await h.build.cloudWithImage({ name: 'Impact east' });
});
afterAll(async () => h?.close());

/** Account A: an MCI (HEAD + r1, r1 published publicly), a template linking r1 (HEAD + r1), a server. */
async function worldAround(imageId: string) {
  const mciHead = await h.build.mci(A.id, { name: 'A web', settings: [settingOf(imageId)] }, aUser.token);
  const mciR1 = (
    await h.call('POST', at(A, `/mcis/${mciHead.id}/commit`), { token: aUser.token, body: { message: 'v1' } })
  ).data;
  const pub = await h.call('POST', at(A, '/publications'), {
    token: aUser.token,
    body: { sourceId: mciR1.id, visibility: 'public', shortDescription: 'web' },
  });
  expect(pub.statusCode).toBe(201);
  const tplHead = (
    await h.call('POST', at(A, '/server-templates'), {
      token: aUser.token,
      body: { name: 'A app', mciIds: [mciR1.id] },
    })
  ).data;
  const tplR1 = (
    await h.call('POST', at(A, `/server-templates/${tplHead.id}/commit`), {
      token: aUser.token,
      body: { message: 'v1' },
    })
  ).data;
  const dep = (
    await h.call('POST', at(A, '/deployments'), { token: aUser.token, body: { name: `Prod ${imageId}` } })
  ).data;
  const server = await h.call('POST', at(A, `/deployments/${dep.id}/servers`), {
    token: aUser.token,
    body: { name: 'web-1', serverTemplateId: tplR1.id, cloudId: east.cloud.id },
  });
  expect(server.statusCode).toBe(201);
  const bMci = await h.build.mci(B.id, { name: 'B secret', settings: [settingOf(imageId)] }, bUser.token);
  return { mciHead, mciR1, publication: pub.data.publication, tplHead, tplR1, server: server.data, bMci };
}

const patchState = (imageId: string, state: string) =>
  h.call('PATCH', `/v1/clouds/${east.cloud.id}/images/${imageId}`, { body: { state } });
const impactOf = (imageId: string, token?: string, query = '') =>
  h.call('GET', `/v1/clouds/${east.cloud.id}/images/${imageId}/impact${query}`, { token });

describe('R-CLD-5: impact of an image change', () => {
  it('R-CLD-5: a change to deprecated by hand records every MCI revision, template revision, server and publication using the image', async () => {
    const image = await h.build.image(east.cloud.id, { name: 'Impact base' });
    const w = await worldAround(image.id);
    const before = await impactOf(image.id);
    expect(before.statusCode).toBe(200);
    expect(before.data.changes).toEqual([]);
    expect(before.data.current.mcis.map((m: any) => [m.id, m.revision]).sort()).toEqual(
      [
        [w.mciHead.id, 0],
        [w.mciR1.id, 1],
        [w.bMci.id, 0],
      ].sort(),
    );

    expect((await patchState(image.id, 'deprecated')).statusCode).toBe(200);
    const res = await impactOf(image.id);
    expect(res.data.image).toMatchObject({ id: image.id, state: 'deprecated' });
    expect(res.data.changes).toHaveLength(1);
    const [change] = res.data.changes;
    expect(change).toMatchObject({ fromState: 'available', toState: 'deprecated', reason: 'set by hand' });
    const { impact } = change;
    expect(impact.hiddenCount).toBe(0);
    expect(impact.mcis).toHaveLength(3);
    expect(impact.mcis.find((m: any) => m.id === w.mciR1.id)).toMatchObject({
      accountId: A.id,
      name: 'A web',
      lineageId: w.mciHead.lineageId,
      revision: 1,
      imageId: image.id,
      cloudId: east.cloud.id,
    });
    expect(impact.templates.map((t: any) => [t.id, t.revision, t.mciIds]).sort()).toEqual(
      [
        [w.tplHead.id, 0, [w.mciR1.id]],
        [w.tplR1.id, 1, [w.mciR1.id]],
      ].sort(),
    );
    expect(impact.servers).toEqual([
      expect.objectContaining({
        id: w.server.id,
        accountId: A.id,
        name: 'web-1',
        next: true,
        running: false,
      }),
    ]);
    expect(impact.publications).toEqual([
      expect.objectContaining({ id: w.publication.id, kind: 'mci', revision: 1, visibility: 'public' }),
    ]);

    // The audit trail of each affected account says so, under the user who patched.
    for (const [acc, what] of [
      [A, '2 MCI revisions, 2 ServerTemplate revisions, 1 server, 1 publication'],
      [B, '1 MCI revision'],
    ] as const) {
      const audit = await h.call('GET', at(acc, '/audit'));
      const entry = audit.data.items.find((e: any) => e.action === 'image.impact');
      expect(entry.summary).toBe(
        `image ${image.resourceUid} became deprecated (set by hand): ${what} of this account use it`,
      );
    }
  });

  it("R-CLD-5: a reader sees their accounts' items and public publications; another account's are only counted", async () => {
    const image = await h.build.image(east.cloud.id, { name: 'Impact shared' });
    const w = await worldAround(image.id);
    await patchState(image.id, 'deprecated');
    const asA = (await impactOf(image.id, aUser.token)).data;
    expect(asA.current.mcis.map((m: any) => m.id).sort()).toEqual([w.mciHead.id, w.mciR1.id].sort());
    expect(asA.current.hiddenCount).toBe(1);
    expect(asA.changes[0].impact.hiddenCount).toBe(1);
    expect(JSON.stringify(asA)).not.toContain('B secret');

    const asB = (await impactOf(image.id, bUser.token)).data;
    expect(asB.current.mcis.map((m: any) => m.id)).toEqual([w.bMci.id]);
    expect(asB.current.templates).toEqual([]);
    expect(asB.current.servers).toEqual([]);
    expect(asB.current.publications.map((p: any) => p.id)).toEqual([w.publication.id]);
    expect(asB.current.hiddenCount).toBe(5);
    expect(JSON.stringify(asB)).not.toContain('A app');
    expect(JSON.stringify(asB)).not.toContain('web-1');
  });

  it('R-CLD-5: each change is recorded once, newest first, in pages; a PATCH that keeps the state records nothing', async () => {
    const image = await h.build.image(east.cloud.id, { name: 'Impact twice' });
    await worldAround(image.id);
    await patchState(image.id, 'deprecated');
    await patchState(image.id, 'deprecated');
    await h.call('PATCH', `/v1/clouds/${east.cloud.id}/images/${image.id}`, { body: { description: 'x' } });
    h.clock.advance(1000);
    await patchState(image.id, 'unavailable');
    const page1 = (await impactOf(image.id, undefined, '?limit=1')).data;
    expect(page1.changes.map((c: any) => [c.fromState, c.toState])).toEqual([['deprecated', 'unavailable']]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (await impactOf(image.id, undefined, `?limit=1&cursor=${page1.nextCursor}`)).data;
    expect(page2.changes.map((c: any) => [c.fromState, c.toState])).toEqual([['available', 'deprecated']]);
    expect(page2.nextCursor).toBeNull();
    // Back to available is not a change R-CLD-5 records.
    await patchState(image.id, 'available');
    expect((await impactOf(image.id)).data.changes).toHaveLength(2);
  });

  it('R-CLD-5: a server running the image counts as well as one whose next launch uses it', async () => {
    const running = await h.build.image(east.cloud.id, { name: 'Impact running' });
    const next = await h.build.image(east.cloud.id, { name: 'Impact next' });
    const w = await worldAround(next.id);
    // As a launch records it (R-LCH-4): what runs now differs from what the next launch uses.
    await h.database.db
      .update(schema.servers)
      .set({ runningImageId: running.id })
      .where(eq(schema.servers.id, w.server.id));
    const nowRunning = (await impactOf(running.id)).data.current;
    expect(nowRunning.servers).toEqual([
      expect.objectContaining({ id: w.server.id, imageId: running.id, running: true, next: false }),
    ]);
    expect(nowRunning.mcis).toEqual([]);
    expect((await impactOf(next.id)).data.current.servers).toEqual([
      expect.objectContaining({ id: w.server.id, imageId: next.id, running: false, next: true }),
    ]);
  });

  it("R-CLD-5: another account's private image has no impact to read (404)", async () => {
    const priv = await h.build.image(
      east.cloud.id,
      { name: 'A private', visibility: 'private', ownerAccountId: A.id, launchPermissions: [] },
      aUser.token,
    );
    expect((await impactOf(priv.id, bUser.token)).statusCode).toBe(404);
    expect((await impactOf(priv.id, aUser.token)).statusCode).toBe(200);
  });

  it("R-CLD-5: an MCI revision's image alerts list its settings whose image is deprecated or unavailable, with the last change", async () => {
    const image = await h.build.image(east.cloud.id, { name: 'Impact alert' });
    const w = await worldAround(image.id);
    const alerts = () => h.call('GET', at(A, `/mcis/${w.mciHead.id}/image-alerts`), { token: aUser.token });
    expect((await alerts()).data.items).toEqual([]);
    await patchState(image.id, 'unavailable');
    const res = await alerts();
    expect(res.statusCode).toBe(200);
    expect(res.data.items).toEqual([
      expect.objectContaining({
        cloudId: east.cloud.id,
        cloudName: 'Impact east',
        imageId: image.id,
        state: 'unavailable',
        lastChange: expect.objectContaining({
          fromState: 'available',
          toState: 'unavailable',
          reason: 'set by hand',
        }),
      }),
    ]);
    expect(
      (await h.call('GET', at(A, `/mcis/${w.mciHead.id}/image-alerts`), { token: bUser.token })).statusCode,
    ).toBe(404);
  });
});
