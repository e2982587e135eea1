import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback } from 'react';

/** The areas whose cached reads belong to one account; every key of an area starts with this pair. */
export type Area = 'mcis' | 'templates' | 'deployments' | 'marketplace' | 'sharing' | 'members';

export const areaKey = (area: Area, accountId: string) => [area, accountId] as const;

/**
 * Marks cached reads stale (refetching those on screen) and resolves when they are fresh again.
 * Mutation hooks use it for their own area and for the areas a change shows up in (a commit of a
 * template commits its HEAD MCIs; an MCI's clouds are its templates' clouds), without importing them.
 */
export function useInvalidate(): (...keys: QueryKey[]) => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(
    async (...keys) => {
      await Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
    [queryClient],
  );
}
