import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { areaKey, useInvalidate } from '../cache.ts';
import { useMarketplaceOverview } from '../marketplace/queries.ts';
import { useAccountDirectory } from '../session/queries.ts';
import { useAccountId, useSession } from '../session/session.tsx';

export type AccountGroup = Schemas['AccountGroup'];

export const sharingKeys = {
  all: (a: string) => areaKey('sharing', a),
  groups: (a: string) => [...sharingKeys.all(a), 'groups'] as const,
  groupInvitations: (a: string, g: string) => [...sharingKeys.groups(a), g, 'invitations'] as const,
  received: (a: string) => [...sharingKeys.all(a), 'received'] as const,
};

/** Groups this account owns or belongs to (R-GRP-1). */
export function useGroups(enabled = true) {
  const a = useAccountId();
  return useQuery({
    queryKey: sharingKeys.groups(a),
    enabled,
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/account-groups', { params: { path: { a } } })).items,
  });
}

export function useGroupInvitations(g: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: sharingKeys.groupInvitations(a, g),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/account-groups/{g}/invitations', { params: { path: { a, g } } }))
        .items,
  });
}

/** Invitations other groups sent this account. */
export function useReceivedInvitations() {
  const a = useAccountId();
  return useQuery({
    queryKey: sharingKeys.received(a),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/invitations', { params: { path: { a } } })).items,
  });
}

/**
 * Names of the accounts the caller can see (its own, or all for the superuser) and of the
 * publishers in its marketplace; other accounts are shown by id, as the API names them.
 */
export function useAccountNames(): (id: string) => string {
  const { me } = useSession();
  const accounts = useAccountDirectory();
  const { publishers } = useMarketplaceOverview();
  const names = new Map<string, string>(me.accounts.map((a) => [a.id, a.name]));
  for (const [id, name] of publishers) names.set(id, name);
  for (const a of accounts.data ?? []) names.set(a.id, a.name);
  return (id) => names.get(id) ?? id;
}

function useSharingChanged() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return () => invalidate(sharingKeys.all(a), areaKey('marketplace', a));
}

export function useCreateGroup() {
  const a = useAccountId();
  const changed = useSharingChanged();
  return useMutation({
    mutationFn: async (body: { name: string; description: string }) =>
      unwrap(await api.POST('/v1/accounts/{a}/account-groups', { params: { path: { a } }, body })),
    onSuccess: changed,
  });
}

export function useRemoveMember(g: string) {
  const a = useAccountId();
  const changed = useSharingChanged();
  return useMutation({
    mutationFn: async (accountId: string) =>
      unwrap(
        await api.DELETE('/v1/accounts/{a}/account-groups/{g}/members/{accountId}', {
          params: { path: { a, g, accountId } },
        }),
      ),
    onSuccess: changed,
  });
}

/** Invites an account; the answer carries the code, shown only once. */
export function useInvite(g: string) {
  const a = useAccountId();
  const changed = useSharingChanged();
  return useMutation({
    mutationFn: async (accountId: string) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/account-groups/{g}/invitations', {
          params: { path: { a, g } },
          body: { accountId },
        }),
      ),
    onSuccess: changed,
  });
}

export function useCancelInvitation(g: string) {
  const a = useAccountId();
  const changed = useSharingChanged();
  return useMutation({
    mutationFn: async (invitationId: string) =>
      unwrap(
        await api.DELETE('/v1/accounts/{a}/account-groups/{g}/invitations/{invitationId}', {
          params: { path: { a, g, invitationId } },
        }),
      ),
    onSuccess: changed,
  });
}

/** Joins a group with the code its owner sent (an admin of the invited account). */
export function useAcceptInvitation() {
  const a = useAccountId();
  const changed = useSharingChanged();
  return useMutation({
    mutationFn: async (code: string) =>
      unwrap(
        await api.POST('/v1/accounts/{b}/invitations/{code}/accept', { params: { path: { b: a, code } } }),
      ),
    onSuccess: changed,
  });
}
