import { newerRevisionNotice, type McILink } from '@mci/core';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import { revisionStore, type RevisionBase, type RevisionListFilter } from './revision-store.ts';
import { mciSettings, mcis, serverTemplates, templateLineages, templateLinks } from './schema.ts';

export interface LinkView extends McILink {
  mciName: string;
  mciRevision: number;
  /** R-VC-3 (`newerRevisionNotice`): the lineage's newest committed revision, when newer than the link's. */
  newerRevision: { mciId: string; revision: number } | null;
}

export type TemplateRecord = RevisionBase & { links: LinkView[] };

async function linksOf(db: Executor, templateIds: readonly string[]): Promise<Map<string, LinkView[]>> {
  const result = new Map<string, LinkView[]>(templateIds.map((id) => [id, []]));
  if (templateIds.length === 0) return result;
  const rows = await db
    .select({
      templateId: templateLinks.templateId,
      id: templateLinks.id,
      mciId: templateLinks.mciId,
      mciLineageId: templateLinks.mciLineageId,
      isDefault: templateLinks.isDefault,
      position: templateLinks.position,
      mciName: mcis.name,
      mciRevision: mcis.revision,
      newest: sql<{ mciId: string; revision: number } | null>`(
        select json_build_object('mciId', m2.id, 'revision', m2.revision) from ${mcis} m2
        where m2.lineage_id = ${templateLinks.mciLineageId} and m2.revision > 0
        order by m2.revision desc limit 1)`,
    })
    .from(templateLinks)
    .innerJoin(mcis, eq(mcis.id, templateLinks.mciId))
    .where(inArray(templateLinks.templateId, [...templateIds]))
    .orderBy(asc(templateLinks.position));
  for (const { templateId, newest, ...link } of rows) {
    const parsed = typeof newest === 'string' ? (JSON.parse(newest) as typeof newest) : newest;
    result.get(templateId)!.push({ ...link, newerRevision: newerRevisionNotice(link, parsed) });
  }
  return result;
}

const store = revisionStore(serverTemplates, templateLineages, {
  revision: 'template',
  lineage: 'templateLineage',
});

async function withLinks(db: Executor, rows: RevisionBase[]): Promise<TemplateRecord[]> {
  const links = await linksOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, links: links.get(r.id)! }));
}

/** ServerTemplate lineages, revisions (the shared revision store) and their MCI links. */
export const templateRepository = {
  ...store,

  async findMany(db: Executor, ids: readonly string[]): Promise<TemplateRecord[]> {
    return withLinks(db, await store.findRows(db, ids));
  },

  async find(db: Executor, id: string): Promise<TemplateRecord | undefined> {
    return (await templateRepository.findMany(db, [id]))[0];
  },

  /** The account's template revisions; with `cloudId`, only those that support it (R-ST-3). */
  async list(db: Executor, f: RevisionListFilter & { cloudId?: string }): Promise<TemplateRecord[]> {
    const where = f.cloudId
      ? () => sql`exists (select 1 from ${templateLinks} l join ${mciSettings} s on s.mci_id = l.mci_id
          where l.template_id = ${serverTemplates.id} and s.cloud_id = ${f.cloudId})`
      : undefined;
    return withLinks(db, await store.listRows(db, { ...f, where }));
  },

  async insertLink(db: Executor, templateId: string, link: Omit<McILink, 'id'>): Promise<string> {
    const id = newId('link');
    await translateDbErrors('link', () => db.insert(templateLinks).values({ id, templateId, ...link }));
    return id;
  },

  async updateLink(
    db: Executor,
    linkId: string,
    patch: Partial<Pick<McILink, 'mciId' | 'isDefault' | 'position'>>,
  ): Promise<void> {
    await db.update(templateLinks).set(patch).where(eq(templateLinks.id, linkId));
  },

  /** R-ST-2: moves the default to `linkId` (clear first: one default per template at any time). */
  async setDefaultLink(db: Executor, templateId: string, linkId: string): Promise<void> {
    await db.update(templateLinks).set({ isDefault: false }).where(eq(templateLinks.templateId, templateId));
    await db.update(templateLinks).set({ isDefault: true }).where(eq(templateLinks.id, linkId));
  },

  async deleteLink(db: Executor, linkId: string): Promise<void> {
    await db.delete(templateLinks).where(eq(templateLinks.id, linkId));
  },

  async replaceAllLinks(
    db: Executor,
    templateId: string,
    links: readonly Omit<McILink, 'id'>[],
  ): Promise<void> {
    await db.delete(templateLinks).where(eq(templateLinks.templateId, templateId));
    if (links.length > 0) {
      await db.insert(templateLinks).values(links.map((l) => ({ id: newId('link'), templateId, ...l })));
    }
  },

  async copyLinks(db: Executor, fromTemplateId: string, toTemplateId: string): Promise<void> {
    const links = (await linksOf(db, [fromTemplateId])).get(fromTemplateId)!;
    if (links.length === 0) return;
    await db.insert(templateLinks).values(
      links.map((l) => ({
        id: newId('link'),
        templateId: toTemplateId,
        mciId: l.mciId,
        mciLineageId: l.mciLineageId,
        isDefault: l.isDefault,
        position: l.position,
      })),
    );
  },

  /** Template revisions (any account's) that link any revision of an MCI lineage (R-MCI-7, usage). */
  async linkingLineage(
    db: Executor,
    mciLineageId: string,
  ): Promise<
    { templateId: string; templateName: string; revision: number; accountId: string; mciId: string }[]
  > {
    return db
      .select({
        templateId: serverTemplates.id,
        templateName: serverTemplates.name,
        revision: serverTemplates.revision,
        accountId: serverTemplates.accountId,
        mciId: templateLinks.mciId,
      })
      .from(templateLinks)
      .innerJoin(serverTemplates, eq(serverTemplates.id, templateLinks.templateId))
      .where(eq(templateLinks.mciLineageId, mciLineageId))
      .orderBy(asc(serverTemplates.name), asc(serverTemplates.revision));
  },
};
