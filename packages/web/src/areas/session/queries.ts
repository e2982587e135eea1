import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, ApiProblem, unwrap, type Schemas } from '../../api.ts';
import { PAGE_SIZE } from '../../ui/paged.ts';

export type Me = Schemas['Me'];
export type Role = Me['accounts'][number]['roles'][number];

const ALL_ROLES: Role[] = ['observer', 'actor', 'designer', 'library', 'publisher', 'admin'];

export const sessionKeys = {
  me: () => ['me'] as const,
  accounts: () => ['accounts'] as const,
};

/** The signed-in user, or `null` (401) so the app shows the sign-in page. */
export function useMe() {
  return useQuery({
    queryKey: sessionKeys.me(),
    queryFn: async () => {
      try {
        return unwrap(await api.GET('/v1/me'));
      } catch (err) {
        if (err instanceof ApiProblem && err.status === 401) return null;
        throw err;
      }
    },
    retry: false,
  });
}

/** Password sign-in; the server sets an HttpOnly session cookie. */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { email: string; password: string }) =>
      unwrap(await api.POST('/v1/session', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKeys.me() }),
  });
}

/** Ends the session and forgets everything cached for it. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useCallback(async () => {
    await api.DELETE('/v1/session');
    queryClient.clear();
    await queryClient.invalidateQueries({ queryKey: sessionKeys.me() });
  }, [queryClient]);
}

/** Everything cached belongs to one account: switching refetches it all. */
export function useAccountSwitch() {
  const queryClient = useQueryClient();
  return useCallback(() => void queryClient.invalidateQueries(), [queryClient]);
}

/** A superuser's first account, which they join with every role. */
export function useCreateFirstAccount(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) => {
      const account = unwrap(await api.POST('/v1/accounts', { body: { name, description: '' } }));
      unwrap(
        await api.PUT('/v1/accounts/{a}/members/{userId}', {
          params: { path: { a: account.id, userId } },
          body: { roles: ALL_ROLES },
        }),
      );
      return account;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKeys.me() }),
  });
}

/** The accounts the caller can see (its own, or the first page of all for the superuser), for names. */
export function useAccountDirectory() {
  return useQuery({
    queryKey: sessionKeys.accounts(),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts', { params: { query: { limit: PAGE_SIZE } } })).items,
  });
}
