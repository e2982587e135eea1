import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { PAGE_SIZE, usePaged } from '../../ui/paged.ts';

export type Cloud = Schemas['Cloud'];
export type Image = Schemas['Image'];
export type CpuArchitecture = Image['cpuArchitecture'];

export interface ImageFilters {
  q?: string;
  cpuArchitecture?: CpuArchitecture;
  state?: Image['state'];
  /** Only images this account can use (the API decides: R-MCI-2, "can use"). */
  usableBy?: string;
}

export const catalogKeys = {
  clouds: () => ['catalog', 'clouds'] as const,
  cloudSearch: (q: string) => [...catalogKeys.clouds(), 'search', q] as const,
  cloudDirectory: () => [...catalogKeys.clouds(), 'directory'] as const,
  images: (cloudId: string | null, filters: ImageFilters) => ['catalog', 'images', cloudId, filters] as const,
  image: (id: string | null | undefined) => ['catalog', 'image', id] as const,
  instanceTypes: (cloudId: string | null, cpuArchitecture?: CpuArchitecture) =>
    ['catalog', 'instance-types', cloudId, cpuArchitecture ?? null] as const,
  instanceType: (id: string | null | undefined) => ['catalog', 'instance-type', id] as const,
};

/** Clouds whose name contains `q`, a page at a time (for pickers). */
export function useCloudSearch(q: string) {
  return usePaged(catalogKeys.cloudSearch(q), async (cursor) =>
    unwrap(
      await api.GET('/v1/clouds', { params: { query: { q: q || undefined, limit: PAGE_SIZE, cursor } } }),
    ),
  );
}

/**
 * Every cloud of the installation, for naming cloud ids and for the coverage matrix's columns:
 * read page by page once, then cached. Pickers use {@link useCloudSearch} instead.
 */
export function useCloudDirectory(enabled = true) {
  const query = useQuery({
    queryKey: catalogKeys.cloudDirectory(),
    enabled,
    staleTime: 60_000,
    queryFn: async () => {
      const clouds: Cloud[] = [];
      let cursor: string | undefined;
      do {
        const page = unwrap(await api.GET('/v1/clouds', { params: { query: { limit: 500, cursor } } }));
        clouds.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return clouds;
    },
  });
  const names = new Map((query.data ?? []).map((c) => [c.id, c.name]));
  return Object.assign(query, { nameOf: (id: string) => names.get(id) ?? id });
}

/** Images of a cloud matching the filters, a page at a time. */
export function useImages(cloudId: string | null, filters: ImageFilters) {
  return usePaged(
    catalogKeys.images(cloudId, filters),
    async (cursor) =>
      unwrap(
        await api.GET('/v1/clouds/{c}/images', {
          params: {
            path: { c: cloudId! },
            query: { ...filters, q: filters.q || undefined, limit: PAGE_SIZE, cursor },
          },
        }),
      ),
    { enabled: Boolean(cloudId) },
  );
}

/** One image of a cloud, for its name and resourceUid. */
export function useImage(cloudId: string, id: string | null | undefined) {
  return useQuery({
    queryKey: catalogKeys.image(id),
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/clouds/{c}/images/{id}', { params: { path: { c: cloudId, id: id! } } })),
  });
}

/** Instance types of a cloud, those that fit an architecture when one is given, a page at a time. */
export function useInstanceTypes(
  cloudId: string | null,
  cpuArchitecture?: CpuArchitecture,
  options: { enabled?: boolean } = {},
) {
  return usePaged(
    catalogKeys.instanceTypes(cloudId, cpuArchitecture),
    async (cursor) =>
      unwrap(
        await api.GET('/v1/clouds/{c}/instance-types', {
          params: { path: { c: cloudId! }, query: { cpuArchitecture, limit: PAGE_SIZE, cursor } },
        }),
      ),
    { enabled: Boolean(cloudId) && (options.enabled ?? true) },
  );
}

/** One instance type of a cloud. */
export function useInstanceType(cloudId: string, id: string | null | undefined) {
  return useQuery({
    queryKey: catalogKeys.instanceType(id),
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/instance-types/{id}', { params: { path: { c: cloudId, id: id! } } }),
      ),
  });
}
