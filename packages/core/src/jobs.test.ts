import { describe, expect, it } from 'vitest';
import { CloudError } from './cloud.ts';
import { afterFailure, isTransient, jobActorName, mayReadJob } from './jobs.ts';
import type { Principal } from './access.ts';

const member = (accounts: string[]): Principal =>
  ({
    userId: 'u1',
    isSuperuser: false,
    memberships: new Map(accounts.map((a) => [a, new Set()])),
  }) as unknown as Principal;
const superuser = { userId: 'root', isSuperuser: true, memberships: new Map() } as unknown as Principal;

describe('jobs', () => {
  it("R-JOB-1: a member reads their accounts' jobs and the catalog's syncs; not another account's, nor a reconcile spanning accounts", () => {
    const p = member(['a1']);
    expect(mayReadJob(p, { accountId: 'a1', kind: 'cloud_sync' })).toBe(true);
    expect(mayReadJob(p, { accountId: null, kind: 'cloud_sync' })).toBe(true);
    expect(mayReadJob(p, { accountId: 'a2', kind: 'cloud_sync' })).toBe(false);
    expect(mayReadJob(p, { accountId: null, kind: 'reconcile' })).toBe(false);
    expect(mayReadJob(superuser, { accountId: null, kind: 'reconcile' })).toBe(true);
  });

  it('R-JOB-2: a throttled or unreachable cloud is retried while attempts are left; anything else fails the job', () => {
    const throttled = new CloudError('throttled', 'RequestLimitExceeded', 'slow down');
    const away = new CloudError('unavailable', 'TimeoutError', 'timed out');
    const refused = new CloudError('auth', 'AuthFailure', 'no');
    expect(isTransient(throttled) && isTransient(away)).toBe(true);
    expect(isTransient(refused) || isTransient(new Error('bug'))).toBe(false);
    expect(afterFailure(throttled, 1, 5)).toBe('retry');
    expect(afterFailure(throttled, 5, 5)).toBe('fail');
    expect(afterFailure(refused, 1, 5)).toBe('fail');
  });

  it('R-JOB-3: job work is audited under the system actor naming the job', () => {
    expect(jobActorName('job_123')).toBe('job:job_123');
  });
});
