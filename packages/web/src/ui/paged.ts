import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

/** One page of a keyset-paginated list, as every list endpoint answers. */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** Rows a picker or a list asks for at a time; the next page comes on demand. */
export const PAGE_SIZE = 50;

/**
 * A paged list: the first page now, the next ones through `fetchNextPage` (a "Load more" button, or a
 * picker scrolled to its end). `items` flattens the pages loaded so far.
 */
export function usePaged<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: { enabled?: boolean } = {},
) {
  const query = useInfiniteQuery({
    queryKey,
    enabled: options.enabled ?? true,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return Object.assign(query, { items: query.data?.pages.flatMap((p) => p.items) });
}

export type Paged<T> = ReturnType<typeof usePaged<T>>;
