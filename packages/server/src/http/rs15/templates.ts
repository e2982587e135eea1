import { NotFoundError } from '@mci/core';
import { rs15Repository, type TemplateRecord } from '@mci/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import * as groups from '../../modules/marketplace/groups.service.ts';
import { importPublication } from '../../modules/marketplace/import.service.ts';
import * as pubs from '../../modules/marketplace/publication.service.ts';
import { templateRevisions } from '../../modules/template/template.kind.ts';
import * as templates from '../../modules/template/template.service.ts';
import {
  lineageIdOf,
  lineageOf,
  presentAccountGroup,
  presentPublication,
  presentTemplate,
  presentTemplateMci,
  TEMPLATE_VIEWS,
  type Viewer,
} from './templates-presenter.ts';
import {
  allPages,
  callerOf,
  exactFilter,
  hrefs,
  idOfHref,
  matchesFilters,
  paramsOf,
  parseFilters,
  parseParams,
  parseView,
  partialFilter,
  RsError,
  pathOf,
  rsBoolean,
  rsList,
  rsName,
  rsText,
  sendCollection,
  sendCreated,
  sendNoContent,
  sendResource,
  type RsFilter,
} from './wire.ts';

type WithId = { Params: { id: string } };

const PAGE = 500;

/** Filters on fields a resource has several values of (a template's MCIs): any value matches. */
function matchesAny(filters: readonly RsFilter[], field: string, values: readonly string[]): boolean {
  return filters.filter((f) => f.field === field).every((f) => values.includes(pathOf(f.value)) !== f.negate);
}

const intOf = (value: string | undefined) =>
  value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;

async function numbersOf(ctx: AppContext, accountIds: readonly string[]): Promise<Map<string, number>> {
  return rs15Repository.numbersOfAccounts(ctx.db, [...new Set(accountIds)]);
}

const TEMPLATE_FILTERS = {
  name: { partial: true },
  description: { partial: true },
  revision: {},
  lineage: {},
  multi_cloud_image_href: {},
};

const TEMPLATE_MCI_FILTERS = { is_default: {}, server_template_href: {}, multi_cloud_image_href: {} };

const PUBLICATION_FILTERS = {
  publisher: { partial: true },
  name: { partial: true },
  description: { partial: true },
  revision: {},
};

const templateFields = z.object({
  server_template: z.object({ name: rsName(), description: rsText().optional() }),
});

const updateFields = z.object({
  server_template: z.object({ name: rsName().optional(), description: rsText().optional() }),
});

const commitFields = z.object({
  commit_message: rsName(1000),
  commit_head_dependencies: rsBoolean.optional(),
  // API 1.5 freezes Chef repositories here; the service has none, so there is nothing to freeze.
  freeze_repositories: rsBoolean.optional(),
});

const publishFields = z.object({
  account_group_hrefs: rsList(z.string(), 100).optional(),
  descriptions: z.object({
    short: rsName(280),
    long: rsText().optional(),
    notes: rsText().optional(),
  }),
  categories: rsList(rsName(50), 20).optional(),
  // The marketplace has no comments: accepted, and nothing follows from them.
  allow_comments: rsBoolean.optional(),
  email_comments: rsBoolean.optional(),
});

const templateMciFields = z.object({
  server_template_multi_cloud_image: z.object({
    server_template_href: z.string(),
    multi_cloud_image_href: z.string(),
  }),
});

/**
 * API 1.5 ServerTemplates (index, show, create, update, destroy, clone, commit, publish), their
 * MCI links (`server_template_multi_cloud_images`), publications (index, show, import) and account
 * groups (index, show) over the template, revision and marketplace services (R-RS). The rules of
 * SPEC §3 (R-ST-1..4, R-PUB-*, R-IMP-*) are the services'; their refusals reach the client as 422.
 */
export function templatesRoutes(api: FastifyInstance, ctx: AppContext): void {
  const viewerOf = (request: FastifyRequest): Viewer => {
    const { principal, accountId } = callerOf(request);
    return { principal, accountId };
  };

  /** Every template revision of the account (API 1.5 indexes are not paged). */
  const accountTemplates = (
    viewer: Viewer,
    query: { q?: string; revision?: number; lineageId?: string } = {},
  ) =>
    allPages((cursor) =>
      templateRevisions.list(ctx, viewer.principal, viewer.accountId, { limit: PAGE, cursor, ...query }),
    );

  /** The template revision holding an MCI link of the account, or 404 (`MCI link`). */
  async function templateOfLink(viewer: Viewer, linkId: string) {
    for (const t of await accountTemplates(viewer)) {
      const link = t.links.find((l) => l.id === linkId);
      if (link) return { template: t, link };
    }
    throw new NotFoundError('MCI link', linkId);
  }

  // ------------------------------------------------------------ server_templates

  api.get('/server_templates', async (request, reply) => {
    const viewer = viewerOf(request);
    const params = paramsOf(request);
    const view = parseView(params, TEMPLATE_VIEWS);
    const filters = parseFilters(params, TEMPLATE_FILTERS);
    const lineage = exactFilter(filters, 'lineage');
    const items = await accountTemplates(viewer, {
      q: partialFilter(filters, 'name'),
      revision: intOf(exactFilter(filters, 'revision')),
      lineageId: lineage === undefined ? undefined : lineageIdOf(lineage),
    });
    const number = callerOf(request).accountNumber;
    const scalar = filters.filter((f) => f.field !== 'multi_cloud_image_href');
    const found = items.filter(
      (t) =>
        matchesFilters(scalar, (field) => {
          if (field === 'lineage') return lineageOf(number, t.lineageId);
          if (field === 'revision') return t.revision;
          return field === 'name' ? t.name : t.description;
        }) &&
        matchesAny(
          filters,
          'multi_cloud_image_href',
          t.links.map((l) => hrefs.mci(l.mciId)),
        ),
    );
    return sendCollection(
      reply,
      'server_template',
      found.map((t) => presentTemplate(t, viewer, number, view)),
    );
  });

  api.get<WithId>('/server_templates/:id', async (request, reply) => {
    const viewer = viewerOf(request);
    const view = parseView(paramsOf(request), TEMPLATE_VIEWS);
    const t = await templates.getTemplate(ctx, viewer.principal, viewer.accountId, request.params.id);
    const numbers = await numbersOf(ctx, [t.accountId]);
    return sendResource(reply, 'server_template', presentTemplate(t, viewer, numbers.get(t.accountId), view));
  });

  api.post('/server_templates', async (request, reply) => {
    const viewer = viewerOf(request);
    const { server_template: st } = parseParams(templateFields, paramsOf(request));
    const t = await templates.createTemplate(ctx, viewer.principal, viewer.accountId, {
      name: st.name,
      description: st.description ?? '',
      tags: [],
      mciIds: [],
    });
    return sendCreated(reply, hrefs.serverTemplate(t.id));
  });

  api.put<WithId>('/server_templates/:id', async (request, reply) => {
    const viewer = viewerOf(request);
    const { server_template: st } = parseParams(updateFields, paramsOf(request));
    const patch = Object.fromEntries(Object.entries(st).filter(([, v]) => v !== undefined));
    await templateRevisions.update(ctx, viewer.principal, viewer.accountId, request.params.id, patch);
    return sendNoContent(reply);
  });

  api.delete<WithId>('/server_templates/:id', async (request, reply) => {
    const viewer = viewerOf(request);
    const { id } = request.params;
    // The whole lineage goes (R-MCI-7's guard permitting), and with it every revision's tags.
    const { items: revisions } = await templateRevisions.revisions(
      ctx,
      viewer.principal,
      viewer.accountId,
      id,
    );
    await templateRevisions.remove(ctx, viewer.principal, viewer.accountId, id);
    for (const r of revisions)
      await rs15Repository.removeAllTags(ctx.db, viewer.accountId, hrefs.serverTemplate(r.id));
    return sendNoContent(reply);
  });

  api.post<WithId>('/server_templates/:id/clone', async (request, reply) => {
    const viewer = viewerOf(request);
    const { server_template: st } = parseParams(templateFields, paramsOf(request));
    const t = await templateRevisions.clone(ctx, viewer.principal, viewer.accountId, request.params.id, {
      name: st.name,
      description: st.description,
    });
    return sendCreated(reply, hrefs.serverTemplate(t.id));
  });

  api.post<WithId>('/server_templates/:id/commit', async (request, reply) => {
    const viewer = viewerOf(request);
    const p = parseParams(commitFields, paramsOf(request));
    const r = await templateRevisions.commit(ctx, viewer.principal, viewer.accountId, request.params.id, {
      message: p.commit_message,
      commitHeadDependencies: p.commit_head_dependencies ?? false,
    });
    return sendCreated(reply, hrefs.serverTemplate(r.id));
  });

  api.post<WithId>('/server_templates/:id/publish', async (request, reply) => {
    const viewer = viewerOf(request);
    const p = parseParams(publishFields, paramsOf(request));
    const groupIds = (p.account_group_hrefs ?? []).map((href, i) =>
      idOfHref('accountGroup', href, `account_group_hrefs[${i}]`),
    );
    const result = await pubs.publish(ctx, viewer.principal, viewer.accountId, {
      sourceId: request.params.id,
      // No account groups: the publication is public (the service's other visibility).
      visibility: groupIds.length ? 'groups' : 'public',
      groupIds,
      shortDescription: p.descriptions.short,
      longDescription: p.descriptions.long ?? '',
      revisionNotes: p.descriptions.notes?.trim() ? p.descriptions.notes : undefined,
      categories: p.categories ?? [],
      strict: false,
    });
    return sendCreated(reply, hrefs.publication(result.publication.id));
  });

  // ------------------------------------------------------------ server_template_multi_cloud_images

  api.get('/server_template_multi_cloud_images', async (request, reply) => {
    const viewer = viewerOf(request);
    const params = paramsOf(request);
    parseView(params, ['default']);
    const filters = parseFilters(params, TEMPLATE_MCI_FILTERS).map((f) =>
      f.field === 'is_default'
        ? { ...f, value: f.value === 'true' ? '1' : f.value === 'false' ? '0' : f.value }
        : f.field.endsWith('_href')
          ? { ...f, value: pathOf(f.value) }
          : f,
    );
    const one = exactFilter(filters, 'server_template_href');
    const scope: TemplateRecord[] = one
      ? [
          await templates.getTemplate(
            ctx,
            viewer.principal,
            viewer.accountId,
            idOfHref('serverTemplate', one, 'filter server_template_href'),
          ),
        ]
      : await accountTemplates(viewer);
    const items = scope.flatMap((t) =>
      t.links
        .filter((l) =>
          matchesFilters(filters, (field) => {
            if (field === 'is_default') return l.isDefault ? '1' : '0';
            if (field === 'server_template_href') return hrefs.serverTemplate(t.id);
            return hrefs.mci(l.mciId);
          }),
        )
        .sort((a, b) => a.position - b.position)
        .map((l) => presentTemplateMci(t, l, viewer)),
    );
    return sendCollection(reply, 'server_template_multi_cloud_image', items);
  });

  api.get<WithId>('/server_template_multi_cloud_images/:id', async (request, reply) => {
    const viewer = viewerOf(request);
    parseView(paramsOf(request), ['default']);
    const { template, link } = await templateOfLink(viewer, request.params.id);
    return sendResource(
      reply,
      'server_template_multi_cloud_image',
      presentTemplateMci(template, link, viewer),
    );
  });

  api.post('/server_template_multi_cloud_images', async (request, reply) => {
    const viewer = viewerOf(request);
    const { server_template_multi_cloud_image: p } = parseParams(templateMciFields, paramsOf(request));
    const prefix = 'server_template_multi_cloud_image';
    const templateId = idOfHref('serverTemplate', p.server_template_href, `${prefix}[server_template_href]`);
    const mciId = idOfHref('mci', p.multi_cloud_image_href, `${prefix}[multi_cloud_image_href]`);
    const { link } = await templates.addLink(ctx, viewer.principal, viewer.accountId, templateId, mciId);
    return sendCreated(reply, hrefs.serverTemplateMci(link.id));
  });

  api.delete<WithId>('/server_template_multi_cloud_images/:id', async (request, reply) => {
    const viewer = viewerOf(request);
    const { template } = await templateOfLink(viewer, request.params.id);
    await templates.removeLink(ctx, viewer.principal, viewer.accountId, template.id, request.params.id);
    await rs15Repository.removeAllTags(ctx.db, viewer.accountId, hrefs.serverTemplateMci(request.params.id));
    return sendNoContent(reply);
  });

  api.post<WithId>('/server_template_multi_cloud_images/:id/make_default', async (request, reply) => {
    const viewer = viewerOf(request);
    const { template } = await templateOfLink(viewer, request.params.id);
    await templates.makeDefault(ctx, viewer.principal, viewer.accountId, template.id, request.params.id);
    return sendNoContent(reply);
  });

  // ------------------------------------------------------------ what a template has none of

  /**
   * Inputs, alert specs and RightScript bindings: API 1.5 templates have them; the service's have
   * none (no RightScripts, no monitoring). The collections say so truthfully (empty, for a
   * template the caller can read), so clients that list them (right_st) carry on; setting
   * inputs is refused, as nothing could hold them.
   */
  const NONE = [
    ['inputs', 'input', ['default', 'inputs_2_0']],
    ['alert_specs', 'alert_spec', ['default']],
    ['runnable_bindings', 'runnable_binding', ['default', 'extended']],
  ] as const;
  for (const [path, type, views] of NONE) {
    api.get<WithId>(`/server_templates/:id/${path}`, async (request, reply) => {
      const viewer = viewerOf(request);
      parseView(paramsOf(request), views);
      await templates.getTemplate(ctx, viewer.principal, viewer.accountId, request.params.id);
      return sendCollection(reply, type, []);
    });
  }

  api.put<WithId>('/server_templates/:id/inputs/multi_update', async (request) => {
    const viewer = viewerOf(request);
    await templates.getTemplate(ctx, viewer.principal, viewer.accountId, request.params.id);
    throw new RsError(
      422,
      'ActionNotAllowed',
      'ServerTemplates here have no inputs (there are no RightScripts to declare them); see docs/API-1.5.md',
    );
  });

  // ------------------------------------------------------------ publications

  api.get('/publications', async (request, reply) => {
    const viewer = viewerOf(request);
    const params = paramsOf(request);
    parseView(params, ['default']);
    const filters = parseFilters(params, PUBLICATION_FILTERS);
    const query = { limit: PAGE, revision: intOf(exactFilter(filters, 'revision')) };
    const items = await allPages((cursor) =>
      pubs.listMarketplace(ctx, viewer.principal, viewer.accountId, { ...query, cursor }),
    );
    const found = items.filter((p) =>
      filters.every((f) => {
        if (f.field !== 'description')
          return matchesFilters([f], (field) =>
            field === 'publisher' ? p.publisherName : field === 'name' ? p.name : p.revision,
          );
        // The description filter reads both of the marketplace's descriptions.
        const hit = [p.shortDescription, p.longDescription].some((d) =>
          matchesFilters([{ ...f, negate: false }], () => d),
        );
        return hit !== f.negate;
      }),
    );
    return sendCollection(
      reply,
      'publication',
      found.map((p) => presentPublication(p, viewer)),
    );
  });

  api.get<WithId>('/publications/:id', async (request, reply) => {
    const viewer = viewerOf(request);
    parseView(paramsOf(request), ['default']);
    const pub = await pubs.getPublication(ctx, viewer.principal, viewer.accountId, request.params.id);
    return sendResource(reply, 'publication', presentPublication(pub, viewer));
  });

  api.post<WithId>('/publications/:id/import', async (request, reply) => {
    const viewer = viewerOf(request);
    const result = await importPublication(ctx, viewer.principal, viewer.accountId, request.params.id);
    const href =
      result.kind === 'mci' ? hrefs.mci(result.revision.id) : hrefs.serverTemplate(result.revision.id);
    if (result.created) return sendCreated(reply, href);
    // R-IMP-2: importing the same publication again answers the existing copy (200, not 201).
    return reply.status(200).header('location', href).type('text/plain').send('');
  });

  // ------------------------------------------------------------ account_groups

  api.get('/account_groups', async (request, reply) => {
    const viewer = viewerOf(request);
    const params = paramsOf(request);
    parseView(params, ['default']);
    parseFilters(params, {});
    const { items } = await groups.listGroups(ctx, viewer.principal, viewer.accountId);
    const numbers = await numbersOf(
      ctx,
      items.map((g) => g.ownerAccountId),
    );
    return sendCollection(
      reply,
      'account_group',
      items.map((g) => presentAccountGroup(g, numbers.get(g.ownerAccountId))),
    );
  });

  api.get<WithId>('/account_groups/:id', async (request, reply) => {
    const viewer = viewerOf(request);
    parseView(paramsOf(request), ['default']);
    const g = await groups.getGroup(ctx, viewer.principal, viewer.accountId, request.params.id);
    const numbers = await numbersOf(ctx, [g.ownerAccountId]);
    return sendResource(reply, 'account_group', presentAccountGroup(g, numbers.get(g.ownerAccountId)));
  });
}
