import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { useInvalidate } from '../cache.ts';
import { catalogKeys } from './queries.ts';

export type Job = Schemas['Job'];

const POLL_MS = 1000;
const active = (job: Job | undefined | null) => job?.state === 'queued' || job?.state === 'running';

export const syncKeys = {
  cloud: (cloudId: string | null) => ['catalog', 'cloud', cloudId] as const,
  latestSync: (cloudId: string | null) => ['jobs', 'latest-sync', cloudId] as const,
  recentSyncs: (cloudId: string | null) => ['jobs', 'recent-syncs', cloudId] as const,
};

/** One cloud (its driver and last sync time). */
export function useCloud(cloudId: string | null) {
  return useQuery({
    queryKey: syncKeys.cloud(cloudId),
    enabled: cloudId !== null,
    queryFn: async () => unwrap(await api.GET('/v1/clouds/{c}', { params: { path: { c: cloudId! } } })),
  });
}

/**
 * The cloud's latest sync job (R-JOB-1), followed every second while it is queued or running;
 * when it ends, the catalog's reads of the cloud are refreshed.
 */
export function useLatestSync(cloudId: string | null) {
  const invalidate = useInvalidate();
  return useQuery({
    queryKey: syncKeys.latestSync(cloudId),
    enabled: cloudId !== null,
    queryFn: async ({ client }) => {
      const before = client.getQueryData<Job | null>(syncKeys.latestSync(cloudId));
      const page = unwrap(
        await api.GET('/v1/jobs', { params: { query: { cloudId: cloudId!, kind: 'cloud_sync', limit: 1 } } }),
      );
      const job = page.items[0] ?? null;
      if (active(before) && !active(job))
        void invalidate(
          ['catalog', 'images', cloudId],
          ['catalog', 'instance-types', cloudId],
          syncKeys.cloud(cloudId),
          catalogKeys.clouds(),
        );
      return job;
    },
    refetchInterval: (query) => (active(query.state.data) ? POLL_MS : false),
  });
}

/** `POST /v1/clouds/{c}/sync`: the whole cloud (superuser); answers the job (a running one if any). */
export function useSyncNow(cloudId: string | null) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/v1/clouds/{c}/sync', { params: { path: { c: cloudId! }, query: {} } })),
    onSuccess: () => invalidate(syncKeys.latestSync(cloudId)),
  });
}

/** The cloud's recent syncs (newest first), refreshed with the latest one. */
export function useRecentSyncs(cloudId: string | null, latest: Job | null | undefined) {
  return useQuery({
    queryKey: [...syncKeys.recentSyncs(cloudId), latest?.id, latest?.state],
    enabled: cloudId !== null,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/jobs', { params: { query: { cloudId: cloudId!, kind: 'cloud_sync', limit: 5 } } }),
      ).items,
  });
}
