import type { JobRecord } from '@mci/db';

/** A job as the API shows it (R-JOB-1); the lease and checkpoint are the workers' own. */
export function presentJob(job: JobRecord) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    cloudId: job.cloudId,
    accountId: job.accountId,
    progress: job.progress,
    phase: job.phase,
    error: job.error,
    result: job.result,
    attempts: job.attempts,
    createdBy: job.createdBy,
    createdAt: job.createdAt.toISOString(),
    runAfter: job.runAfter.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    updatedAt: job.updatedAt.toISOString(),
  };
}

export type JobView = ReturnType<typeof presentJob>;
