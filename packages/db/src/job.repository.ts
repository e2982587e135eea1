import { CLOUD_SYNC_JOB, type JobState } from '@mci/core';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Executor } from './database.ts';
import { newId } from './ids.ts';
import { jobs } from './schema.ts';

export { JOB_STATES, type JobState } from '@mci/core';

/** A durable job (R-JOB-1) as stored: what it is about, where it stands, who holds it. */
export interface JobRecord {
  id: string;
  kind: string;
  state: JobState;
  accountId: string | null;
  cloudId: string | null;
  params: Record<string, unknown>;
  /** What the last committed batch left for the next one (R-JOB-2); null before the first. */
  checkpoint: unknown;
  result: Record<string, unknown> | null;
  progress: { done: number; total: number | null };
  phase: string;
  error: string | null;
  attempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  runAfter: Date;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface NewJob {
  kind: string;
  accountId?: string | null;
  cloudId?: string | null;
  params?: Record<string, unknown>;
  runAfter: Date;
  createdBy?: string | null;
  now: Date;
}

export interface JobFilter {
  accountId?: string;
  cloudId?: string;
  state?: JobState;
  kind?: string;
  /**
   * Unless undefined (superuser): only jobs of these accounts, or the catalog's syncs (kind
   * `cloud_sync`, no account) — the catalog is readable by everyone signed in. Other jobs of no
   * account (a cloud's reconcile, which spans accounts) are the superuser's.
   */
  visibleTo?: string[];
  /** Keyset: newest first, (created_at, id) descending. */
  before?: { createdAt: Date; id: string };
  limit: number;
}

export function toJob(r: typeof jobs.$inferSelect): JobRecord {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state as JobState,
    accountId: r.accountId,
    cloudId: r.cloudId,
    params: (r.params ?? {}) as Record<string, unknown>,
    checkpoint: r.checkpoint ?? null,
    result: (r.result ?? null) as Record<string, unknown> | null,
    progress: { done: r.progressDone, total: r.progressTotal },
    phase: r.phase,
    error: r.error,
    attempts: r.attempts,
    lockedBy: r.lockedBy,
    lockedUntil: r.lockedUntil,
    runAfter: r.runAfter,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    updatedAt: r.updatedAt,
  };
}

/** Raw rows of the claim statement (snake_case) as the drizzle row shape. */
function fromRaw(r: Record<string, unknown>): typeof jobs.$inferSelect {
  const date = (v: unknown) => (v == null ? null : v instanceof Date ? v : new Date(String(v)));
  const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
  return {
    id: r.id as string,
    kind: r.kind as string,
    state: r.state as string,
    accountId: (r.account_id as string | null) ?? null,
    cloudId: (r.cloud_id as string | null) ?? null,
    params: json(r.params),
    checkpoint: json(r.checkpoint) ?? null,
    result: json(r.result) ?? null,
    progressDone: Number(r.progress_done),
    progressTotal: r.progress_total == null ? null : Number(r.progress_total),
    phase: r.phase as string,
    error: (r.error as string | null) ?? null,
    attempts: Number(r.attempts),
    lockedBy: (r.locked_by as string | null) ?? null,
    lockedUntil: date(r.locked_until),
    runAfter: date(r.run_after)!,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: date(r.created_at)!,
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    updatedAt: date(r.updated_at)!,
  };
}

/** Durable jobs (R-JOB): enqueue, claim with SKIP LOCKED, heartbeat, batches, finish. */
export const jobRepository = {
  /**
   * Inserts a queued job. A second queued/running `cloud_sync` of a cloud is refused by the
   * unique partial index; this answers undefined then (the caller reads the active one).
   */
  async insert(db: Executor, input: NewJob): Promise<JobRecord | undefined> {
    const rows = await db
      .insert(jobs)
      .values({
        id: newId('job'),
        kind: input.kind,
        accountId: input.accountId ?? null,
        cloudId: input.cloudId ?? null,
        params: input.params ?? {},
        runAfter: input.runAfter,
        createdBy: input.createdBy ?? null,
        createdAt: input.now,
        updatedAt: input.now,
      })
      .onConflictDoNothing()
      .returning();
    return rows[0] && toJob(rows[0]);
  },

  async find(db: Executor, id: string): Promise<JobRecord | undefined> {
    const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
    return row && toJob(row);
  },

  /** The queued or running job of a kind about a cloud (at most one for `cloud_sync`). */
  async findActive(db: Executor, kind: string, cloudId: string): Promise<JobRecord | undefined> {
    const [row] = await db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, kind), eq(jobs.cloudId, cloudId), sql`${jobs.state} in ('queued', 'running')`))
      .orderBy(desc(jobs.createdAt))
      .limit(1);
    return row && toJob(row);
  },

  /** Jobs newest first, filtered, one keyset page (limit + 1 rows). */
  async list(db: Executor, f: JobFilter): Promise<JobRecord[]> {
    const conditions: (SQL | undefined)[] = [
      f.accountId !== undefined ? eq(jobs.accountId, f.accountId) : undefined,
      f.cloudId !== undefined ? eq(jobs.cloudId, f.cloudId) : undefined,
      f.state !== undefined ? eq(jobs.state, f.state) : undefined,
      f.kind !== undefined ? eq(jobs.kind, f.kind) : undefined,
      f.visibleTo
        ? sql`(${jobs.accountId} = any(${sql.param(f.visibleTo)}::text[]) or (${jobs.accountId} is null and ${jobs.kind} = ${CLOUD_SYNC_JOB}))`
        : undefined,
      f.before
        ? sql`(${jobs.createdAt}, ${jobs.id}) < (${f.before.createdAt.toISOString()}::timestamptz, ${f.before.id})`
        : undefined,
    ];
    const rows = await db
      .select()
      .from(jobs)
      .where(and(...conditions))
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(f.limit + 1);
    return rows.map(toJob);
  },

  /**
   * Claims one runnable job of the given kinds (R-JOB-2): queued and due, or running with an
   * expired lease (its process died). `FOR UPDATE SKIP LOCKED` lets several processes claim at
   * once without waiting on each other or taking the same job; the claim sets the lease and
   * counts the attempt.
   */
  async claim(
    db: Executor,
    opts: { kinds: readonly string[]; workerId: string; now: Date; leaseMs: number },
  ): Promise<JobRecord | undefined> {
    if (opts.kinds.length === 0) return undefined;
    const now = opts.now.toISOString();
    const until = new Date(opts.now.getTime() + opts.leaseMs).toISOString();
    const result = await db.execute(sql`
      update jobs set
        state = 'running',
        locked_by = ${opts.workerId},
        locked_until = ${until}::timestamptz,
        attempts = attempts + 1,
        started_at = coalesce(started_at, ${now}::timestamptz),
        updated_at = ${now}::timestamptz
      where id = (
        select id from jobs
        where (state = 'queued' or (state = 'running' and (locked_until is null or locked_until < ${now}::timestamptz)))
          and run_after <= ${now}::timestamptz
          and kind = any(${sql.param([...opts.kinds])}::text[])
        order by run_after, created_at, id
        limit 1
        for update skip locked
      )
      returning *`);
    const [row] = rowsOf<Record<string, unknown>>(result);
    return row && toJob(fromRaw(row));
  },

  /**
   * Renews the lease of a job this worker holds; false when it no longer does (another process
   * took it over after the lease expired, or it finished).
   */
  async renewLease(
    db: Executor,
    opts: { id: string; workerId: string; now: Date; leaseMs: number },
  ): Promise<boolean> {
    const rows = await db
      .update(jobs)
      .set({ lockedUntil: new Date(opts.now.getTime() + opts.leaseMs) })
      .where(and(eq(jobs.id, opts.id), eq(jobs.lockedBy, opts.workerId), eq(jobs.state, 'running')))
      .returning({ id: jobs.id });
    return rows.length > 0;
  },

  /**
   * Writes a batch's checkpoint and progress, in the batch's transaction; false when the worker
   * no longer holds the job (the caller then rolls the batch back).
   */
  async commitProgress(
    db: Executor,
    opts: {
      id: string;
      workerId: string;
      now: Date;
      checkpoint?: unknown;
      done?: number;
      total?: number | null;
      phase?: string;
    },
  ): Promise<boolean> {
    const rows = await db
      .update(jobs)
      .set({
        ...(opts.checkpoint !== undefined ? { checkpoint: opts.checkpoint } : {}),
        ...(opts.done !== undefined ? { progressDone: opts.done } : {}),
        ...(opts.total !== undefined ? { progressTotal: opts.total } : {}),
        ...(opts.phase !== undefined ? { phase: opts.phase } : {}),
        updatedAt: opts.now,
      })
      .where(and(eq(jobs.id, opts.id), eq(jobs.lockedBy, opts.workerId), eq(jobs.state, 'running')))
      .returning({ id: jobs.id });
    return rows.length > 0;
  },

  /**
   * Ends a job this worker holds: succeeded (with its result) or failed (with the error). The
   * lease ends; `locked_by` stays, naming the worker that ran it last.
   */
  async finish(
    db: Executor,
    opts: {
      id: string;
      workerId: string;
      now: Date;
      state: 'succeeded' | 'failed';
      result?: Record<string, unknown> | null;
      error?: string | null;
    },
  ): Promise<boolean> {
    const rows = await db
      .update(jobs)
      .set({
        state: opts.state,
        result: opts.result ?? null,
        error: opts.error ?? null,
        finishedAt: opts.now,
        updatedAt: opts.now,
        lockedUntil: null,
      })
      .where(and(eq(jobs.id, opts.id), eq(jobs.lockedBy, opts.workerId), eq(jobs.state, 'running')))
      .returning({ id: jobs.id });
    return rows.length > 0;
  },

  /**
   * Puts a job this worker holds back in the queue: to retry a transient failure after
   * `runAfter` (with the error kept for readers), or released at shutdown (run at once elsewhere).
   */
  async requeue(
    db: Executor,
    opts: { id: string; workerId: string; now: Date; runAfter: Date; error?: string | null },
  ): Promise<boolean> {
    const rows = await db
      .update(jobs)
      .set({
        state: 'queued',
        runAfter: opts.runAfter,
        ...(opts.error !== undefined ? { error: opts.error } : {}),
        updatedAt: opts.now,
        lockedBy: null,
        lockedUntil: null,
      })
      .where(and(eq(jobs.id, opts.id), eq(jobs.lockedBy, opts.workerId), eq(jobs.state, 'running')))
      .returning({ id: jobs.id });
    return rows.length > 0;
  },

  /** Deletes finished jobs (and what they noted) that ended before `before`; answers how many. */
  async purgeFinished(db: Executor, before: Date): Promise<number> {
    const rows = await db
      .delete(jobs)
      .where(
        and(
          sql`${jobs.state} in ('succeeded', 'failed', 'cancelled')`,
          sql`${jobs.finishedAt} < ${before.toISOString()}::timestamptz`,
        ),
      )
      .returning({ id: jobs.id });
    return rows.length;
  },

  /**
   * On PGlite only one process opens the data directory (its lock), so a job left `running` at
   * start belonged to a process that died: its lease is ended so the workers take it up at once.
   */
  async expireAllLeases(db: Executor): Promise<number> {
    const rows = await db
      .update(jobs)
      .set({ lockedUntil: null })
      .where(eq(jobs.state, 'running'))
      .returning({ id: jobs.id });
    return rows.length;
  },
};
