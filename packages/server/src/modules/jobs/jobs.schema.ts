import { JOB_STATES } from '@mci/db';
import { z } from 'zod';
import { idFilter, idParam, pageOf, pageQuery } from '../../http/common.schema.ts';

export const jobSchema = z
  .object({
    id: z.string(),
    kind: z.string().describe('`cloud_sync`, `reconcile`, …'),
    state: z.enum(JOB_STATES).describe('queued → running → succeeded | failed'),
    cloudId: z.string().nullable(),
    accountId: z
      .string()
      .nullable()
      .describe('The account the job works for; null: the installation (catalog)'),
    progress: z
      .object({
        done: z.number().int(),
        total: z.number().int().nullable().describe('null while unknown'),
      })
      .describe('R-JOB-1: how far the job is (for a sync: images listed, of about how many)'),
    phase: z.string().describe('What the job is doing now, in a few words'),
    error: z
      .string()
      .nullable()
      .describe('Why it failed; while queued again after a transient failure, the last error'),
    result: z.record(z.string(), z.unknown()).nullable().describe('A summary of what the job did'),
    attempts: z.number().int().describe('How many times a worker took it up'),
    createdBy: z.string().nullable().describe('The user who asked for it; null: a schedule'),
    createdAt: z.string(),
    runAfter: z.string().describe('Not run before this time (retries back off)'),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Job' });

export const jobParams = z.strictObject({ id: idParam });

export const listJobsQuery = z.strictObject({
  ...pageQuery,
  accountId: idFilter.optional().describe("An account's jobs"),
  cloudId: idFilter.optional().describe("A cloud's jobs"),
  state: z.enum(JOB_STATES).optional(),
  kind: z.string().max(50).optional(),
});

export const jobPage = pageOf(jobSchema);
