import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';
import {
  expectCreated,
  expectRsError,
  rsClient,
  type RsClient,
  type RsResponse,
} from '../../testing/rs15.ts';

let h: Harness;
let A: { id: string }; // the publisher's account
let B: { id: string }; // a member of A's group, which imports
let C: { id: string }; // an outsider
let des: RsClient; // designer + publisher in A
let obs: RsClient; // observer in A
let lib: RsClient; // library + designer in B
let outsider: RsClient; // designer in C
let desToken: string;
let east: any;
let west: any;
let groupId: string;

const setting = (c: any) => ({ cloudId: c.cloud.id, imageId: c.image.id, instanceTypeId: c.type.id });
const v1 = (acc: { id: string }, p: string) => `/v1/accounts/${acc.id}${p}`;
const location = (res: RsResponse) => String(res.headers.location ?? '');
const idOf = (href: string) => href.split('/').at(-1) as string;
const linkOf = (body: any, rel: string) =>
  (body.links as { rel: string; href: string }[]).find((l) => l.rel === rel)?.href;
const actionsOf = (body: any) => (body.actions as { rel: string }[]).map((a) => a.rel);

/** A HEAD MCI of A with a setting per cloud, made through /v1 (its own facade is another file's). */
async function mci(name: string, clouds = [east]) {
  return h.build.mci(A.id, { name, settings: clouds.map(setting) }, desToken);
}

async function createTemplate(name: string, description = '') {
  const res = await des.call('POST', '/api/server_templates', { server_template: { name, description } });
  return expectCreated(res, /^\/api\/server_templates\/[^/]+$/);
}

async function attach(templateHref: string, mciId: string, client = des) {
  return client.call('POST', '/api/server_template_multi_cloud_images', {
    server_template_multi_cloud_image: {
      server_template_href: templateHref,
      multi_cloud_image_href: `/api/multi_cloud_images/${mciId}`,
    },
  });
}

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'Template Publisher' });
  B = await h.build.account({ name: 'Template Importer' });
  C = await h.build.account({ name: 'Template Outsider' });
  const d = await h.build.user({ accountId: A.id, roles: ['designer', 'publisher'] });
  desToken = d.token;
  des = await rsClient(h, d.token, A.id);
  obs = await rsClient(h, (await h.build.user({ accountId: A.id, roles: ['observer'] })).token, A.id);
  lib = await rsClient(
    h,
    (await h.build.user({ accountId: B.id, roles: ['library', 'designer'] })).token,
    B.id,
  );
  outsider = await rsClient(h, (await h.build.user({ accountId: C.id, roles: ['designer'] })).token, C.id);
  east = await h.build.cloudWithImage({ name: 'RS east' });
  west = await h.build.cloudWithImage({ name: 'RS west' });
  const group = await h.call('POST', v1(A, '/account-groups'), {
    token: d.token,
    body: { name: 'RS partners', description: 'who may import' },
  });
  groupId = group.data.id;
  const bAdmin = await h.build.user({ accountId: B.id, roles: ['admin'] });
  const inv = await h.call('POST', v1(A, `/account-groups/${groupId}/invitations`), {
    token: d.token,
    body: { accountId: B.id },
  });
  const accepted = await h.call('POST', v1(B, `/invitations/${inv.data.code}/accept`), {
    token: bAdmin.token,
  });
  expect(accepted.statusCode, accepted.body).toBeLessThan(300);
});
afterAll(async () => h?.close());

describe('API 1.5 ServerTemplates (R-RS)', () => {
  it('R-RS: a template lifecycle through /api: create, attach MCIs, make_default, commit, clone, publish, import from another account', async () => {
    const base = await mci('RS Base');
    const alt = await mci('RS Alt', [east, west]);
    const stHref = await createTemplate('RS Web', 'a web server');

    // Attach two MCIs: the first becomes the default (R-ST-2).
    const first = expectCreated(
      await attach(stHref, base.id),
      /^\/api\/server_template_multi_cloud_images\/[^/]+$/,
    );
    const second = expectCreated(
      await attach(stHref, alt.id),
      /^\/api\/server_template_multi_cloud_images\/[^/]+$/,
    );
    const links = await des.call('GET', '/api/server_template_multi_cloud_images', {
      filter: [`server_template_href==${stHref}`],
    });
    expect(links.status).toBe(200);
    expect(links.headers['content-type']).toBe(
      'application/vnd.rightscale.server_template_multi_cloud_image+json;type=collection',
    );
    expect(links.data).toEqual([
      {
        is_default: true,
        links: [
          { rel: 'self', href: first },
          { rel: 'server_template', href: stHref },
          { rel: 'multi_cloud_image', href: `/api/multi_cloud_images/${base.id}` },
        ],
        actions: [],
      },
      {
        is_default: false,
        links: [
          { rel: 'self', href: second },
          { rel: 'server_template', href: stHref },
          { rel: 'multi_cloud_image', href: `/api/multi_cloud_images/${alt.id}` },
        ],
        actions: [{ rel: 'make_default' }],
      },
    ]);

    const made = await des.call('POST', `${second}/make_default`);
    expect(made.status, made.body).toBe(204);
    expect(made.body).toBe('');
    const shownLink = await des.call('GET', second);
    expect(shownLink.headers['content-type']).toBe(
      'application/vnd.rightscale.server_template_multi_cloud_image+json',
    );
    expect(shownLink.data.is_default).toBe(true);

    const head = await des.call('GET', stHref);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('application/vnd.rightscale.server_template+json');
    expect(head.data).toMatchObject({ name: 'RS Web', description: 'a web server', revision: 0 });
    expect(head.data.lineage).toMatch(/^\/api\/acct\/\d+\/server_template_lineages\/[^/]+$/);
    expect(linkOf(head.data, 'multi_cloud_images')).toBe(`${stHref}/multi_cloud_images`);
    expect(linkOf(head.data, 'default_multi_cloud_image')).toBe(`/api/multi_cloud_images/${alt.id}`);
    expect(actionsOf(head.data)).toEqual(['commit', 'clone']);

    // Commit, committing the HEAD MCIs first (R-ST-4): rsc sends every parameter as a string.
    const r1Href = expectCreated(
      await des.call('POST', `${stHref}/commit`, {
        commit_message: 'first cut',
        commit_head_dependencies: 'true',
        freeze_repositories: 'false',
      }),
      /^\/api\/server_templates\/[^/]+$/,
    );
    expect(r1Href).not.toBe(stHref);
    const r1 = await des.call('GET', r1Href);
    expect(r1.data).toMatchObject({ name: 'RS Web', revision: 1, lineage: head.data.lineage });
    expect(actionsOf(r1.data)).toEqual(['clone', 'publish']);
    const r1Links = await des.call('GET', '/api/server_template_multi_cloud_images', {
      filter: [`server_template_href==${r1Href}`],
    });
    expect(r1Links.data.map((l: any) => l.actions)).toEqual([[], []]);

    const cloneHref = expectCreated(
      await des.call('POST', `${r1Href}/clone`, { server_template: { name: 'RS Web copy' } }),
      /^\/api\/server_templates\/[^/]+$/,
    );
    const clone = await des.call('GET', cloneHref);
    expect(clone.data).toMatchObject({ name: 'RS Web copy', revision: 0 });
    expect(clone.data.lineage).not.toBe(head.data.lineage);

    // Publish the committed revision to A's group (R-PUB-2 takes the MCIs along).
    const pubHref = expectCreated(
      await des.call('POST', `${r1Href}/publish`, {
        account_group_hrefs: [`/api/account_groups/${groupId}`],
        descriptions: { short: 'A web server', long: 'Longer words', notes: 'first release' },
        categories: ['web'],
        allow_comments: 'false',
        email_comments: 'false',
      }),
      /^\/api\/publications\/[^/]+$/,
    );

    // R-MCI-7's guard: a published lineage is not destroyed.
    expectRsError(await des.call('DELETE', stHref), 422, 'ActionNotAllowed', /is published/);

    // B sees it in the marketplace and imports it.
    const listed = await lib.call('GET', '/api/publications', { filter: ['name==RS Web'] });
    expect(listed.status).toBe(200);
    expect(listed.headers['content-type']).toBe(
      'application/vnd.rightscale.publication+json;type=collection',
    );
    expect(listed.data).toHaveLength(1);
    const publication = (await lib.call('GET', pubHref)).data;
    expect(publication).toEqual({
      name: 'RS Web',
      description: 'A web server',
      revision: 1,
      content_type: 'ServerTemplate',
      revision_notes: 'first release',
      publisher: 'Template Publisher',
      created_at: expect.stringMatching(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000$/),
      links: [{ rel: 'self', href: pubHref }],
      actions: [{ rel: 'import' }],
    });
    expect(listed.data[0]).toEqual(publication);
    expect((await outsider.call('GET', pubHref)).body).toMatch(/^ResourceNotFound: .*Publication/);

    const imported = expectCreated(
      await lib.call('POST', `${pubHref}/import`),
      /^\/api\/server_templates\/[^/]+$/,
    );
    const copy = await lib.call('GET', imported);
    expect(copy.data).toMatchObject({ name: 'RS Web', revision: 1 });
    expect(linkOf(copy.data, 'publication')).toBe(pubHref);
    expect(actionsOf(copy.data)).toEqual(['clone']);
    const again = await lib.call('POST', `${pubHref}/import`);
    expect(again.status).toBe(200); // R-IMP-2: the existing copy
    expect(location(again)).toBe(imported);

    // One truth: /v1 reads what /api made.
    const v1Copy = await h.call('GET', v1(B, `/server-templates/${idOf(imported)}`));
    expect(v1Copy.data).toMatchObject({ revision: 1, importedFrom: idOf(pubHref) });
    expect(v1Copy.data.links).toHaveLength(2);
    const v1Head = await h.call('GET', v1(A, `/server-templates/${idOf(stHref)}`));
    expect(v1Head.data.links.map((l: any) => [l.id, l.isDefault])).toEqual([
      [idOf(first), false],
      [idOf(second), true],
    ]);
  });

  it('R-RS: update renames the HEAD (204; /v1 reads it), destroy answers 204 and the template is gone', async () => {
    const href = await createTemplate('RS Rename');
    const updated = await des.call(
      'PUT',
      href,
      { server_template: { name: 'RS Renamed', description: 'new words' } },
      { form: true },
    );
    expect(updated.status, updated.body).toBe(204);
    expect((await h.call('GET', v1(A, `/server-templates/${idOf(href)}`))).data).toMatchObject({
      name: 'RS Renamed',
      description: 'new words',
    });
    const gone = await des.call('DELETE', href);
    expect(gone.status, gone.body).toBe(204);
    expectRsError(await des.call('GET', href), 422, 'ResourceNotFound', /ServerTemplate with ID=/);
    expect((await h.call('GET', v1(A, `/server-templates/${idOf(href)}`))).statusCode).toBe(404);
  });

  it('R-RS: index filters by partial name, description, revision, lineage and multi_cloud_image_href; unknown filters are 400', async () => {
    const m = await mci('RS Filter MCI');
    const href = await createTemplate('RS Filter Alpha', 'Needle in a haystack');
    await createTemplate('RS Filter Beta');
    expect((await attach(href, m.id)).status).toBe(201);
    const names = async (filter: string[]) => {
      const res = await des.call('GET', '/api/server_templates', { filter });
      expect(res.status, res.body).toBe(200);
      return res.data.map((t: any) => t.name).sort();
    };
    expect(await names(['name==rs filter'])).toEqual(['RS Filter Alpha', 'RS Filter Beta']);
    expect(await names(['name==filter', 'name<>beta'])).toEqual(['RS Filter Alpha']);
    expect(await names(['description==NEEDLE'])).toEqual(['RS Filter Alpha']);
    expect(
      await names(['name==RS Filter', `multi_cloud_image_href==/api/multi_cloud_images/${m.id}`]),
    ).toEqual(['RS Filter Alpha']);
    expect(await names(['name==RS Filter', 'revision==1'])).toEqual([]);
    const lineage = (await des.call('GET', href)).data.lineage;
    expect(await names([`lineage==${lineage}`])).toEqual(['RS Filter Alpha']);
    const all = await des.call('GET', '/api/server_templates');
    expect(all.headers['content-type']).toBe(
      'application/vnd.rightscale.server_template+json;type=collection',
    );
    expect(all.data.every((t: any) => typeof t.revision === 'number')).toBe(true);
    expectRsError(
      await des.call('GET', '/api/server_templates', { filter: ['cloud_href==x'] }),
      400,
      'InvalidParameter',
      /cloud_href/,
    );
    expectRsError(await des.call('GET', href, { view: 'tiny' }), 400, 'InvalidParameter', /view/);
    // right_st shows templates with view=inputs_2_0: no inputs here, said as an empty list.
    expect((await des.call('GET', href, { view: 'inputs_2_0' })).data.inputs).toEqual([]);

    const byMci = await des.call('GET', '/api/server_template_multi_cloud_images', {
      filter: [`multi_cloud_image_href==/api/multi_cloud_images/${m.id}`, 'is_default==1'],
    });
    expect(byMci.data).toHaveLength(1);
    expect(linkOf(byMci.data[0], 'server_template')).toBe(href);
    const notDefault = await des.call('GET', '/api/server_template_multi_cloud_images', {
      filter: [`server_template_href==${href}`, 'is_default==0'],
    });
    expect(notDefault.data).toEqual([]);
  });

  it('R-ST-1, R-ST-2: link refusals reach API 1.5 as 422 ActionNotAllowed; removing a non-default link is 204', async () => {
    const m = await mci('RS Link MCI');
    const other = await mci('RS Link Other');
    const href = await createTemplate('RS Links');
    const defaultLink = location(await attach(href, m.id));
    // R-ST-1: a second revision of the same MCI lineage.
    const r1 = await h.call('POST', v1(A, `/mcis/${m.id}/commit`), {
      token: desToken,
      body: { message: 'v1' },
    });
    expectRsError(await attach(href, r1.data.id), 422, 'ActionNotAllowed', /already links a revision/);
    // R-ST-2: the last link, then the default while another exists.
    expectRsError(await des.call('DELETE', defaultLink), 422, 'ActionNotAllowed', /last link/);
    const otherLink = location(await attach(href, other.id));
    expectRsError(await des.call('DELETE', defaultLink), 422, 'ActionNotAllowed', /default MCI/);
    expect((await des.call('DELETE', otherLink)).status).toBe(204);
    expectRsError(await des.call('GET', otherLink), 422, 'ResourceNotFound', /ServerTemplateMultiCloudImage/);
  });

  it('R-ST-4: commit needs a link and a message; a committed revision is not edited (422)', async () => {
    const href = await createTemplate('RS Empty');
    expectRsError(
      await des.call('POST', `${href}/commit`, {
        commit_message: 'nothing yet',
        commit_head_dependencies: 'false',
        freeze_repositories: 'false',
      }),
      422,
      'ActionNotAllowed',
      /links no MCI/,
    );
    expectRsError(await des.call('POST', `${href}/commit`, {}), 400, 'InvalidParameter', /commit_message/);
    const m = await mci('RS Commit MCI');
    await attach(href, m.id);
    const r1 = location(
      await des.call('POST', `${href}/commit`, { commit_message: 'one', commit_head_dependencies: 'true' }),
    );
    expectRsError(
      await des.call('PUT', r1, { server_template: { name: 'nope' } }),
      422,
      'ActionNotAllowed',
      /immutable/,
    );
    expectRsError(await attach(r1, m.id), 422, 'ActionNotAllowed', /immutable/);
  });

  it('R-PUB-1, R-PUB-2: publishing a HEAD, or a revision linking HEAD MCIs, is refused as 422', async () => {
    const m = await mci('RS Pub HEAD MCI');
    const href = await createTemplate('RS Pub refused');
    await attach(href, m.id);
    const body = { descriptions: { short: 'x', long: 'y', notes: 'z' } };
    expectRsError(await des.call('POST', `${href}/publish`, body), 422, 'ActionNotAllowed', /is a HEAD/);
    // Committed without its HEAD MCI: the link still names the HEAD (R-PUB-2).
    const r1 = location(
      await des.call('POST', `${href}/commit`, { commit_message: 'one', commit_head_dependencies: 'false' }),
    );
    expectRsError(await des.call('POST', `${r1}/publish`, body), 422, 'ActionNotAllowed', /links HEAD MCIs/);
    expectRsError(
      await des.call('POST', `${r1}/publish`, { ...body, account_group_hrefs: ['/api/clouds/1'] }),
      400,
      'InvalidParameter',
      /account_group_hrefs\[0\]/,
    );
  });

  it('R-RS: an observer reads but is refused writes with 403; another account’s template is 422 ResourceNotFound', async () => {
    const href = await createTemplate('RS Private');
    expect((await obs.call('GET', href)).status).toBe(200);
    expect(actionsOf((await obs.call('GET', href)).data)).toEqual([]);
    expectRsError(
      await obs.call('POST', '/api/server_templates', { server_template: { name: 'x' } }),
      403,
      'PermissionDenied',
    );
    expectRsError(
      await obs.call('POST', `${href}/clone`, { server_template: { name: 'x' } }),
      403,
      'PermissionDenied',
    );
    expectRsError(await outsider.call('GET', href), 422, 'ResourceNotFound', /ServerTemplate with ID=/);
    expectRsError(await outsider.call('DELETE', href), 422, 'ResourceNotFound');
    const m = await h.build.mci(C.id, { name: 'RS C MCI' });
    expectRsError(await attach(href, m.id, outsider), 422, 'ResourceNotFound');
    expectRsError(
      await des.call('POST', '/api/server_templates', { server_template: { description: 'no name' } }),
      400,
      'InvalidParameter',
      /server_template\[name\]/,
    );
  });

  it('R-RS: account_groups index and show name the groups the account owns or belongs to', async () => {
    const own = await des.call('GET', '/api/account_groups');
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe('application/vnd.rightscale.account_group+json;type=collection');
    expect(own.data).toEqual([
      {
        name: 'RS partners',
        description: 'who may import',
        created_at: expect.stringMatching(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000$/),
        links: [
          { rel: 'self', href: `/api/account_groups/${groupId}` },
          { rel: 'account', href: `/api/accounts/${des.accountNumber}` },
        ],
        actions: [],
      },
    ]);
    expect((await lib.call('GET', `/api/account_groups/${groupId}`)).data).toEqual(own.data[0]);
    expectRsError(
      await outsider.call('GET', `/api/account_groups/${groupId}`),
      422,
      'ResourceNotFound',
      /AccountGroup/,
    );
  });
});

describe('API 1.5 template parts the service has none of (R-RS)', () => {
  it('R-RS: inputs, alert_specs and runnable_bindings are linked and empty; setting inputs is refused', async () => {
    const st = await createTemplate('rs no scripts');
    const shown = await obs.call('GET', st);
    for (const [rel, type] of [
      ['inputs', 'input'],
      ['alert_specs', 'alert_spec'],
      ['runnable_bindings', 'runnable_binding'],
    ]) {
      expect(linkOf(shown.data, rel)).toBe(`${st}/${rel}`);
      const listed = await obs.call('GET', `${st}/${rel}`);
      expect(listed.status, listed.body).toBe(200);
      expect(listed.headers['content-type']).toBe(`application/vnd.rightscale.${type}+json;type=collection`);
      expect(listed.data).toEqual([]);
      expectRsError(await outsider.call('GET', `${st}/${rel}`), 422, 'ResourceNotFound', /ServerTemplate/);
    }
    expect((await obs.call('GET', `${st}/inputs`, { view: 'inputs_2_0' })).data).toEqual([]);
    expectRsError(
      await des.call('PUT', `${st}/inputs/multi_update`, { inputs: { FOO: 'text:bar' } }),
      422,
      'ActionNotAllowed',
      /no inputs/,
    );
  });
});
