import {
  assertEditable,
  assertRemovable,
  assertSameLineage,
  authorizeAccount,
  byPosition,
  decodeNameIdCursor,
  InputError,
  NotFoundError,
  planNewLink,
  supportedClouds,
  toPage,
  type Page,
  type Principal,
  type Warning,
} from '@mci/core';
import {
  marketplaceRepository,
  mciRepository,
  templateRepository,
  type Executor,
  type TemplateRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { audit } from '../audit/audit.service.ts';
import { assertVersion } from '../../http/etag.ts';
import { commitMciIn, requireMci } from '../mci/mci.service.ts';

/** A template revision the account can read: its own or one published to it. */
export async function requireReadableTemplate(
  db: Executor,
  accountId: string,
  id: string,
): Promise<TemplateRecord> {
  const template = await templateRepository.find(db, id);
  if (
    template &&
    (template.accountId === accountId || (await marketplaceRepository.sourceVisibleTo(db, id, accountId)))
  ) {
    return template;
  }
  throw new NotFoundError('server template', id);
}

export async function requireTemplate(db: Executor, accountId: string, id: string): Promise<TemplateRecord> {
  const template = await templateRepository.find(db, id);
  if (!template || template.accountId !== accountId) throw new NotFoundError('server template', id);
  return template;
}

function auditOf(
  db: Executor,
  principal: Principal,
  t: { id: string; accountId: string },
  action: string,
  summary: string,
) {
  return audit(db, principal, t.accountId, 'server_template', t.id, action, summary);
}

async function editableHead(
  tx: Executor,
  principal: Principal,
  accountId: string,
  id: string,
  expected?: number,
): Promise<TemplateRecord> {
  authorizeAccount(principal, accountId, 'template.write');
  const template = await requireTemplate(tx, accountId, id);
  assertEditable(template, 'ServerTemplate');
  assertVersion(template, expected);
  return template;
}

/** R-ST-1/2: links one MCI revision of the account to a HEAD template. */
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

export async function createTemplate(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: { name: string; description: string; tags: string[]; mciIds: string[] },
): Promise<TemplateRecord> {
  authorizeAccount(principal, accountId, 'template.write');
  return ctx.db.transaction(async (tx) => {
    const lineageId = await templateRepository.insertLineage(tx, accountId);
    const id = await templateRepository.insertRevision(tx, {
      lineageId,
      revision: 0,
      accountId,
      name: input.name,
      description: input.description,
      tags: input.tags,
    });
    const template = (await templateRepository.find(tx, id))!;
    for (const mciId of input.mciIds) await linkMci(tx, template, mciId);
    await auditOf(tx, principal, template, 'template.create', `created ServerTemplate "${input.name}"`);
    return (await templateRepository.find(tx, id))!;
  });
}

export async function getTemplate(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'account.read');
  const template = await requireReadableTemplate(ctx.db, accountId, id);
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
      return {
        ...link,
        newerInMarketplace:
          newest && newest.revision > link.mciRevision
            ? { publicationId: newest.id, revision: newest.revision }
            : null,
      };
    }),
  );
}

export async function listTemplates(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  query: { limit: number; cursor?: string; q?: string; lineageId?: string; revision?: number },
): Promise<Page<TemplateRecord>> {
  authorizeAccount(principal, accountId, 'account.read');
  const after = decodeNameIdCursor(query.cursor);
  const rows = await templateRepository.list(ctx.db, { ...query, accountId, after });
  return toPage(rows, query.limit, (t) => [t.name, t.id]);
}

export async function updateTemplate(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  patch: { name?: string; description?: string; tags?: string[] },
  expected?: number,
) {
  return ctx.db.transaction(async (tx) => {
    const t = await editableHead(tx, principal, accountId, id, expected);
    await templateRepository.updateRevision(tx, id, patch);
    await auditOf(
      tx,
      principal,
      t,
      'template.update',
      `changed ${Object.keys(patch).join(', ')} of "${t.name}"`,
    );
    return (await templateRepository.find(tx, id))!;
  });
}

export async function deleteTemplate(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'template.write');
  await ctx.db.transaction(async (tx) => {
    const t = await requireTemplate(tx, accountId, id);
    await templateRepository.deleteLineage(tx, t.lineageId);
    await auditOf(
      tx,
      principal,
      t,
      'template.delete',
      `deleted ServerTemplate "${t.name}" and all its revisions`,
    );
  });
}

export async function addLink(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  mciId: string,
  expected?: number,
) {
  return ctx.db.transaction(async (tx) => {
    const t = await editableHead(tx, principal, accountId, id, expected);
    const linkId = await linkMci(tx, t, mciId);
    await templateRepository.updateRevision(tx, id, {});
    await auditOf(tx, principal, t, 'template.link.add', `linked MCI ${mciId} to "${t.name}"`);
    return { template: (await templateRepository.find(tx, id))!, linkId };
  });
}

function requireLink(t: TemplateRecord, linkId: string) {
  const link = t.links.find((l) => l.id === linkId);
  if (!link) throw new NotFoundError('MCI link', linkId);
  return link;
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
  return ctx.db.transaction(async (tx) => {
    const t = await editableHead(tx, principal, accountId, id, expected);
    const link = requireLink(t, linkId);
    const mci = await requireMci(tx, accountId, mciId);
    assertSameLineage(link, mci);
    await templateRepository.updateLink(tx, linkId, { mciId: mci.id });
    await templateRepository.updateRevision(tx, id, {});
    await auditOf(
      tx,
      principal,
      t,
      'template.link.change',
      `pointed the link to "${mci.name}" at revision ${mci.revision}`,
    );
    return (await templateRepository.find(tx, id))!;
  });
}

/** R-ST-2: moves the default to a link. */
export async function makeDefault(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  linkId: string,
) {
  return ctx.db.transaction(async (tx) => {
    const t = await editableHead(tx, principal, accountId, id);
    const link = requireLink(t, linkId);
    await templateRepository.setDefaultLink(tx, id, linkId);
    await templateRepository.updateRevision(tx, id, {});
    await auditOf(
      tx,
      principal,
      t,
      'template.link.default',
      `made "${link.mciName}" the default MCI of "${t.name}"`,
    );
    return (await templateRepository.find(tx, id))!;
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
  return ctx.db.transaction(async (tx) => {
    const t = await editableHead(tx, principal, accountId, id, expected);
    const link = requireLink(t, linkId);
    assertRemovable(t.links, link);
    await templateRepository.deleteLink(tx, linkId);
    await templateRepository.updateRevision(tx, id, {});
    await auditOf(tx, principal, t, 'template.link.remove', `unlinked "${link.mciName}" from "${t.name}"`);
    return (await templateRepository.find(tx, id))!;
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
  const t = await requireTemplate(ctx.db, accountId, id);
  const links = await linksWithSettings(ctx.db, t);
  return { items: supportedClouds(links, cloudsOfLinks(links)), nextCursor: null };
}

/**
 * R-ST-4: commits the HEAD template. With `commitHeadDependencies`, each linked HEAD MCI is
 * committed first (same message) and its link re-pointed; without, links to HEAD MCIs stay and
 * the response warns. One transaction.
 */
export async function commitTemplate(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: { message: string; commitHeadDependencies: boolean },
) {
  authorizeAccount(principal, accountId, 'template.write');
  return ctx.db.transaction(async (tx) => {
    const head = await requireTemplate(tx, accountId, id);
    assertEditable(head, 'ServerTemplate');
    if (head.links.length === 0) {
      throw new InputError(
        'no_links',
        `ServerTemplate ${id} links no MCI; link at least one before committing`,
      );
    }
    const warnings: Warning[] = [];
    for (const link of byPosition(head.links).filter((l) => l.mciRevision === 0)) {
      if (input.commitHeadDependencies) {
        const mciHead = await requireMci(tx, accountId, link.mciId);
        const committed = await commitMciIn(tx, principal, mciHead, input.message, ctx.clock());
        await templateRepository.updateLink(tx, link.id, { mciId: committed.id });
      } else {
        warnings.push({
          code: 'links_head_mci',
          message: `the committed revision links the HEAD of MCI "${link.mciName}" (${link.mciId}), which can still change; commit it and re-point the link, or commit with commitHeadDependencies`,
        });
      }
    }
    const revision = await templateRepository.nextRevisionNumber(tx, head.lineageId);
    const newId = await templateRepository.insertRevision(tx, {
      lineageId: head.lineageId,
      revision,
      accountId,
      name: head.name,
      description: head.description,
      tags: head.tags,
      commitMessage: input.message,
      committedBy: principal.userId,
      committedAt: ctx.clock(),
      baseRevision: head.baseRevision,
      clonedFrom: head.clonedFrom,
    });
    await templateRepository.copyLinks(tx, head.id, newId);
    await templateRepository.updateRevision(tx, head.id, { baseRevision: revision });
    await auditOf(
      tx,
      principal,
      { id: newId, accountId },
      'template.commit',
      `committed "${head.name}" as revision ${revision}: ${input.message}`,
    );
    return { ...(await templateRepository.find(tx, newId))!, warnings };
  });
}

export async function cloneTemplate(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: { name: string; description?: string },
) {
  authorizeAccount(principal, accountId, 'template.write');
  return ctx.db.transaction(async (tx) => {
    const source = await requireTemplate(tx, accountId, id);
    const lineageId = await templateRepository.insertLineage(tx, accountId);
    const cloneId = await templateRepository.insertRevision(tx, {
      lineageId,
      revision: 0,
      accountId,
      name: input.name,
      description: input.description ?? source.description,
      tags: source.tags,
      clonedFrom: source.id,
    });
    await templateRepository.copyLinks(tx, source.id, cloneId);
    await auditOf(
      tx,
      principal,
      { id: cloneId, accountId },
      'template.clone',
      `cloned "${source.name}" r${source.revision} as "${input.name}"`,
    );
    return (await templateRepository.find(tx, cloneId))!;
  });
}

export async function templateRevisions(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
) {
  authorizeAccount(principal, accountId, 'account.read');
  const t = await requireTemplate(ctx.db, accountId, id);
  return { items: await templateRepository.revisions(ctx.db, t.lineageId), nextCursor: null };
}
