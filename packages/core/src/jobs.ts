/** Durable jobs (SPEC §8): the rules of who reads them, how they retry and whom they act as. */
import type { Principal } from './access.ts';
import { CloudError } from './cloud.ts';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The kind of the catalog's own jobs: a cloud's sync, readable by everyone signed in. */
export const CLOUD_SYNC_JOB = 'cloud_sync';

/**
 * R-JOB-1: who may read a job (its state, progress and error): the superuser any; a member the
 * jobs of their accounts and the catalog's syncs (no account). Another account's job, and a job
 * spanning accounts (a cloud's reconcile), is not theirs to see.
 * @rule R-JOB-1
 */
export function mayReadJob(principal: Principal, job: { accountId: string | null; kind: string }): boolean {
  if (principal.isSuperuser) return true;
  if (job.accountId === null) return job.kind === CLOUD_SYNC_JOB;
  return principal.memberships.has(job.accountId);
}

/**
 * R-JOB-2: a failure worth another run after a pause — the cloud throttled or could not be
 * reached; the job resumes from its last committed batch. Anything else fails the job.
 * @rule R-JOB-2
 */
export function isTransient(error: unknown): boolean {
  return error instanceof CloudError && (error.kind === 'throttled' || error.kind === 'unavailable');
}

/**
 * R-JOB-2: what a job does after a failed run: run again later (transient, attempts left) or fail.
 * @rule R-JOB-2
 */
export function afterFailure(error: unknown, attempts: number, maxAttempts: number): 'retry' | 'fail' {
  return isTransient(error) && attempts < maxAttempts ? 'retry' : 'fail';
}

/**
 * R-JOB-3: the actor a job's work is audited under: the system, naming the job.
 * @rule R-JOB-3
 */
export function jobActorName(jobId: string): string {
  return `job:${jobId}`;
}
