import { authorizeAccount, DomainError, NotFoundError } from '@mci/core';
import { rs15Repository, serverRepository } from '@mci/db';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import * as catalog from '../../modules/catalog/catalog.service.ts';
import * as deployments from '../../modules/deployment/deployment.service.ts';
import * as groups from '../../modules/marketplace/groups.service.ts';
import * as pubs from '../../modules/marketplace/publication.service.ts';
import { mciRevisions } from '../../modules/mci/mci.kind.ts';
import * as templates from '../../modules/template/template.service.ts';
import {
  callerOf,
  kindOfHref,
  paramsOf,
  parseParams,
  pathOf,
  RsError,
  rsList,
  sendCollection,
  sendNoContent,
  type HrefKind,
  type RsCaller,
} from './wire.ts';

/** A plain tag (`web`) or a machine tag (`namespace:predicate=value`), as API 1.5 takes them. */
const tagText = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() : v),
  z.string().min(1, 'must not be blank').max(255).regex(/^\S+$/, 'must not contain white space'),
);

const hrefList = rsList(z.string().trim().min(1, 'must not be blank').max(1000), 1000);

const byResourceFields = z.object({
  resource_hrefs: hrefList.refine((l) => l.length > 0, 'must not be empty'),
});
const changeFields = byResourceFields.extend({
  tags: rsList(tagText, 100).refine((l) => l.length > 0, 'must not be empty'),
});

type Check = (ctx: AppContext, caller: RsCaller, ids: string[]) => Promise<unknown>;

/** How each kind of href is found in the caller's account (the services' own reads). */
const EXISTS: Partial<Record<HrefKind, Check>> = {
  account: async (_ctx, caller, [n]) => {
    if (Number(n) !== caller.accountNumber) throw new NotFoundError('account', n);
  },
  cloud: (ctx, _caller, [c]) => catalog.getCloud(ctx, c),
  image: (ctx, caller, [c, id]) => catalog.getImage(ctx, caller.principal, c, id),
  instanceType: (ctx, _caller, [c, id]) => catalog.getInstanceType(ctx, c, id),
  mci: (ctx, caller, [id]) => mciRevisions.get(ctx, caller.principal, caller.accountId, id),
  serverTemplate: (ctx, caller, [id]) => templates.getTemplate(ctx, caller.principal, caller.accountId, id),
  publication: (ctx, caller, [id]) => pubs.getPublication(ctx, caller.principal, caller.accountId, id),
  accountGroup: (ctx, caller, [id]) => groups.getGroup(ctx, caller.principal, caller.accountId, id),
  deployment: (ctx, caller, [id]) => deployments.getDeployment(ctx, caller.principal, caller.accountId, id),
  server: async (ctx, caller, [id]) => {
    const server = await serverRepository.findServer(ctx.db, id);
    if (server?.accountId !== caller.accountId) throw new NotFoundError('server', id);
  },
};

/** Whether an href names a resource the caller's account can see (tags are kept per account). */
async function exists(ctx: AppContext, caller: RsCaller, href: string): Promise<boolean> {
  const named = kindOfHref(href);
  const check = named && EXISTS[named.kind];
  if (!check) return false;
  try {
    await check(ctx, caller, named.ids);
    return true;
  } catch (error) {
    // Unknown, or not the caller's to see (another account's is not found, R-ACC).
    if (error instanceof DomainError) return false;
    throw error;
  }
}

/** Every href must name a resource before any tag changes (API 1.5: one unknown → nothing changes). */
async function requireAll(ctx: AppContext, caller: RsCaller, list: readonly string[]): Promise<string[]> {
  const paths = [...new Set(list.map(pathOf))];
  const missing: string[] = [];
  for (const href of paths) if (!(await exists(ctx, caller, href))) missing.push(href);
  if (missing.length > 0)
    throw new RsError(422, 'ResourceNotFound', `Couldn't find resources with hrefs ${missing.join(', ')}`);
  return paths;
}

/**
 * API 1.5 tags (R-RS): `by_resource` (one entry per href asked for, an empty one for an href
 * with no tags or that names nothing), `multi_add` and `multi_delete` (all hrefs checked first;
 * actor role). Tags belong to the caller's account and go with the resource when it is destroyed.
 */
export function tagsRoutes(api: FastifyInstance, ctx: AppContext): void {
  api.post('/tags/by_resource', async (request, reply) => {
    const caller = callerOf(request);
    const { resource_hrefs: list } = parseParams(byResourceFields, paramsOf(request));
    const paths = list.map(pathOf);
    const found = await rs15Repository.tagsOf(ctx.db, caller.accountId, paths);
    const entries = [...new Set(paths)].map((href) => ({
      tags: (found.get(href) ?? []).map((name) => ({ name })),
      links: [{ rel: 'resource', href }],
      actions: [],
    }));
    return sendCollection(reply, 'resource_tag', entries);
  });

  api.post('/tags/multi_add', async (request, reply) => {
    const caller = callerOf(request);
    authorizeAccount(caller.principal, caller.accountId, 'server.write');
    const p = parseParams(changeFields, paramsOf(request));
    const paths = await requireAll(ctx, caller, p.resource_hrefs);
    await rs15Repository.addTags(ctx.db, caller.accountId, paths, [...new Set(p.tags)]);
    return sendNoContent(reply);
  });

  api.post('/tags/multi_delete', async (request, reply) => {
    const caller = callerOf(request);
    authorizeAccount(caller.principal, caller.accountId, 'server.write');
    const p = parseParams(changeFields, paramsOf(request));
    const paths = await requireAll(ctx, caller, p.resource_hrefs);
    await rs15Repository.removeTags(ctx.db, caller.accountId, paths, p.tags);
    return sendNoContent(reply);
  });
}
