import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

/**
 * The revision kernel, once per kind: MCIs and ServerTemplates get the same tests for every verb
 * they share (If-Match, roles and actions, commit numbering, clone and merge from another
 * account's published revision, merge conflicts, immutability, delete).
 */

let h: Harness;
let acc: { id: string };
let other: { id: string };
let designer: { token: string };
let observer: { token: string };
let publisher: { token: string };
let setting: (n?: number) => { cloudId: string; imageId: string; instanceTypeId: string };
let cloudId: string;

beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  other = await h.build.account();
  designer = await h.build.user({ accountId: acc.id, roles: ['designer'] });
  observer = await h.build.user({ accountId: acc.id, roles: ['observer'] });
  publisher = await h.build.user({ accountId: other.id, roles: ['designer', 'publisher'] });
  const { cloud, image, type } = await h.build.cloudWithImage();
  const images = [image, await h.build.image(cloud.id), await h.build.image(cloud.id)];
  cloudId = cloud.id;
  setting = (n = 0) => ({ cloudId: cloud.id, imageId: images[n].id, instanceTypeId: type.id });
});
afterAll(async () => h?.close());

const expectOk = <T extends { statusCode: number; body: string }>(res: T, status: number): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res;
};

interface KindFixture {
  name: string;
  path: string;
  /** A committable HEAD in `accountId` (a template gets a fresh MCI to link). */
  head(accountId: string, token?: string): Promise<any>;
  /** Changes HEAD's content to variant `n` (a setting's image, a link's MCI revision). */
  edit(accountId: string, head: any, n: number, token?: string): Promise<void>;
  /** The key a conflict on that content is reported under. */
  conflictKey(head: any): string;
}

const url = (accountId: string, path: string, id = '', suffix = '') =>
  `/v1/accounts/${accountId}/${path}${id ? `/${id}` : ''}${suffix}`;

const kinds: KindFixture[] = [
  {
    name: 'MCI',
    path: 'mcis',
    head: (accountId, token) => h.build.mci(accountId, { settings: [setting(0)] }, token),
    async edit(accountId, head, n, token) {
      expectOk(
        await h.call('PUT', url(accountId, 'mcis', head.id, `/settings/${cloudId}`), {
          token,
          body: { imageId: setting(n).imageId, instanceTypeId: setting(n).instanceTypeId },
        }),
        200,
      );
    },
    conflictKey: () => cloudId,
  },
  {
    name: 'ServerTemplate',
    path: 'server-templates',
    async head(accountId, token) {
      const mci = await h.build.mci(accountId, { settings: [setting(0)] }, token);
      const revisions: string[] = [];
      for (const n of [0, 1, 2]) {
        if (n > 0) await kinds[0].edit(accountId, mci, n, token);
        const r = await h.call('POST', url(accountId, 'mcis', mci.id, '/commit'), {
          token,
          body: { message: `v${n}` },
        });
        revisions.push(expectOk(r, 201).data.id);
      }
      const t = expectOk(
        await h.call('POST', url(accountId, 'server-templates'), {
          token,
          body: { name: `Web ${mci.id}`, mciIds: [revisions[0]] },
        }),
        201,
      ).data;
      return { ...t, revisionsOfMci: revisions };
    },
    async edit(accountId, head, n, token) {
      const t = (await h.call('GET', url(accountId, 'server-templates', head.id), { token })).data;
      expectOk(
        await h.call('PATCH', url(accountId, 'server-templates', head.id, `/mcis/${t.links[0].id}`), {
          token,
          body: { mciId: head.revisionsOfMci[n] },
        }),
        200,
      );
    },
    conflictKey: (head) => head.links[0].mciLineageId,
  },
];

describe.each(kinds)('$name through the revision kernel', (k) => {
  const u = (id = '', suffix = '') => url(acc.id, k.path, id, suffix);

  it('SPEC §5: a HEAD edit with a stale If-Match is 412 and changes nothing; the current ETag works', async () => {
    const head = await k.head(acc.id);
    const read = await h.call('GET', u(head.id));
    const etag = read.headers.etag as string;
    expectOk(
      await h.call('PATCH', u(head.id), { body: { description: 'first' }, headers: { 'if-match': etag } }),
      200,
    );
    const stale = await h.call('PATCH', u(head.id), {
      body: { description: 'lost' },
      headers: { 'if-match': etag },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect((await h.call('GET', u(head.id))).data.description).toBe('first');
  });

  it('SPEC §5: of ten simultaneous edits carrying the same ETag exactly one wins, the rest get 412', async () => {
    const head = await k.head(acc.id);
    const etag = (await h.call('GET', u(head.id))).headers.etag as string;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.call('PATCH', u(head.id), { body: { description: `edit ${i}` }, headers: { 'if-match': etag } }),
      ),
    );
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.statusCode === 412)).toHaveLength(9);
  });

  it('R-MCI-4: actions follow roles and state; an observer is refused (403), another account gets 404', async () => {
    const head = await k.head(acc.id);
    expect((await h.call('GET', u(head.id), { token: designer.token })).data.actions).toEqual([
      'edit',
      'commit',
      'merge',
      'clone',
      'delete',
    ]);
    expect((await h.call('GET', u(head.id), { token: observer.token })).data.actions).toEqual([]);
    const patch = await h.call('PATCH', u(head.id), { token: observer.token, body: { name: 'x' } });
    expect(patch.statusCode).toBe(403);
    expect(patch.data.code).toBe('missing_role');
    const foreign = await h.call('GET', url(other.id, k.path, head.id), { token: publisher.token });
    expect(foreign.statusCode).toBe(404);
  });

  it('R-MCI-4: a committed revision is immutable (409 immutable_revision) and offers no edit', async () => {
    const head = await k.head(acc.id);
    const r1 = expectOk(await h.call('POST', u(head.id, '/commit'), { body: { message: 'v1' } }), 201).data;
    expect(r1.actions).not.toContain('edit');
    const res = await h.call('PATCH', u(r1.id), { body: { name: 'renamed' } });
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('immutable_revision');
  });

  it('R-MCI-5: eight simultaneous commits of one HEAD get the numbers 1..8', async () => {
    const head = await k.head(acc.id);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h.call('POST', u(head.id, '/commit'), { body: { message: `c${i}` } }),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(answers.map((r) => r.data.revision).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const revisions = (await h.call('GET', u(head.id, '/revisions'))).data.items;
    expect(revisions.map((r: any) => r.revision)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('R-MCI-6: a revision another account published can be read, cloned and merged from without importing', async () => {
    const upstream = await k.head(other.id, publisher.token);
    const r1 = expectOk(
      await h.call('POST', url(other.id, k.path, upstream.id, '/commit'), {
        token: publisher.token,
        body: { message: 'published' },
      }),
      201,
    ).data;
    expectOk(
      await h.call('POST', `/v1/accounts/${other.id}/publications`, {
        token: publisher.token,
        body: { sourceId: r1.id, visibility: 'public', shortDescription: 'shared' },
      }),
      201,
    );
    const read = expectOk(await h.call('GET', u(r1.id), { token: designer.token }), 200);
    expect(read.data.actions).toEqual(['clone']);
    const clone = expectOk(
      await h.call('POST', u(r1.id, '/clone'), {
        token: designer.token,
        body: { name: `Copy of ${r1.name}` },
      }),
      201,
    );
    expect(clone.data).toMatchObject({ accountId: acc.id, revision: 0, clonedFrom: r1.id });
    const mine = await k.head(acc.id);
    const merged = await h.call('POST', u(mine.id, '/merge'), {
      token: designer.token,
      body: { from: r1.id },
    });
    expect(merged.statusCode).toBe(200);
    expect(merged.data.merge.baseId).toBeNull();
  });

  it('R-VC-2: different changes on both sides conflict (409 listing them); "theirs" resolves all or nothing', async () => {
    const head = await k.head(acc.id);
    const r1 = expectOk(await h.call('POST', u(head.id, '/commit'), { body: { message: 'base' } }), 201).data;
    const fork = expectOk(
      await h.call('POST', u(r1.id, '/clone'), { body: { name: `Fork ${r1.id}` } }),
      201,
    ).data;
    await k.edit(acc.id, { ...head, id: fork.id }, 1);
    const r2 = expectOk(
      await h.call('POST', u(fork.id, '/commit'), { body: { message: 'theirs' } }),
      201,
    ).data;
    await k.edit(acc.id, head, 2);
    const before = (await h.call('GET', u(head.id))).headers.etag;
    const refused = await h.call('POST', u(head.id, '/merge'), { body: { from: r2.id } });
    expect(refused.statusCode).toBe(409);
    expect(refused.data.code).toBe('merge_conflict');
    expect(refused.data.conflicts.map((c: any) => c.key)).toEqual([k.conflictKey(head)]);
    expect((await h.call('GET', u(head.id))).headers.etag).toBe(before);
    const resolved = await h.call('POST', u(head.id, '/merge'), {
      body: { from: r2.id, resolutions: { [k.conflictKey(head)]: 'theirs' } },
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.data.merge.fromTheirs).toContain(k.conflictKey(head));
  });

  it('R-ST-3: lists filter by the cloud a revision serves (cloudId)', async () => {
    const served = await k.head(acc.id);
    const elsewhere = await h.build.cloudWithImage();
    const list = async (c: string) =>
      (await h.call('GET', `${u()}?cloudId=${c}&revision=0&limit=500`)).data.items.map((r: any) => r.id);
    expect(await list(cloudId)).toContain(served.id);
    expect(await list(elsewhere.cloud.id)).not.toContain(served.id);
  });

  it('R-MCI-7: deleting removes the whole lineage (204, then 404)', async () => {
    const head = await k.head(acc.id);
    const r1 = expectOk(await h.call('POST', u(head.id, '/commit'), { body: { message: 'v1' } }), 201).data;
    expect((await h.call('DELETE', u(head.id), { token: observer.token })).statusCode).toBe(403);
    expect((await h.call('DELETE', u(head.id))).statusCode).toBe(204);
    expect((await h.call('GET', u(head.id))).statusCode).toBe(404);
    expect((await h.call('GET', u(r1.id))).statusCode).toBe(404);
  });
});

describe('ServerTemplate specifics in the kernel', () => {
  it('R-ST-2: make-default honours If-Match like every other link edit (412 when stale)', async () => {
    const m1 = await h.build.mci(acc.id, { settings: [setting(0)] });
    const m2 = await h.build.mci(acc.id, { settings: [setting(1)] });
    const t = expectOk(
      await h.call('POST', url(acc.id, 'server-templates'), {
        body: { name: 'Defaults', mciIds: [m1.id, m2.id] },
      }),
      201,
    );
    const etag = t.headers.etag as string;
    await h.call('PATCH', url(acc.id, 'server-templates', t.data.id), { body: { description: 'moved on' } });
    const second = t.data.links[1].id;
    const stale = await h.call(
      'POST',
      url(acc.id, 'server-templates', t.data.id, `/mcis/${second}/make-default`),
      {
        headers: { 'if-match': etag },
      },
    );
    expect(stale.statusCode).toBe(412);
    const now = (await h.call('GET', url(acc.id, 'server-templates', t.data.id))).headers.etag as string;
    const ok = await h.call(
      'POST',
      url(acc.id, 'server-templates', t.data.id, `/mcis/${second}/make-default`),
      {
        headers: { 'if-match': now },
      },
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.data.links.find((l: any) => l.isDefault).id).toBe(second);
  });

  it('R-ST-1: a clone or merge that would take in a link to an MCI the account cannot read is 422 naming the link', async () => {
    const hidden = await h.build.mci(other.id, { settings: [setting(0)] }, publisher.token);
    const hiddenR1 = expectOk(
      await h.call('POST', url(other.id, 'mcis', hidden.id, '/commit'), {
        token: publisher.token,
        body: { message: 'groups only' },
      }),
      201,
    ).data;
    const group = expectOk(
      await h.call('POST', `/v1/accounts/${other.id}/account-groups`, {
        token: publisher.token,
        body: { name: 'Nobody else' },
      }),
      201,
    ).data;
    expectOk(
      await h.call('POST', `/v1/accounts/${other.id}/publications`, {
        token: publisher.token,
        body: {
          sourceId: hiddenR1.id,
          visibility: 'groups',
          groupIds: [group.id],
          shortDescription: 'private',
        },
      }),
      201,
    );
    const t = expectOk(
      await h.call('POST', url(other.id, 'server-templates'), {
        token: publisher.token,
        body: { name: 'Public template', mciIds: [hiddenR1.id] },
      }),
      201,
    ).data;
    const tr1 = expectOk(
      await h.call('POST', url(other.id, 'server-templates', t.id, '/commit'), {
        token: publisher.token,
        body: { message: 'public' },
      }),
      201,
    ).data;
    expectOk(
      await h.call('POST', `/v1/accounts/${other.id}/publications`, {
        token: publisher.token,
        body: { sourceId: tr1.id, visibility: 'public', shortDescription: 'public' },
      }),
      201,
    );
    const clone = await h.call('POST', url(acc.id, 'server-templates', tr1.id, '/clone'), {
      body: { name: 'Nope' },
    });
    expect(clone.statusCode).toBe(422);
    expect(clone.data.code).toBe('mci_not_readable');
    expect(clone.data.errors[0].path).toBe(`links.${hidden.lineageId}`);
    const mine = expectOk(
      await h.call('POST', url(acc.id, 'server-templates'), { body: { name: 'Mine', mciIds: [] } }),
      201,
    ).data;
    const merge = await h.call('POST', url(acc.id, 'server-templates', mine.id, '/merge'), {
      body: { from: tr1.id },
    });
    expect(merge.statusCode).toBe(422);
    expect(merge.data.code).toBe('mci_not_readable');
  });
});
