import {
  assertRemovable,
  assertSameLineage,
  authorizeAccount,
  byPosition,
  newerInMarketplaceNotice,
  NotFoundError,
  planNewLink,
  supportedClouds,
  type Principal,
} from '@mci/core';
import {
  marketplaceRepository,
  mciRepository,
  placementRepository,
  templateRepository,
  type Executor,
  type TemplateRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { requireMci } from '../mci/mci.service.ts';
import type { HeadFields } from '../revision/revision.service.ts';
import { templateRevisions } from './template.kind.ts';

/** A template revision of the account, or 404. */
export const requireTemplate = (db: Executor, accountId: string, id: string): Promise<TemplateRecord> =>
  templateRevisions.requireOwn(db, accountId, id);

/** R-ST-1/2: links one MCI revision of the account to a HEAD template; returns the link id. */
async function linkMci(tx: Executor, template: TemplateRecord, mciId: string): Promise<string> {
  const mci = await requireMci(tx, template.accountId, mciId);
  const plan = planNewLink(template.links, mci);
  const linkId = await templateRepository.insertLink(tx, template.id, {
    mciId: mci.id,
    mciLineageId: mci.lineageId,
    ...plan,
  });
  template.links.push({
    id: linkId,
    mciId: mci.id,
    mciLineageId: mci.lineageId,
    mciName: mci.name,
    mciRevision: mci.revision,
    newerRevision: null,
    ...plan,
  });
  return linkId;
}

/** Creates a template HEAD linking the given MCIs in order (the first is the default). */
export function createTemplate(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: HeadFields & { mciIds: string[] },
) {
  const { mciIds, ...fields } = input;
  return templateRevisions.create(ctx, principal, accountId, fields, async ({ tx }, head) => {
    for (const mciId of mciIds) await linkMci(tx, head, mciId);
    return [];
  });
}

/** A readable template revision; an own HEAD also says where the marketplace has newer MCIs. */
export async function getTemplate(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  const template = await templateRevisions.get(ctx, principal, accountId, id);
  if (template.revision !== 0 || template.accountId !== accountId) return template;
  return { ...template, links: await withMarketplaceNotices(ctx.db, accountId, template.links) };
}

/** R-VC-3: for links to imported MCIs, the newest active revision the marketplace offers, if newer. */
async function withMarketplaceNotices(db: Executor, accountId: string, links: TemplateRecord['links']) {
  const mcis = await mciRepository.findMany(
    db,
    links.map((l) => l.mciId),
  );
  return Promise.all(
    links.map(async (link) => {
      const importedFrom = mcis.find((m) => m.id === link.mciId)?.importedFrom;
      if (!importedFrom) return { ...link, newerInMarketplace: null };
      const pub = await marketplaceRepository.findPublication(db, importedFrom);
      const newest = pub && (await marketplaceRepository.newestVisibleRevision(db, pub.lineageId, accountId));
      return { ...link, newerInMarketplace: newerInMarketplaceNotice(link.mciRevision, newest ?? null) };
    }),
  );
}

function requireLink(t: TemplateRecord, linkId: string) {
  const link = t.links.find((l) => l.id === linkId);
  if (!link) throw new NotFoundError('MCI link', linkId);
  return link;
}

/** R-ST-1/2: links an MCI revision to the HEAD; answers the new link and the HEAD's version. */
export async function addLink(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  mciId: string,
  expected?: number,
) {
  const { head, value } = await templateRevisions.editHead(
    ctx,
    principal,
    accountId,
    id,
    expected,
    async ({ tx }, t) => {
      const linkId = await linkMci(tx, t, mciId);
      return { action: 'link.add', summary: `linked MCI ${mciId} to "${t.name}"`, value: linkId };
    },
  );
  return { template: head, link: requireLink(head, value!) };
}

/** R-ST-1: points a link at another revision of the same MCI lineage. */
export async function changeLink(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  linkId: string,
  mciId: string,
  expected?: number,
) {
  return templateRevisions.edit(ctx, principal, accountId, id, expected, async ({ tx }, t) => {
    const link = requireLink(t, linkId);
    const mci = await requireMci(tx, accountId, mciId);
    assertSameLineage(link, mci);
    await templateRepository.updateLink(tx, linkId, { mciId: mci.id });
    return {
      action: 'link.change',
      summary: `pointed the link to "${mci.name}" at revision ${mci.revision}`,
    };
  });
}

/** R-ST-2: moves the default to a link (If-Match like every other HEAD edit). */
export async function makeDefault(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  linkId: string,
  expected?: number,
) {
  return templateRevisions.edit(ctx, principal, accountId, id, expected, async ({ tx }, t) => {
    const link = requireLink(t, linkId);
    await templateRepository.setDefaultLink(tx, id, linkId);
    return { action: 'link.default', summary: `made "${link.mciName}" the default MCI of "${t.name}"` };
  });
}

/** R-ST-2: removes a link unless it is the default (while others exist) or the last one. */
export async function removeLink(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  linkId: string,
  expected?: number,
) {
  return templateRevisions.edit(ctx, principal, accountId, id, expected, async ({ tx }, t) => {
    const link = requireLink(t, linkId);
    assertRemovable(t.links, link);
    await templateRepository.deleteLink(tx, linkId);
    return { action: 'link.remove', summary: `unlinked "${link.mciName}" from "${t.name}"` };
  });
}

/** The template's links with their MCIs' settings, for R-ST-3 and R-SRV-2. */
export async function linksWithSettings(db: Executor, t: TemplateRecord) {
  const mcis = new Map(
    (
      await mciRepository.findMany(
        db,
        t.links.map((l) => l.mciId),
      )
    ).map((m) => [m.id, m]),
  );
  return byPosition(t.links).map((l) => ({ ...l, settings: mcis.get(l.mciId)!.settings }));
}

/** The clouds named by the links' settings, by id (the names come with the settings). */
export function cloudsOfLinks(links: Awaited<ReturnType<typeof linksWithSettings>>) {
  return new Map(
    links.flatMap((l) => l.settings.map((s) => [s.cloudId, { id: s.cloudId, name: s.cloudName }] as const)),
  );
}

/** R-ST-3: supported clouds, each with the MCI a new server there would use. */
export async function templateClouds(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'account.read');
  const coverage = await placementRepository.templateCoverage(ctx.db, id);
  if (!coverage || coverage.templateAccountId !== accountId) throw new NotFoundError('server template', id);
  return { items: supportedClouds(coverage.links, coverage.clouds), nextCursor: null };
}
