import type { RevisionFields } from '@mci/core';
import { and, asc, desc, eq, getTableName, ilike, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { newId, type ID_PREFIX } from './ids.ts';
import { reusableStatement } from './prepared.ts';
import type { LineageTable, RevisionTable } from './schema.ts';

/** The revision fields every revisioned kind has, plus the HEAD's edit counter (the ETag). */
export interface RevisionBase extends RevisionFields {
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type RevisionRow = RevisionTable['$inferSelect'];

/** Revision columns → the domain's revision fields. */
export function toRevisionFields(r: RevisionRow): RevisionBase {
  return {
    id: r.id,
    lineageId: r.lineageId,
    revision: r.revision,
    name: r.name,
    description: r.description,
    tags: r.tags,
    accountId: r.accountId,
    commitMessage: r.commitMessage,
    committedBy: r.committedBy,
    committedAt: r.committedAt ? r.committedAt.toISOString() : null,
    baseRevision: r.baseRevision,
    clonedFrom: r.clonedFrom,
    importedFrom: r.importedFrom,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export interface NewRevision {
  lineageId: string;
  revision: number;
  accountId: string;
  name: string;
  description: string;
  tags: string[];
  commitMessage?: string | null;
  committedBy?: string | null;
  committedAt?: Date | null;
  baseRevision?: number | null;
  clonedFrom?: string | null;
  importedFrom?: string | null;
}

export type RevisionPatch = Partial<
  Pick<RevisionRow, 'name' | 'description' | 'tags' | 'baseRevision' | 'clonedFrom'>
>;

export interface RevisionListFilter {
  accountId: string;
  q?: string;
  lineageId?: string;
  revision?: number;
  after?: { name: string; id: string };
  limit: number;
  /** A kind's own condition on its revisions (e.g. "has a setting for this cloud"). */
  where?: (table: RevisionTable) => SQL;
}

/**
 * Lineages and revision rows of one revisioned kind (MCIs, ServerTemplates, …): the part of
 * their storage that does not depend on what a revision holds (settings, links). Each kind's
 * repository adds its content on top.
 */
/**
 * Every read of a revision starts here: one statement text for any number of ids (`= any`),
 * built once per table and run as a named statement (ADR 015).
 */
function rowsByIdStatement(table: RevisionTable) {
  return reusableStatement(`${getTableName(table)}_by_ids`, (db) =>
    db
      .select()
      .from(table)
      .where(sql`${table.id} = any(${sql.placeholder('ids')}::text[])`),
  );
}

export function revisionStore(
  table: RevisionTable,
  lineages: LineageTable,
  ids: { revision: keyof typeof ID_PREFIX; lineage: keyof typeof ID_PREFIX },
) {
  const rowsById = rowsByIdStatement(table);
  return {
    async insertLineage(db: Executor, accountId: string): Promise<string> {
      const id = newId(ids.lineage);
      await db.insert(lineages).values({ id, accountId });
      return id;
    },

    /** R-MCI-5: the next committed number; the lineage row lock serializes concurrent commits. */
    async nextRevisionNumber(db: Executor, lineageId: string): Promise<number> {
      const [row] = await db
        .update(lineages)
        .set({ lastRevision: sql`${lineages.lastRevision} + 1` })
        .where(eq(lineages.id, lineageId))
        .returning({ n: lineages.lastRevision });
      return row.n;
    },

    async insertRevision(db: Executor, input: NewRevision): Promise<string> {
      const id = newId(ids.revision);
      await db.insert(table).values({ id, ...input });
      return id;
    },

    async findRows(db: Executor, revisionIds: readonly string[]): Promise<RevisionBase[]> {
      if (revisionIds.length === 0) return [];
      const rows = await rowsById(db, { ids: [...revisionIds] });
      return rows.map(toRevisionFields);
    },

    /**
     * The revision row locked for this transaction (`FOR UPDATE`), so that an edit that checks
     * the HEAD's version (If-Match) cannot be overtaken by a concurrent edit of the same HEAD.
     */
    async lockRow(db: Executor, id: string): Promise<RevisionBase | undefined> {
      const [row] = await db.select().from(table).where(eq(table.id, id)).for('update');
      return row && toRevisionFields(row);
    },

    async headId(db: Executor, lineageId: string): Promise<string | undefined> {
      const [row] = await db
        .select({ id: table.id })
        .from(table)
        .where(and(eq(table.lineageId, lineageId), eq(table.revision, 0)));
      return row?.id;
    },

    /** The account's own HEAD of exactly this name (imported copies are not the account's own). */
    async headNamed(db: Executor, accountId: string, name: string): Promise<RevisionBase | undefined> {
      const [row] = await db
        .select()
        .from(table)
        .where(
          and(
            eq(table.accountId, accountId),
            eq(table.name, name),
            eq(table.revision, 0),
            isNull(table.importedFrom),
          ),
        )
        .orderBy(asc(table.id))
        .limit(1);
      return row && toRevisionFields(row);
    },

    /** The account's revisions in name order, filtered; one more than `limit` (keyset paging). */
    async listRows(db: Executor, f: RevisionListFilter): Promise<RevisionBase[]> {
      const rows = await db
        .select()
        .from(table)
        .where(
          and(
            eq(table.accountId, f.accountId),
            f.q ? ilike(table.name, `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined,
            f.lineageId ? eq(table.lineageId, f.lineageId) : undefined,
            f.revision !== undefined ? eq(table.revision, f.revision) : undefined,
            f.after ? sql`(${table.name}, ${table.id}) > (${f.after.name}, ${f.after.id})` : undefined,
            f.where?.(table),
          ),
        )
        .orderBy(asc(table.name), asc(table.id))
        .limit(f.limit + 1);
      return rows.map(toRevisionFields);
    },

    /** Every revision of a lineage, newest first (HEAD last). */
    async revisions(db: Executor, lineageId: string): Promise<RevisionBase[]> {
      const rows = await db
        .select()
        .from(table)
        .where(eq(table.lineageId, lineageId))
        .orderBy(desc(sql`case when ${table.revision} = 0 then -1 else ${table.revision} end`));
      return rows.map(toRevisionFields);
    },

    /** Changes HEAD fields and bumps its version (the ETag). */
    async updateRevision(db: Executor, id: string, patch: RevisionPatch): Promise<void> {
      await db
        .update(table)
        .set({ ...patch, version: sql`${table.version} + 1`, updatedAt: sql`clock_timestamp()` })
        .where(eq(table.id, id));
    },

    /** The account's copy of a publication (R-IMP-2 dedupe), if it imported it before. */
    async findImported(db: Executor, accountId: string, publicationId: string): Promise<string | undefined> {
      const [row] = await db
        .select({ id: table.id })
        .from(table)
        .where(and(eq(table.accountId, accountId), eq(table.importedFrom, publicationId)));
      return row?.id;
    },

    /** Deletes the lineage; its revisions (and their content) go with it by cascade. */
    async deleteLineage(db: Executor, lineageId: string): Promise<void> {
      await db.delete(lineages).where(eq(lineages.id, lineageId));
    },
  };
}

export type RevisionStore = ReturnType<typeof revisionStore>;
