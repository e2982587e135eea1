import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
let P: { id: string }; // publisher
let M: { id: string }; // group member
let O: { id: string }; // outsider
let pub: { token: string }; // publisher's publisher+designer
let lib: { token: string }; // member's library user
let mAdmin: { token: string };
let out: { token: string };
let east: any;
let west: any;
let groupId: string;

const a = (acc: { id: string }, p: string) => `/v1/accounts/${acc.id}${p}`;
const setting = (c: any, imageId = c.image.id) => ({
  cloudId: c.cloud.id,
  imageId,
  instanceTypeId: c.type.id,
});

beforeAll(async () => {
  h = await startHarness();
  P = await h.build.account({ name: 'Publisher Inc' });
  M = await h.build.account({ name: 'Member Co' });
  O = await h.build.account({ name: 'Outsider Ltd' });
  pub = await h.build.user({ accountId: P.id, roles: ['publisher', 'designer'] });
  lib = await h.build.user({ accountId: M.id, roles: ['library', 'designer', 'actor'] });
  mAdmin = await h.build.user({ accountId: M.id, roles: ['admin'] });
  out = await h.build.user({ accountId: O.id, roles: ['library'] });
  east = await h.build.cloudWithImage({ name: 'MP east' });
  west = await h.build.cloudWithImage({ name: 'MP west' });
  groupId = (await h.call('POST', a(P, '/account-groups'), { token: pub.token, body: { name: 'Partners' } }))
    .data.id;
  const inv = await h.call('POST', a(P, `/account-groups/${groupId}/invitations`), {
    token: pub.token,
    body: { accountId: M.id },
  });
  await h.call('POST', a(M, `/invitations/${inv.data.code}/accept`), { token: mAdmin.token });
});
afterAll(async () => h?.close());

async function committedMci(name: string, settings = [setting(east)]) {
  const head = await h.build.mci(P.id, { name, settings }, pub.token);
  const r1 = (
    await h.call('POST', a(P, `/mcis/${head.id}/commit`), {
      token: pub.token,
      body: { message: `${name} v1` },
    })
  ).data;
  return { head, r1 };
}
const publish = (body: Record<string, unknown>, token = pub.token) =>
  h.call('POST', a(P, '/publications'), {
    token,
    body: { visibility: 'public', shortDescription: 'desc', ...body },
  });
const market = async (acc: { id: string }, token: string, query = '') =>
  (await h.call('GET', `${a(acc, '/marketplace')}?${query}`, { token })).data.items.map(
    (p: any) => `${p.name}@${p.revision}`,
  );

describe('R-PUB-1: what can be published', () => {
  it('R-PUB-1: only committed revisions, once each; a non-publisher gets 403', async () => {
    const { head, r1 } = await committedMci('Pub-1');
    expect((await publish({ sourceId: head.id })).data.code).toBe('not_committed');
    expect((await publish({ sourceId: r1.id }, lib.token)).statusCode).toBe(404);
    const designerOnly = await h.build.user({ accountId: P.id, roles: ['designer'] });
    expect((await publish({ sourceId: r1.id }, designerOnly.token)).statusCode).toBe(403);
    const ok = await publish({ sourceId: r1.id, categories: ['web'] });
    expect(ok.statusCode).toBe(201);
    expect(ok.data.publication).toMatchObject({
      kind: 'mci',
      revision: 1,
      revisionNotes: 'Pub-1 v1',
      state: 'active',
      cloudIds: [east.cloud.id],
    });
    const again = await publish({ sourceId: r1.id });
    expect(again.statusCode).toBe(409);
    expect(again.data.code).toBe('already_published');
  });
});

describe('R-PUB-2: templates take their MCIs along', () => {
  it('R-PUB-2: a template linking HEAD MCIs is 422 listing them', async () => {
    const { head } = await committedMci('Pub-2 head');
    const t = (
      await h.call('POST', a(P, '/server-templates'), {
        token: pub.token,
        body: { name: 'T-head', mciIds: [head.id] },
      })
    ).data;
    const r1 = (
      await h.call('POST', a(P, `/server-templates/${t.id}/commit`), {
        token: pub.token,
        body: { message: 'x' },
      })
    ).data;
    const res = await publish({ sourceId: r1.id });
    expect(res.statusCode).toBe(422);
    expect(res.data.code).toBe('links_head_mci');
    expect(res.data.headMcis).toEqual([{ mciId: head.id, name: 'Pub-2 head' }]);
  });

  it('R-PUB-2: publishing a template publishes its unpublished MCI revisions with the same visibility', async () => {
    const one = await committedMci('Pub-2 one');
    const two = await committedMci('Pub-2 two', [setting(west)]);
    await publish({ sourceId: one.r1.id, visibility: 'public' });
    const t = (
      await h.call('POST', a(P, '/server-templates'), {
        token: pub.token,
        body: { name: 'T-along', mciIds: [one.r1.id, two.r1.id] },
      })
    ).data;
    const tr1 = (
      await h.call('POST', a(P, `/server-templates/${t.id}/commit`), {
        token: pub.token,
        body: { message: 'tpl' },
      })
    ).data;
    const res = await publish({ sourceId: tr1.id, visibility: 'groups', groupIds: [groupId] });
    expect(res.statusCode).toBe(201);
    expect(res.data.publishedAlong.map((p: any) => [p.name, p.visibility, p.groupIds])).toEqual([
      ['Pub-2 two', 'groups', [groupId]],
    ]);
    expect(res.data.publication.linkedPublicationIds).toHaveLength(2);
    expect(res.data.publication.cloudIds.sort()).toEqual([east.cloud.id, west.cloud.id].sort());
    // A published template stays (importers copy from it), as a published MCI does (R-MCI-7).
    const refused = await h.call('DELETE', a(P, `/server-templates/${t.id}`), { token: pub.token });
    expect(refused.statusCode).toBe(409);
    expect(refused.data.code).toBe('template_published');
    const mciRefused = await h.call('DELETE', a(P, `/mcis/${one.head.id}`), { token: pub.token });
    expect(mciRefused.data.code).toBe('mci_in_use');
    const imported = await h.call('POST', a(M, '/imports'), {
      token: lib.token,
      body: { publicationId: res.data.publication.id },
    });
    expect(imported.statusCode).toBe(201);
  });
});

describe('R-PUB-3: the marketplace', () => {
  it('R-PUB-3: per lineage only the newest active revision; deprecating it shows the previous one', async () => {
    const { head, r1 } = await committedMci('Market lineage');
    await publish({ sourceId: r1.id });
    const r2 = (
      await h.call('POST', a(P, `/mcis/${head.id}/commit`), { token: pub.token, body: { message: 'v2' } })
    ).data;
    const p2 = (await publish({ sourceId: r2.id })).data.publication;
    expect(await market(O, out.token, 'q=Market lineage')).toEqual(['Market lineage@2']);
    expect(
      (await h.call('POST', a(P, `/publications/${p2.id}/deprecate`), { token: pub.token })).data.state,
    ).toBe('deprecated');
    expect(await market(O, out.token, 'q=Market lineage')).toEqual(['Market lineage@1']);
    expect(
      (await h.call('POST', a(O, `/publications/${p2.id}/deprecate`), { token: out.token })).statusCode,
    ).toBe(403);
    await h.call('POST', a(P, `/publications/${p2.id}/reactivate`), { token: pub.token });
    expect(await market(O, out.token, 'q=Market lineage')).toEqual(['Market lineage@2']);
  });

  it('R-PUB-3: groups visibility shows only to member accounts; search by text, kind, category, publisher, cloud', async () => {
    const { r1 } = await committedMci('Group only', [setting(west)]);
    const p = (
      await publish({
        sourceId: r1.id,
        visibility: 'groups',
        groupIds: [groupId],
        categories: ['db'],
        longDescription: 'postgres tuned',
      })
    ).data.publication;
    expect(await market(O, out.token, 'q=Group only')).toEqual([]);
    expect((await h.call('GET', a(O, `/publications/${p.id}`), { token: out.token })).statusCode).toBe(404);
    expect(await market(M, lib.token, 'q=postgres tuned')).toEqual(['Group only@1']);
    expect(
      await market(M, lib.token, `category=db&kind=mci&publisher=${P.id}&cloudId=${west.cloud.id}`),
    ).toEqual(['Group only@1']);
    expect(await market(M, lib.token, `category=db&cloudId=${east.cloud.id}`)).toEqual([]);
    expect(await market(M, lib.token, 'kind=server_template&q=Group only')).toEqual([]);
  });
});

describe('R-IMP-1..3: imports', () => {
  it('R-IMP-1: a read-only copy with the same revision number in a local lineage shared by later imports', async () => {
    const { head, r1 } = await committedMci('Importable');
    const p1 = (await publish({ sourceId: r1.id })).data.publication;
    const first = await h.call('POST', a(M, '/imports'), {
      token: lib.token,
      body: { publicationId: p1.id },
    });
    expect(first.statusCode).toBe(201);
    expect(first.headers.location).toBe(a(M, `/mcis/${first.data.id}`));
    const copy = (await h.call('GET', first.headers.location as string, { token: lib.token })).data;
    expect(copy).toMatchObject({ revision: 1, importedFrom: p1.id, accountId: M.id, name: 'Importable' });
    // The answer is the imported revision as a read shows it, plus what came along.
    expect(first.data).toEqual({ ...copy, kind: 'mci', created: true, importedMcis: [] });
    expect(copy.settings.map((s: any) => s.imageId)).toEqual([east.image.id]);
    const edit = await h.call('PATCH', a(M, `/mcis/${copy.id}`), {
      token: lib.token,
      body: { name: 'mine' },
    });
    expect(edit.data.code).toBe('immutable_revision');
    const again = await h.call('POST', a(M, '/imports'), {
      token: lib.token,
      body: { publicationId: p1.id },
    });
    expect(again.statusCode).toBe(200);
    expect(again.headers.location).toBe(a(M, `/mcis/${copy.id}`));
    expect(again.data).toMatchObject({ id: copy.id, revision: 1, importedFrom: p1.id, created: false });
    const r2 = (
      await h.call('POST', a(P, `/mcis/${head.id}/commit`), { token: pub.token, body: { message: 'v2' } })
    ).data;
    const p2 = (await publish({ sourceId: r2.id })).data.publication;
    const second = (
      await h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: p2.id } })
    ).data;
    const copy2 = (await h.call('GET', a(M, `/mcis/${second.id}`), { token: lib.token })).data;
    expect(copy2).toMatchObject({ revision: 2, lineageId: copy.lineageId });
    expect(
      (await h.call('POST', a(M, '/imports'), { token: mAdmin.token, body: { publicationId: p2.id } }))
        .statusCode,
    ).toBe(403);
  });

  it('R-IMP-2/3: a template import brings its MCIs, links copies already imported, and brings deprecated ones along', async () => {
    const one = await committedMci('Tpl MCI one');
    const two = await committedMci('Tpl MCI two', [setting(west)]);
    const p1 = (await publish({ sourceId: one.r1.id })).data.publication;
    const p2 = (await publish({ sourceId: two.r1.id })).data.publication;
    const pre = (await h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: p1.id } }))
      .data;
    await h.call('POST', a(P, `/publications/${p2.id}/deprecate`), { token: pub.token });
    const alone = await h.call('POST', a(M, '/imports'), {
      token: lib.token,
      body: { publicationId: p2.id },
    });
    expect(alone.statusCode).toBe(409);
    expect(alone.data.code).toBe('publication_deprecated');

    const t = (
      await h.call('POST', a(P, '/server-templates'), {
        token: pub.token,
        body: { name: 'Imported tpl', mciIds: [one.r1.id, two.r1.id] },
      })
    ).data;
    const tr1 = (
      await h.call('POST', a(P, `/server-templates/${t.id}/commit`), {
        token: pub.token,
        body: { message: 't1' },
      })
    ).data;
    const tp = (await publish({ sourceId: tr1.id })).data.publication;
    const res = await h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: tp.id } });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe(a(M, `/server-templates/${res.data.id}`));
    expect(res.data).toMatchObject({
      kind: 'server_template',
      revision: 1,
      importedFrom: tp.id,
      created: true,
    });
    // One MCI came along (two, deprecated); the other was imported before and is linked.
    expect(res.data.importedMcis.map((m: any) => [m.name, m.revision, m.created])).toEqual([
      ['Tpl MCI one', 1, false],
      ['Tpl MCI two', 1, true],
    ]);
    expect(res.data.importedMcis.find((m: any) => !m.created).id).toBe(pre.id);
    const copy = (await h.call('GET', a(M, `/server-templates/${res.data.id}`), { token: lib.token })).data;
    expect(res.data.links).toEqual(copy.links);
    expect(copy.links.map((l: any) => [l.mciName, l.isDefault])).toEqual([
      ['Tpl MCI one', true],
      ['Tpl MCI two', false],
    ]);
    expect(copy.links[0].mciId).toBe(pre.id);

    // Imported templates create servers.
    const d = (
      await h.call('POST', a(M, '/deployments'), { token: lib.token, body: { name: 'from-import' } })
    ).data;
    const server = await h.call('POST', a(M, `/deployments/${d.id}/servers`), {
      token: lib.token,
      body: { name: 's', serverTemplateId: copy.id, cloudId: west.cloud.id },
    });
    expect(server.statusCode).toBe(201);
    expect(server.data.imageId).toBe(west.image.id);
  });

  it('R-IMP-3: imports stay after deprecation and after leaving the group; leaving stops future imports', async () => {
    const g = (
      await h.call('POST', a(P, '/account-groups'), { token: pub.token, body: { name: 'Short-lived' } })
    ).data;
    const inv = (
      await h.call('POST', a(P, `/account-groups/${g.id}/invitations`), {
        token: pub.token,
        body: { accountId: M.id },
      })
    ).data;
    await h.call('POST', a(M, `/invitations/${inv.code}/accept`), { token: mAdmin.token });
    const x = await committedMci('Leaving');
    const y = await committedMci('Leaving later');
    const px = (await publish({ sourceId: x.r1.id, visibility: 'groups', groupIds: [g.id] })).data
      .publication;
    const py = (await publish({ sourceId: y.r1.id, visibility: 'groups', groupIds: [g.id] })).data
      .publication;
    const copy = (
      await h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: px.id } })
    ).data;
    await h.call('POST', a(P, `/publications/${px.id}/deprecate`), { token: pub.token });
    expect(
      (await h.call('DELETE', a(P, `/account-groups/${g.id}/members/${M.id}`), { token: pub.token }))
        .statusCode,
    ).toBe(204);
    expect((await h.call('GET', a(M, `/mcis/${copy.id}`), { token: lib.token })).statusCode).toBe(200);
    expect(
      (await h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: py.id } }))
        .statusCode,
    ).toBe(404);
  });

  it('imported revisions can be cloned, diffed against a newer published revision and merged into a local clone', async () => {
    const { head, r1 } = await committedMci('Evolving');
    const p1 = (await publish({ sourceId: r1.id })).data.publication;
    const copy = (
      await h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: p1.id } })
    ).data;
    const clone = (
      await h.call('POST', a(M, `/mcis/${copy.id}/clone`), {
        token: lib.token,
        body: { name: 'Evolving (ours)' },
      })
    ).data;
    await h.call('POST', a(P, `/mcis/${head.id}/settings`), { token: pub.token, body: setting(west) });
    const r2 = (
      await h.call('POST', a(P, `/mcis/${head.id}/commit`), {
        token: pub.token,
        body: { message: 'adds west' },
      })
    ).data;
    await publish({ sourceId: r2.id });
    const d = await h.call('GET', `${a(M, `/mcis/${copy.id}/diff`)}?against=${r2.id}`, { token: lib.token });
    expect(d.statusCode).toBe(200);
    expect(d.data.clouds.map((c: any) => [c.cloudName, c.change])).toEqual([['MP west', 'removed']]);
    const merged = await h.call('POST', a(M, `/mcis/${clone.id}/merge`), {
      token: lib.token,
      body: { from: r2.id },
    });
    expect(merged.statusCode).toBe(200);
    expect(merged.data.merge.baseId).toBe(copy.id);
    expect(merged.data.settings.map((s: any) => s.cloudName)).toEqual(['MP east', 'MP west']);
  });
});

describe('R-VC-3: update notices from the marketplace', () => {
  it('R-VC-3: a HEAD template linking an imported MCI shows the newer revision in the marketplace', async () => {
    const { head, r1 } = await committedMci('Noticed');
    const p1 = (await publish({ sourceId: r1.id })).data.publication;
    const copy = (
      await h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: p1.id } })
    ).data;
    const t = (
      await h.call('POST', a(M, '/server-templates'), {
        token: lib.token,
        body: { name: 'Uses import', mciIds: [copy.id] },
      })
    ).data;
    expect(t.links[0].newerInMarketplace ?? null).toBeNull();
    const r2 = (
      await h.call('POST', a(P, `/mcis/${head.id}/commit`), { token: pub.token, body: { message: 'v2' } })
    ).data;
    const p2 = (await publish({ sourceId: r2.id })).data.publication;
    const read = await h.call('GET', a(M, `/server-templates/${t.id}`), { token: lib.token });
    expect(read.data.links[0].newerInMarketplace).toEqual({ publicationId: p2.id, revision: 2 });
  });
});

describe('R-GRP-1: account groups and invitations', () => {
  it('R-GRP-1: an admin of the invited account accepts; single use; another role gets 403', async () => {
    const g = (await h.call('POST', a(P, '/account-groups'), { token: pub.token, body: { name: 'Once' } }))
      .data;
    const inv = await h.call('POST', a(P, `/account-groups/${g.id}/invitations`), {
      token: pub.token,
      body: { accountId: O.id },
    });
    expect(inv.statusCode).toBe(201);
    expect(inv.data.expiresAt).toBe(new Date(h.clock.now.getTime() + 6 * 24 * 3600_000).toISOString());
    expect(
      (await h.call('POST', a(O, `/invitations/${inv.data.code}/accept`), { token: out.token })).statusCode,
    ).toBe(403);
    const oAdmin = await h.build.user({ accountId: O.id, roles: ['admin'] });
    expect(
      (await h.call('POST', a(M, `/invitations/${inv.data.code}/accept`), { token: mAdmin.token }))
        .statusCode,
    ).toBe(404);
    const ok = await h.call('POST', a(O, `/invitations/${inv.data.code}/accept`), { token: oAdmin.token });
    expect(ok.statusCode).toBe(200);
    expect(ok.data.group.memberAccountIds).toContain(O.id);
    const twice = await h.call('POST', a(O, `/invitations/${inv.data.code}/accept`), { token: oAdmin.token });
    expect(twice.statusCode).toBe(409);
    expect(twice.data.code).toBe('invitation_accepted');
  });

  it('R-GRP-1: an invitation expires after 6 days; a pending one can be cancelled', async () => {
    const g = (
      await h.call('POST', a(P, '/account-groups'), { token: pub.token, body: { name: 'Expiring' } })
    ).data;
    const oAdmin = await h.build.user({ accountId: O.id, roles: ['admin'] });
    const late = (
      await h.call('POST', a(P, `/account-groups/${g.id}/invitations`), {
        token: pub.token,
        body: { accountId: O.id },
      })
    ).data;
    const cancelled = (
      await h.call('POST', a(P, `/account-groups/${g.id}/invitations`), {
        token: pub.token,
        body: { accountId: O.id },
      })
    ).data;
    const del = await h.call('DELETE', a(P, `/account-groups/${g.id}/invitations/${cancelled.id}`), {
      token: pub.token,
    });
    expect(del.data.state).toBe('cancelled');
    expect(
      (await h.call('POST', a(O, `/invitations/${cancelled.code}/accept`), { token: oAdmin.token })).data
        .code,
    ).toBe('invitation_cancelled');
    h.clock.advance(6 * 24 * 3600_000 + 1000);
    const res = await h.call('POST', a(O, `/invitations/${late.code}/accept`), { token: oAdmin.token });
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('invitation_expired');
    const listed = await h.call('GET', a(P, `/account-groups/${g.id}/invitations`), { token: pub.token });
    expect(listed.data.items.map((i: any) => i.state)).toEqual(['expired', 'cancelled']);
  });
});

describe('R-GRP-2: launchability preflight', () => {
  it('R-GRP-2: a private image not shared with a member is a gap; adding launch permissions fixes it', async () => {
    const priv = await h.build.image(
      east.cloud.id,
      { visibility: 'private', ownerAccountId: P.id, name: 'golden' },
      pub.token,
    );
    const { r1 } = await committedMci('Private inside', [setting(east, priv.id), setting(west)]);
    const body = { sourceId: r1.id, visibility: 'groups', groupIds: [groupId], shortDescription: 'x' };
    const before = await h.call('POST', a(P, '/publications/preflight'), { token: pub.token, body });
    expect(before.statusCode).toBe(200);
    expect(before.data.receivingAccounts.map((x: any) => x.name)).toEqual(['Member Co']);
    expect(before.data.matrix).toEqual([
      {
        imageId: priv.id,
        cloudId: east.cloud.id,
        accountId: M.id,
        usable: false,
        reason: 'private_not_shared',
      },
      { imageId: west.image.id, cloudId: west.cloud.id, accountId: M.id, usable: true, reason: null },
    ]);
    expect(before.data).toMatchObject({ gaps: 1, ok: false });
    const strict = await h.call('POST', a(P, '/publications'), {
      token: pub.token,
      body: { ...body, strict: true },
    });
    expect(strict.statusCode).toBe(422);
    expect(strict.data.code).toBe('preflight_failed');
    expect(strict.data.preflight.gaps).toBe(1);
    expect(
      (await h.call('GET', a(P, '/publications'), { token: pub.token })).data.items.some(
        (p: any) => p.sourceId === r1.id,
      ),
    ).toBe(false);

    await h.call('PATCH', `/v1/clouds/${east.cloud.id}/images/${priv.id}`, {
      token: pub.token,
      body: { launchPermissions: [M.id] },
    });
    const after = await h.call('POST', a(P, '/publications/preflight'), {
      token: pub.token,
      body: { ...body, strict: true },
    });
    expect(after.data).toMatchObject({ gaps: 0, ok: true });
    expect(
      (await h.call('POST', a(P, '/publications'), { token: pub.token, body: { ...body, strict: true } }))
        .statusCode,
    ).toBe(201);
  });

  it('R-GRP-2: public publishing warns about every private image', async () => {
    const priv = await h.build.image(
      west.cloud.id,
      { visibility: 'private', ownerAccountId: P.id },
      pub.token,
    );
    const { r1 } = await committedMci('Public with private', [setting(west, priv.id)]);
    const res = await h.call('POST', a(P, '/publications/preflight'), {
      token: pub.token,
      body: { sourceId: r1.id, visibility: 'public', shortDescription: 'x' },
    });
    expect(res.data.warnings.map((w: any) => w.code)).toEqual(['private_image_public_publication']);
    expect(res.data.ok).toBe(false);
  });
});

describe('audit of sharing', () => {
  it('publications and imports appear in both accounts’ audit trails', async () => {
    const pAudit = (await h.call('GET', a(P, '/audit?limit=500'), { token: pub.token })).data.items.map(
      (e: any) => e.action,
    );
    const mAudit = (await h.call('GET', a(M, '/audit?limit=500'), { token: lib.token })).data.items.map(
      (e: any) => e.action,
    );
    expect(pAudit).toEqual(
      expect.arrayContaining([
        'publication.create',
        'publication.imported',
        'group.invite',
        'group.member_joined',
      ]),
    );
    expect(mAudit).toEqual(expect.arrayContaining(['import.create', 'group.join', 'invitation.received']));
  });
});

describe('races (PostgreSQL runs these concurrently; PGlite one after another)', () => {
  it('R-IMP-2: ten simultaneous imports of one publication: one 201, nine 200 with the same copy, never a 500', async () => {
    const { r1 } = await committedMci('Raced import');
    const p = (await publish({ sourceId: r1.id })).data.publication;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.call('POST', a(M, '/imports'), { token: lib.token, body: { publicationId: p.id } }),
      ),
    );
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((r) => r.data.id)).size).toBe(1);
  });

  it('deleting an MCI lineage while templates link it: the delete is 204 or 409, each link 201 or 4xx, never a 500', async () => {
    const { head, r1 } = await committedMci('Raced delete');
    const links = Array.from({ length: 6 }, (_, i) =>
      h.call('POST', a(P, '/server-templates'), {
        token: pub.token,
        body: { name: `Raced linker ${i}`, mciIds: [r1.id] },
      }),
    );
    const answers = await Promise.all([
      ...links,
      h.call('DELETE', a(P, `/mcis/${head.id}`), { token: pub.token }),
    ]);
    const statuses = answers.map((r) => r.statusCode);
    expect(
      statuses.every((s) => s < 500),
      statuses.join(','),
    ).toBe(true);
    const deleted = statuses[6] === 204;
    const linked = statuses.slice(0, 6).filter((s) => s === 201).length;
    // Either the MCI is gone and no template links it, or it stayed because one did.
    expect(deleted ? linked === 0 : statuses[6] === 409).toBe(true);
  });
});
