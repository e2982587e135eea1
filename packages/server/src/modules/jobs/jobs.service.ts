import {
  decodeCursor,
  InputError,
  mayReadJob,
  memberAccountIds,
  NotFoundError,
  toPage,
  type Page,
  type Principal,
} from '@mci/core';
import { jobRepository, type JobState } from '@mci/db';
import type { AppContext } from '../../context.ts';
import { presentJob, type JobView } from './jobs.presenter.ts';

export async function getJob(ctx: AppContext, principal: Principal, id: string): Promise<JobView> {
  const job = await jobRepository.find(ctx.db, id);
  if (!job || !mayReadJob(principal, job)) throw new NotFoundError('job', id);
  return presentJob(job);
}

export interface ListJobsQuery {
  limit: number;
  cursor?: string;
  accountId?: string;
  cloudId?: string;
  state?: JobState;
  kind?: string;
}

function decodeJobCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = decodeCursor(cursor, 2);
  const createdAt = new Date(String(at));
  if (isNaN(createdAt.getTime()))
    throw new InputError('invalid_cursor', 'The cursor is not one this service returned', {
      status: 400,
      errors: [{ path: 'cursor', message: 'not a valid cursor; pass nextCursor from the previous page' }],
    });
  return { createdAt, id: String(id) };
}

/** Jobs newest first, filtered, that the caller may read. */
export async function listJobs(
  ctx: AppContext,
  principal: Principal,
  query: ListJobsQuery,
): Promise<Page<JobView>> {
  if (query.accountId !== undefined && !principal.isSuperuser && !principal.memberships.has(query.accountId))
    throw new NotFoundError('account', query.accountId);
  const rows = await jobRepository.list(ctx.db, {
    accountId: query.accountId,
    cloudId: query.cloudId,
    state: query.state,
    kind: query.kind,
    visibleTo: principal.isSuperuser ? undefined : memberAccountIds(principal),
    before: decodeJobCursor(query.cursor),
    limit: query.limit,
  });
  const page = toPage(rows, query.limit, (j) => [j.createdAt.toISOString(), j.id]);
  return { items: page.items.map(presentJob), nextCursor: page.nextCursor };
}
