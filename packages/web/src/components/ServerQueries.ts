import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api.ts';

export type Server = Schemas['Server'];
export type Inherited = Server['inheritedSource']['mci'];
export const SERVER_STATES: Server['state'][] = [
  'inactive',
  'pending',
  'booting',
  'operational',
  'terminating',
  'stopped',
];

/** Every cloud of the installation (shares its cache with the MCI page's cloud picker). */
export function useClouds() {
  return useQuery({
    queryKey: ['clouds'],
    queryFn: async () => unwrap(await api.GET('/v1/clouds', { params: { query: { limit: 500 } } })).items,
  });
}

/** One MCI revision of the account (same cache entry as the MCI page). */
export function useMci(accountId: string, id: string | null | undefined) {
  return useQuery({
    queryKey: ['mci', id],
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}', { params: { path: { a: accountId, id: id! } } })),
  });
}

/** One image of a cloud, for its name and resourceUid. */
export function useImage(cloudId: string, id: string | null | undefined) {
  return useQuery({
    queryKey: ['image', id],
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/clouds/{c}/images/{id}', { params: { path: { c: cloudId, id: id! } } })),
  });
}

/** One instance type of a cloud. */
export function useInstanceType(cloudId: string, id: string | null | undefined) {
  return useQuery({
    queryKey: ['instance-type', id],
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/instance-types/{id}', { params: { path: { c: cloudId, id: id! } } }),
      ),
  });
}

/** Images of a cloud the account can use (the API decides: R-MCI-2, "can use"). */
export function useUsableImages(accountId: string, cloudId: string | null, q: string) {
  return useQuery({
    queryKey: ['usable-images', cloudId, q],
    enabled: Boolean(cloudId),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/images', {
          params: { path: { c: cloudId! }, query: { usableBy: accountId, q: q || undefined, limit: 200 } },
        }),
      ).items,
  });
}

/** Instance types of a cloud that fit an architecture. */
export function useFittingTypes(
  cloudId: string | null,
  cpuArchitecture: Schemas['Image']['cpuArchitecture'] | undefined,
) {
  return useQuery({
    queryKey: ['fitting-types', cloudId, cpuArchitecture],
    enabled: Boolean(cloudId && cpuArchitecture),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/instance-types', {
          params: {
            path: { c: cloudId! },
            query: { cpuArchitecture, limit: 500 },
          },
        }),
      ).items,
  });
}

export function revisionLabel(revision: number): string {
  return revision === 0 ? 'HEAD' : `r${revision}`;
}
