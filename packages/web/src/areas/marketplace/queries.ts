import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { PAGE_SIZE, usePaged } from '../../ui/paged.ts';
import { areaKey, useInvalidate } from '../cache.ts';
import { useAccountId } from '../session/session.tsx';

export type Publication = Schemas['Publication'];
export type ImportResult = Schemas['ImportResult'];
export type PublishResult = Schemas['PublishResult'];
export type Preflight = Schemas['Preflight'];

export interface MarketFilters {
  q?: string;
  kind?: Publication['kind'];
  category?: string;
  cloudId?: string;
}

export interface PublishInput {
  sourceId: string;
  visibility: 'public' | 'groups';
  groupIds: string[];
  shortDescription: string;
  longDescription: string;
  categories: string[];
  strict: boolean;
}

export const marketKeys = {
  all: (a: string) => areaKey('marketplace', a),
  list: (a: string, filters: MarketFilters) => [...marketKeys.all(a), 'list', filters] as const,
  publications: (a: string) => [...marketKeys.all(a), 'publications'] as const,
};

/** What this account may import (R-PUB-3), filtered on the server, a page at a time. */
export function useMarketplace(filters: MarketFilters) {
  const a = useAccountId();
  return usePaged(marketKeys.list(a, filters), async (cursor) =>
    unwrap(
      await api.GET('/v1/accounts/{a}/marketplace', {
        params: { path: { a }, query: { ...filters, limit: PAGE_SIZE, cursor } },
      }),
    ),
  );
}

/** The categories and publishers among the marketplace's first page (for the filter and for names). */
export function useMarketplaceOverview() {
  const market = useMarketplace({});
  const items = market.items ?? [];
  return {
    categories: [...new Set(items.flatMap((p) => p.categories))].sort(),
    publishers: new Map(items.map((p) => [p.publisherAccountId, p.publisherName])),
  };
}

/** This account's publications, newest first. */
export function usePublications() {
  const a = useAccountId();
  return usePaged(marketKeys.publications(a), async (cursor) =>
    unwrap(
      await api.GET('/v1/accounts/{a}/publications', {
        params: { path: { a }, query: { limit: PAGE_SIZE, cursor } },
      }),
    ),
  );
}

/** R-IMP-1/2: imports a publication (once; a second import says so); the copy joins MCIs or templates. */
export function useImport() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (publicationId: string) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/imports', { params: { path: { a } }, body: { publicationId } }),
      ),
    onSuccess: () => invalidate(areaKey('mcis', a), areaKey('templates', a)),
  });
}

/** Deprecates an active publication or reactivates a deprecated one. */
export function useTogglePublication() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (p: Publication) => {
      const params = { params: { path: { a, p: p.id } } };
      return unwrap(
        p.state === 'active'
          ? await api.POST('/v1/accounts/{a}/publications/{p}/deprecate', params)
          : await api.POST('/v1/accounts/{a}/publications/{p}/reactivate', params),
      );
    },
    onSuccess: () => invalidate(marketKeys.all(a)),
  });
}

/** R-GRP-2: whether every receiving account could launch every image, for the body of a publish. */
export function usePreflight() {
  const a = useAccountId();
  return useMutation({
    mutationFn: async (body: PublishInput) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/publications/preflight', {
          params: { path: { a } },
          body: { ...body, strict: false },
        }),
      ),
  });
}

/** R-PUB-1/2: publishes a committed revision (a template takes its unpublished MCIs along). */
export function usePublish() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: PublishInput) =>
      unwrap(await api.POST('/v1/accounts/{a}/publications', { params: { path: { a } }, body })),
    onSuccess: () => invalidate(marketKeys.all(a)),
  });
}

export type PublicationRecheck = Schemas['PublicationRecheck'];

/**
 * R-GRP-2 again for a publication already made: its current receivers, and private images'
 * launch permissions asked of the cloud (read fresh each time the dialog opens).
 */
export function useRecheck(publicationId: string | null) {
  const a = useAccountId();
  return useQuery({
    queryKey: [...marketKeys.all(a), 'recheck', publicationId] as const,
    enabled: Boolean(publicationId),
    staleTime: 0,
    gcTime: 0,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/publications/{p}/preflight', {
          params: { path: { a, p: publicationId! } },
        }),
      ),
  });
}
