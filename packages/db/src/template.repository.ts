import type { McILink } from '@mci/core';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import {
  revisionListConditions,
  toRevisionFields,
  type NewRevision,
  type RevisionListFilter,
  type RevisionRow,
} from './mci.repository.ts';
import { mcis, serverTemplates, templateLineages, templateLinks } from './schema.ts';

export interface LinkView extends McILink {
  mciName: string;
  mciRevision: number;
  /** R-VC-3: the lineage's newest committed revision in the account, when newer than the link's. */
  newerRevision: { mciId: string; revision: number } | null;
}

export type TemplateRecord = ReturnType<typeof toRevisionFields> & { links: LinkView[] };

async function linksOf(db: Executor, templateIds: string[]): Promise<Map<string, LinkView[]>> {
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
    .where(inArray(templateLinks.templateId, templateIds))
    .orderBy(asc(templateLinks.position));
  for (const { templateId, newest, ...link } of rows) {
    const parsed = typeof newest === 'string' ? (JSON.parse(newest) as typeof newest) : newest;
    // A link to a HEAD MCI follows it already; only committed links can fall behind.
    const newer = parsed && link.mciRevision > 0 && parsed.revision > link.mciRevision ? parsed : null;
    result.get(templateId)!.push({ ...link, newerRevision: newer });
  }
  return result;
}

// Template revision rows have the same columns as MCI revision rows.
const asRow = (r: typeof serverTemplates.$inferSelect) => r as unknown as RevisionRow;

/** ServerTemplate lineages, revisions and their MCI links. */
export const templateRepository = {
  async insertLineage(db: Executor, accountId: string): Promise<string> {
    const id = newId('templateLineage');
    await db.insert(templateLineages).values({ id, accountId });
    return id;
  },

  async nextRevisionNumber(db: Executor, lineageId: string): Promise<number> {
    const [row] = await db
      .update(templateLineages)
      .set({ lastRevision: sql`${templateLineages.lastRevision} + 1` })
      .where(eq(templateLineages.id, lineageId))
      .returning({ n: templateLineages.lastRevision });
    return row.n;
  },

  async insertRevision(db: Executor, input: NewRevision): Promise<string> {
    const id = newId('template');
    await db.insert(serverTemplates).values({ id, ...input });
    return id;
  },

  async find(db: Executor, id: string): Promise<TemplateRecord | undefined> {
    const [row] = await db.select().from(serverTemplates).where(eq(serverTemplates.id, id));
    if (!row) return undefined;
    const links = await linksOf(db, [row.id]);
    return { ...toRevisionFields(asRow(row)), links: links.get(row.id)! };
  },

  async list(db: Executor, f: RevisionListFilter): Promise<TemplateRecord[]> {
    const rows = await db
      .select()
      .from(serverTemplates)
      .where(and(...revisionListConditions(serverTemplates as unknown as typeof mcis, f)))
      .orderBy(asc(serverTemplates.name), asc(serverTemplates.id))
      .limit(f.limit + 1);
    const links = await linksOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({ ...toRevisionFields(asRow(r)), links: links.get(r.id)! }));
  },

  async revisions(db: Executor, lineageId: string) {
    const rows = await db
      .select()
      .from(serverTemplates)
      .where(eq(serverTemplates.lineageId, lineageId))
      .orderBy(
        desc(sql`case when ${serverTemplates.revision} = 0 then -1 else ${serverTemplates.revision} end`),
      );
    return rows.map((r) => toRevisionFields(asRow(r)));
  },

  async updateRevision(
    db: Executor,
    id: string,
    patch: Partial<Pick<RevisionRow, 'name' | 'description' | 'tags' | 'baseRevision' | 'clonedFrom'>>,
  ): Promise<void> {
    await db
      .update(serverTemplates)
      .set({ ...patch, version: sql`${serverTemplates.version} + 1`, updatedAt: sql`clock_timestamp()` })
      .where(eq(serverTemplates.id, id));
  },

  async insertLink(db: Executor, templateId: string, link: Omit<McILink, 'id'>): Promise<string> {
    const id = newId('link');
    await translateDbErrors('link', () => db.insert(templateLinks).values({ id, templateId, ...link }));
    return id;
  },

  async updateLink(
    db: Executor,
    linkId: string,
    patch: Partial<Pick<McILink, 'mciId' | 'isDefault'>>,
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

  /** The account's copy of a publication (R-IMP-2 dedupe), if it imported it before. */
  async findImported(db: Executor, accountId: string, publicationId: string): Promise<string | undefined> {
    const [row] = await db
      .select({ id: serverTemplates.id })
      .from(serverTemplates)
      .where(and(eq(serverTemplates.accountId, accountId), eq(serverTemplates.importedFrom, publicationId)));
    return row?.id;
  },

  async deleteLineage(db: Executor, lineageId: string): Promise<void> {
    await db.delete(templateLineages).where(eq(templateLineages.id, lineageId));
  },
};
