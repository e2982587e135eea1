/**
 * Durable jobs (R-JOB-1…3, ADR 017): rows of the `jobs` table, claimed by workers with
 * `FOR UPDATE SKIP LOCKED`, held under a lease that a heartbeat renews, and worked in batches of
 * one short transaction each that also commits the job's checkpoint and progress. A process that
 * dies (kill -9) loses no job: its lease runs out and another worker — another process on
 * PostgreSQL, the next start on PGlite — takes the job up at the last committed checkpoint.
 *
 * Kinds register a handler (`registerJobKind`); schedules register a due check that the workers
 * run between jobs (`registerSchedule`). Handlers get the job and a {@link JobRun}: the only way
 * they write is `run.batch(…)`, so an interrupted job leaves whole batches only.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { afterFailure, CloudError, DomainError, jobActorName } from '@mci/core';
import { jobRepository, type JobRecord, type JobState } from '@mci/db';
import type { AppContext } from '../context.ts';
import { mutate, systemActor, type SystemActor, type UnitOfWork } from '../unit-of-work.ts';

export type { JobRecord, JobState };

/** What a batch leaves for the next one and for readers of the job. */
export interface BatchResult<C = unknown> {
  /** Stored with the batch: where a resumed job continues. */
  checkpoint: C;
  /** Progress after this batch (absolute, not a delta); undefined keeps the previous. */
  done?: number;
  total?: number | null;
  /** What the job is doing, in a few words (`images of account X, page 3`). */
  phase?: string;
}

/** What a running job's handler works with. */
export interface JobRun<C = unknown> {
  readonly ctx: AppContext;
  /** The job as claimed (its checkpoint is the one the previous run committed). */
  readonly job: JobRecord;
  /** `system` actor named `job:<id>` (R-JOB-3): the batches' audit entries are written under it. */
  readonly actor: SystemActor;
  /** The last committed checkpoint (null before the first batch of the first run). */
  readonly checkpoint: C | null;
  readonly progress: { done: number; total: number | null };
  /** Aborted when the worker is stopping or lost the job's lease: end soon, no new batch. */
  readonly signal: AbortSignal;
  /**
   * One batch: `work` runs in one transaction (a unit of work whose audit entries are written
   * under {@link actor}) together with the checkpoint and progress it answers. Throws
   * {@link JobInterrupted} without running `work` when the signal is aborted, and rolls the
   * batch back when the worker no longer holds the job.
   */
  batch<T extends BatchResult<C>>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  /** Progress or phase alone (no checkpoint), in its own short transaction. */
  report(update: { done?: number; total?: number | null; phase?: string }): Promise<void>;
}

/**
 * Runs (or resumes) one job. Resolves with the job's result summary (stored as `result`);
 * throws to fail it: a transient {@link CloudError} (`throttled`, `unavailable`) is retried with
 * backoff, anything else fails the job with the error's message.
 */
export type JobHandler<C = any> = (job: JobRecord, run: JobRun<C>) => Promise<Record<string, unknown> | void>;

export interface JobKindOptions {
  /** Runs (claims) before a job fails for good (default {@link DEFAULT_MAX_ATTEMPTS}). */
  maxAttempts?: number;
}

/** A due check run by the workers between jobs: enqueues what is due (e.g. scheduled syncs). */
export type ScheduleCheck = (ctx: AppContext, now: Date) => Promise<void>;

/** The job was stopped between batches (shutdown, or its lease was lost); not a failure. */
export class JobInterrupted extends Error {
  constructor(readonly why: 'stopping' | 'lease_lost') {
    super(why === 'stopping' ? 'the worker is stopping' : 'the job lease was lost to another worker');
    this.name = 'JobInterrupted';
  }
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_POLL_MS = 1_000;
/** First retry delay of a transient failure; doubled per attempt, capped at {@link MAX_BACKOFF_MS}. */
export const BASE_BACKOFF_MS = 2_000;
export const MAX_BACKOFF_MS = 5 * 60_000;

interface Kind {
  handler: JobHandler;
  maxAttempts: number;
}

const kinds = new Map<string, Kind>();
const schedules = new Map<string, ScheduleCheck>();

/** Registers the handler of a job kind in this process (the last registration wins). */
export function registerJobKind(kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
  kinds.set(kind, { handler, maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
}

/** Registers a due check by name (the last registration of a name wins). */
export function registerSchedule(name: string, check: ScheduleCheck): void {
  schedules.set(name, check);
}

export interface EnqueueInput {
  kind: string;
  accountId?: string | null;
  cloudId?: string | null;
  params?: Record<string, unknown>;
  /** Not before (default: now). */
  runAfter?: Date;
  /** The user who asked for it (null: the service itself, e.g. a schedule). */
  createdBy?: string | null;
}

type Enqueuer = UnitOfWork | Pick<AppContext, 'db' | 'clock'>;

function isUnitOfWork(target: Enqueuer): target is UnitOfWork {
  return 'tx' in target;
}

/**
 * Queues a job, in the caller's unit of work (committed with it) or on its own. A `cloud_sync`
 * of a cloud that already has one queued or running is not queued twice: the active one is
 * returned with `created: false` (R-CLD-3, the unique index `jobs_one_active_sync_key`).
 */
export async function enqueueJobOnce(
  target: Enqueuer,
  input: EnqueueInput,
): Promise<{ job: JobRecord; created: boolean }> {
  const db = isUnitOfWork(target) ? target.tx : target.db;
  const now = isUnitOfWork(target) ? target.now : target.clock();
  for (let attempt = 0; attempt < 3; attempt++) {
    const job = await jobRepository.insert(db, {
      kind: input.kind,
      accountId: input.accountId,
      cloudId: input.cloudId,
      params: input.params,
      runAfter: input.runAfter ?? now,
      createdBy: input.createdBy,
      now,
    });
    if (job) {
      wakeWorkers(isUnitOfWork(target));
      return { job, created: true };
    }
    if (input.cloudId) {
      const active = await jobRepository.findActive(db, input.kind, input.cloudId);
      if (active) return { job: active, created: false };
    }
    // The active one finished between the two statements: queue again.
  }
  throw new Error(`could not queue a ${input.kind} job`);
}

/** {@link enqueueJobOnce}, answering the job only (the new one, or the active sync). */
export async function enqueueJob(target: Enqueuer, input: EnqueueInput): Promise<JobRecord> {
  return (await enqueueJobOnce(target, input)).job;
}

// Workers of this process wait on these between polls; a job queued here wakes them at once.
const wakers = new Map<unknown, Set<() => void>>();

function wakeWorkers(inTransaction: boolean): void {
  // A job queued in a transaction is visible only after its commit: wake a little later.
  const wake = () => {
    for (const set of wakers.values()) for (const w of set) w();
  };
  if (inTransaction) setTimeout(wake, 20).unref();
  else wake();
}

function sleep(ms: number, signal: AbortSignal, wakeSet?: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      wakeSet?.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    wakeSet?.add(done);
  });
}

/** Resolves after the event loop has handled pending I/O (a macrotask, not a microtask). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The error as a job shows it: the cloud's message and code, a domain error's sentence. */
export function describeError(error: unknown): string {
  if (error instanceof CloudError) return `${error.message} (${error.cloudCode})`;
  if (error instanceof DomainError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The delay before retry `attempt` (1 = after the first failed run), with ±20 % jitter. */
export function backoffMs(attempt: number, baseMs = BASE_BACKOFF_MS): number {
  const raw = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

interface RunSettings {
  workerId: string;
  leaseMs: number;
  backoffBaseMs: number;
  /** Aborted when the workers stop. */
  stopping: AbortSignal;
}

/** Runs the due checks; a failing one is logged and does not stop the others. */
export async function runDueSchedules(ctx: AppContext): Promise<void> {
  for (const [name, check] of schedules) {
    try {
      await check(ctx, ctx.clock());
    } catch (error) {
      ctx.log.error({ err: error, schedule: name }, 'schedule check failed');
    }
  }
}

/** Claims one runnable job and runs it to its end (or interruption); false when none was due. */
async function claimAndRun(ctx: AppContext, settings: RunSettings): Promise<JobRecord | undefined> {
  const job = await jobRepository.claim(ctx.db, {
    kinds: [...kinds.keys()],
    workerId: settings.workerId,
    now: ctx.clock(),
    leaseMs: settings.leaseMs,
  });
  if (!job) return undefined;
  await runClaimed(ctx, job, settings);
  return (await jobRepository.find(ctx.db, job.id)) ?? job;
}

async function runClaimed(ctx: AppContext, job: JobRecord, settings: RunSettings): Promise<void> {
  const kind = kinds.get(job.kind)!;
  const { workerId, leaseMs } = settings;
  const log = ctx.log.child({ jobId: job.id, kind: job.kind });
  if (job.attempts > kind.maxAttempts) {
    await jobRepository.finish(ctx.db, {
      id: job.id,
      workerId,
      now: ctx.clock(),
      state: 'failed',
      error: job.error
        ? `gave up after ${kind.maxAttempts} attempts: ${job.error}`
        : `gave up after ${kind.maxAttempts} attempts (the process running it stopped each time)`,
    });
    return;
  }

  const abort = new AbortController();
  const onStop = () => abort.abort(new JobInterrupted('stopping'));
  settings.stopping.addEventListener('abort', onStop, { once: true });
  if (settings.stopping.aborted) onStop();

  // The heartbeat renews the lease well before it runs out; losing it aborts the run.
  const heartbeat = setInterval(
    () => {
      jobRepository
        .renewLease(ctx.db, { id: job.id, workerId, now: ctx.clock(), leaseMs })
        .then((held) => {
          if (!held && !abort.signal.aborted) abort.abort(new JobInterrupted('lease_lost'));
        })
        .catch((error: unknown) => log.warn({ err: error }, 'job heartbeat failed'));
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();

  const actor = systemActor(jobActorName(job.id));
  const state = { checkpoint: job.checkpoint, progress: { ...job.progress } };
  const interruption = () => {
    const reason: unknown = abort.signal.reason;
    return reason instanceof JobInterrupted ? reason : new JobInterrupted('stopping');
  };

  const run: JobRun = {
    ctx,
    job,
    actor,
    get checkpoint() {
      return state.checkpoint;
    },
    get progress() {
      return state.progress;
    },
    signal: abort.signal,
    async batch(work) {
      // Lets the requests that arrived meanwhile in first: PGlite's queries run on this thread,
      // and back-to-back batches resolved as promises alone would never give I/O a turn.
      await yieldToEventLoop();
      if (abort.signal.aborted) throw interruption();
      const outcome = await mutate(ctx, actor, async (uow) => {
        // Holds the job's row for the batch and checks that this worker still owns the job.
        const held = await jobRepository.commitProgress(uow.tx, { id: job.id, workerId, now: uow.now });
        if (!held) throw new JobInterrupted('lease_lost');
        const result = await work(uow);
        await jobRepository.commitProgress(uow.tx, {
          id: job.id,
          workerId,
          now: uow.now,
          checkpoint: result.checkpoint ?? null,
          done: result.done,
          total: result.total,
          phase: result.phase,
        });
        return result;
      });
      state.checkpoint = outcome.checkpoint;
      if (outcome.done !== undefined) state.progress.done = outcome.done;
      if (outcome.total !== undefined) state.progress.total = outcome.total;
      return outcome;
    },
    async report(update) {
      const held = await jobRepository.commitProgress(ctx.db, {
        id: job.id,
        workerId,
        now: ctx.clock(),
        ...update,
      });
      if (!held) throw new JobInterrupted('lease_lost');
      if (update.done !== undefined) state.progress.done = update.done;
      if (update.total !== undefined) state.progress.total = update.total;
    },
  };

  try {
    const result = await kind.handler(job, run);
    const finished = await jobRepository.finish(ctx.db, {
      id: job.id,
      workerId,
      now: ctx.clock(),
      state: 'succeeded',
      result: result ?? null,
    });
    if (!finished) log.warn('job finished after its lease was lost; the other worker owns it');
  } catch (error) {
    if (error instanceof JobInterrupted || abort.signal.aborted) {
      const why = error instanceof JobInterrupted ? error.why : interruption().why;
      if (why === 'stopping') {
        // Back in the queue at once, checkpoint kept: another worker (or the next start) resumes it.
        await jobRepository
          .requeue(ctx.db, { id: job.id, workerId, now: ctx.clock(), runAfter: ctx.clock() })
          .catch((e: unknown) => log.warn({ err: e }, 'could not release the job'));
      } else log.warn('job lease lost; another worker resumes it');
      return;
    }
    const message = describeError(error);
    if (afterFailure(error, job.attempts, kind.maxAttempts) === 'retry') {
      const delay = backoffMs(job.attempts, settings.backoffBaseMs);
      log.warn({ err: error, retryInMs: delay }, 'job failed transiently; retrying later');
      await jobRepository.requeue(ctx.db, {
        id: job.id,
        workerId,
        now: ctx.clock(),
        runAfter: new Date(ctx.clock().getTime() + delay),
        error: message,
      });
      return;
    }
    if (!(error instanceof CloudError || error instanceof DomainError))
      log.error({ err: error }, 'job failed');
    await jobRepository.finish(ctx.db, {
      id: job.id,
      workerId,
      now: ctx.clock(),
      state: 'failed',
      error: message,
    });
  } finally {
    clearInterval(heartbeat);
    settings.stopping.removeEventListener('abort', onStop);
  }
}

export interface JobWorkerOptions {
  /** Jobs run at once by this process (default 1). */
  concurrency?: number;
  /** How often idle workers look for due jobs and schedules (default 1 s). */
  pollMs?: number;
  /** How long a claim holds a job without a heartbeat (default 30 s); renewed every third of it. */
  leaseMs?: number;
  /** First retry delay of a transient failure (default {@link BASE_BACKOFF_MS}). */
  backoffBaseMs?: number;
  /** Names this process in `locked_by` (default host:pid:random). */
  workerId?: string;
  /** Finished jobs are deleted this long after they ended (default 30 days; checked hourly). */
  retentionMs?: number;
}

export const DEFAULT_RETENTION_MS = 30 * 24 * 3600_000;
const PURGE_EVERY_MS = 3600_000;

/** Deletes the jobs that finished more than `retentionMs` ago (the clock's now). */
export async function purgeFinishedJobs(
  ctx: AppContext,
  retentionMs = DEFAULT_RETENTION_MS,
): Promise<number> {
  return jobRepository.purgeFinished(ctx.db, new Date(ctx.clock().getTime() - retentionMs));
}

export interface JobWorkers {
  readonly workerId: string;
  /**
   * Stops claiming; a running job ends after its current batch and goes back to the queue.
   * Resolves when the workers are idle, or after `timeoutMs` (a job stuck in a cloud call keeps
   * its lease, which then runs out).
   */
  stop(timeoutMs?: number): Promise<void>;
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Starts `concurrency` workers in this process (main.ts after the bootstrap; tests). On PGlite,
 * where this is the only process on the data directory, jobs left `running` by a process that
 * died are taken up at once instead of after their lease.
 */
export function startJobWorkers(ctx: AppContext, options: JobWorkerOptions = {}): JobWorkers {
  const concurrency = options.concurrency ?? 1;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const workerId = options.workerId ?? defaultWorkerId();
  const stopping = new AbortController();
  const wakeSet = new Set<() => void>();
  const key = {};
  wakers.set(key, wakeSet);
  const settings: RunSettings = {
    workerId,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    backoffBaseMs: options.backoffBaseMs ?? BASE_BACKOFF_MS,
    stopping: stopping.signal,
  };

  const ready = (async () => {
    if (ctx.database.kind === 'pglite') {
      const taken = await jobRepository.expireAllLeases(ctx.db);
      if (taken > 0) ctx.log.info({ jobs: taken }, 'resuming jobs left running by the previous process');
    }
  })();

  let lastSchedules = 0;
  let lastPurge = 0;
  const loop = async (index: number) => {
    await ready.catch((error: unknown) => ctx.log.error({ err: error }, 'job workers could not start'));
    while (!stopping.signal.aborted) {
      try {
        if (index === 0 && Date.now() - lastSchedules >= pollMs) {
          lastSchedules = Date.now();
          await runDueSchedules(ctx);
        }
        if (index === 0 && Date.now() - lastPurge >= PURGE_EVERY_MS) {
          lastPurge = Date.now();
          const purged = await purgeFinishedJobs(ctx, options.retentionMs);
          if (purged > 0) ctx.log.info({ jobs: purged }, 'deleted finished jobs past their retention');
        }
        const ran = await claimAndRun(ctx, settings);
        if (!ran) await sleep(pollMs, stopping.signal, wakeSet);
      } catch (error) {
        if (stopping.signal.aborted) break;
        ctx.log.error({ err: error }, 'job worker error');
        await sleep(pollMs, stopping.signal);
      }
    }
  };
  const loops = Array.from({ length: Math.max(0, concurrency) }, (_, i) => loop(i));

  return {
    workerId,
    async stop(timeoutMs = 10_000) {
      stopping.abort();
      wakers.delete(key);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(loops),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}

/**
 * Tests: runs due schedules and then every runnable job in this process, one after another,
 * until none is left; answers the jobs run, as they ended.
 */
export async function runJobsUntilIdle(
  ctx: AppContext,
  options: { leaseMs?: number; workerId?: string; maxJobs?: number; backoffBaseMs?: number } = {},
): Promise<JobRecord[]> {
  const settings: RunSettings = {
    workerId: options.workerId ?? `test:${process.pid}`,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    backoffBaseMs: options.backoffBaseMs ?? BASE_BACKOFF_MS,
    stopping: new AbortController().signal,
  };
  await runDueSchedules(ctx);
  const ran: JobRecord[] = [];
  for (let i = 0; i < (options.maxJobs ?? 1000); i++) {
    const job = await claimAndRun(ctx, settings);
    if (!job) break;
    ran.push(job);
  }
  return ran;
}
