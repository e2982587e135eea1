import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { newId } from './ids.ts';
import { reusableStatement } from './prepared.ts';
import { auditEntries } from './schema.ts';

export interface AuditEntry {
  id: string;
  at: string;
  accountId: string | null;
  userId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  summary: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

const column = (name: keyof NewAuditEntry | 'id') => sql.placeholder(name);

/** Every change writes one or more: built once, a named statement (ADR 015). */
const insertEntry = reusableStatement('audit_insert', (db) =>
  db.insert(auditEntries).values({
    id: column('id'),
    accountId: column('accountId'),
    userId: column('userId'),
    action: column('action'),
    targetType: column('targetType'),
    targetId: column('targetId'),
    summary: column('summary'),
    at: sql`clock_timestamp()`,
  }),
);

/** The audit trail: written in the same transaction as the mutation it records. */
export const auditRepository = {
  async insert(db: Executor, entry: NewAuditEntry): Promise<void> {
    await insertEntry(db, { id: newId('audit'), ...entry });
  },

  /** Newest first; `accountId: null` lists installation-level entries. `beforeSeq` is the keyset. */
  async list(
    db: Executor,
    opts: { accountId: string | null; beforeSeq?: number; limit: number },
  ): Promise<(AuditEntry & { seq: number })[]> {
    const rows = await db
      .select()
      .from(auditEntries)
      .where(
        and(
          opts.accountId === null
            ? isNull(auditEntries.accountId)
            : eq(auditEntries.accountId, opts.accountId),
          opts.beforeSeq !== undefined ? lt(auditEntries.seq, opts.beforeSeq) : undefined,
        ),
      )
      .orderBy(desc(auditEntries.seq))
      .limit(opts.limit + 1);
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  },
};
