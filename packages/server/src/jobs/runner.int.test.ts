import { CloudError } from '@mci/core';
import { jobRepository } from '@mci/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testing/harness.ts';
import {
  enqueueJob,
  enqueueJobOnce,
  purgeFinishedJobs,
  registerJobKind,
  runJobsUntilIdle,
  startJobWorkers,
} from './runner.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** A test job: counts to `params.to` in batches of `params.step`, failing where told. */
const failures = new Map<string, { atBatch: number; error: Error; times: number }>();
registerJobKind('test_count', async (job, run) => {
  const to = Number(job.params.to);
  const step = Number(job.params.step);
  let at = (run.checkpoint as { at: number } | null)?.at ?? 0;
  let batches = 0;
  while (at < to) {
    const failure = failures.get(job.id);
    if (failure && failure.atBatch === batches && failure.times > 0) {
      failure.times -= 1;
      throw failure.error;
    }
    batches += 1;
    const next = Math.min(to, at + step);
    await run.batch(async (uow) => {
      uow.audit({
        accountId: null,
        targetType: 'job',
        targetId: job.id,
        action: 'test.count',
        summary: `counted to ${next}`,
      });
      return { checkpoint: { at: next }, done: next, total: to, phase: `at ${next}` };
    });
    at = next;
  }
  return { counted: at };
});

describe('durable jobs', () => {
  it('R-JOB-1: a job runs in batches, committing checkpoint and progress, and ends succeeded', async () => {
    const job = await enqueueJob(h.ctx, { kind: 'test_count', params: { to: 10, step: 3 } });
    expect(job).toMatchObject({ state: 'queued', attempts: 0, progress: { done: 0, total: null } });
    const [ran] = await runJobsUntilIdle(h.ctx);
    expect(ran).toMatchObject({
      id: job.id,
      state: 'succeeded',
      attempts: 1,
      progress: { done: 10, total: 10 },
      checkpoint: { at: 10 },
      result: { counted: 10 },
      lockedBy: `test:${process.pid}`,
      lockedUntil: null,
    });
  });

  it('R-JOB-2: a failure between batches leaves the committed ones; the retry resumes at the checkpoint', async () => {
    const job = await enqueueJob(h.ctx, { kind: 'test_count', params: { to: 9, step: 2 } });
    failures.set(job.id, {
      atBatch: 2,
      error: new CloudError('throttled', 'RequestLimitExceeded', 'Request limit exceeded.'),
      times: 1,
    });
    await runJobsUntilIdle(h.ctx);
    const waiting = await jobRepository.find(h.ctx.db, job.id);
    expect(waiting).toMatchObject({
      state: 'queued',
      attempts: 1,
      checkpoint: { at: 4 },
      progress: { done: 4 },
      error: 'Request limit exceeded. (RequestLimitExceeded)',
    });
    expect(waiting!.runAfter.getTime()).toBeGreaterThan(h.clock.now.getTime());
    h.clock.advance(10 * 60_000);
    const [ran] = await runJobsUntilIdle(h.ctx);
    expect(ran).toMatchObject({ id: job.id, state: 'succeeded', attempts: 2, error: null });
    const audit = await h.call('GET', '/v1/audit?limit=100');
    const counted = (audit.data.items as { summary: string }[])
      .map((e) => e.summary)
      .filter((s) => s.startsWith(`[job:${job.id}]`));
    // Each batch once (2, 4 before the failure; 6, 8, 9 after), under the job's system actor (R-JOB-3).
    expect(counted.reverse()).toEqual([2, 4, 6, 8, 9].map((n) => `[job:${job.id}] counted to ${n}`));
  });

  it('R-JOB-1: a permanent failure fails the job with the error', async () => {
    const job = await enqueueJob(h.ctx, { kind: 'test_count', params: { to: 4, step: 2 } });
    failures.set(job.id, {
      atBatch: 1,
      error: new CloudError(
        'auth',
        'AuthFailure',
        'AWS was not able to validate the provided access credentials',
      ),
      times: 1,
    });
    const [ran] = await runJobsUntilIdle(h.ctx);
    expect(ran).toMatchObject({
      state: 'failed',
      error: 'AWS was not able to validate the provided access credentials (AuthFailure)',
      progress: { done: 2 },
    });
  });

  it('R-JOB-2: a running job whose lease ran out is taken over; the old holder can no longer commit', async () => {
    const job = await enqueueJob(h.ctx, { kind: 'test_count', params: { to: 4, step: 2 } });
    const claimed = await jobRepository.claim(h.ctx.db, {
      kinds: ['test_count'],
      workerId: 'dead-worker',
      now: h.clock.now,
      leaseMs: 1000,
    });
    expect(claimed?.id).toBe(job.id);
    // Held: nobody else takes it.
    expect(await runJobsUntilIdle(h.ctx)).toEqual([]);
    h.clock.advance(1001);
    const [ran] = await runJobsUntilIdle(h.ctx);
    expect(ran).toMatchObject({ id: job.id, state: 'succeeded', attempts: 2 });
    expect(
      await jobRepository.commitProgress(h.ctx.db, { id: job.id, workerId: 'dead-worker', now: h.clock.now }),
    ).toBe(false);
  });

  it('R-CLD-3: at most one sync of a cloud is queued or running', async () => {
    const cloud = await h.build.cloud();
    const first = await enqueueJobOnce(h.ctx, { kind: 'cloud_sync', cloudId: cloud.id });
    const second = await enqueueJobOnce(h.ctx, { kind: 'cloud_sync', cloudId: cloud.id });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, job: { id: first.job.id } });
    // Out of the way of later tests: ended by hand.
    const opts = { workerId: 'test-cleanup', now: h.clock.now };
    await jobRepository.claim(h.ctx.db, { kinds: ['cloud_sync'], leaseMs: 1000, ...opts });
    await jobRepository.finish(h.ctx.db, { id: first.job.id, state: 'failed', error: 'test', ...opts });
    expect((await enqueueJobOnce(h.ctx, { kind: 'cloud_sync', cloudId: cloud.id })).created).toBe(true);
    await jobRepository.claim(h.ctx.db, { kinds: ['cloud_sync'], leaseMs: 1000, ...opts });
    const third = await jobRepository.findActive(h.ctx.db, 'cloud_sync', cloud.id);
    await jobRepository.finish(h.ctx.db, { id: third!.id, state: 'failed', error: 'test', ...opts });
  });

  it('R-JOB-2: workers started in the process take queued jobs and stop cleanly', async () => {
    const workers = startJobWorkers(h.ctx, { pollMs: 20, leaseMs: 5000 });
    try {
      const job = await enqueueJob(h.ctx, { kind: 'test_count', params: { to: 6, step: 1 } });
      let current = job;
      for (let i = 0; i < 200 && current.state !== 'succeeded'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        current = (await jobRepository.find(h.ctx.db, job.id))!;
      }
      expect(current).toMatchObject({ state: 'succeeded', attempts: 1, lockedBy: workers.workerId });
    } finally {
      await workers.stop();
    }
  });

  it('R-JOB-1: finished jobs are deleted after their retention; queued ones are kept', async () => {
    const done = await enqueueJob(h.ctx, { kind: 'test_count', params: { to: 1, step: 1 } });
    await runJobsUntilIdle(h.ctx);
    const later = await enqueueJob(h.ctx, {
      kind: 'test_count',
      params: { to: 1, step: 1 },
      runAfter: new Date(h.clock.now.getTime() + 365 * 86_400_000),
    });
    expect(await purgeFinishedJobs(h.ctx, 86_400_000)).toBe(0);
    h.clock.advance(86_400_001);
    expect(await purgeFinishedJobs(h.ctx, 86_400_000)).toBeGreaterThanOrEqual(1);
    expect(await jobRepository.find(h.ctx.db, done.id)).toBeUndefined();
    expect(await jobRepository.find(h.ctx.db, later.id)).toMatchObject({ state: 'queued' });
  });
});
