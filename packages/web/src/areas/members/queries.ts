import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { PAGE_SIZE, usePaged } from '../../ui/paged.ts';
import { areaKey, useInvalidate } from '../cache.ts';
import { sessionKeys, type Role } from '../session/queries.ts';
import { useAccountId } from '../session/session.tsx';

export type Member = Schemas['Member'];
export type MemberInvitation = Schemas['MemberInvitation'];

export const ALL_ROLES: Role[] = ['observer', 'actor', 'designer', 'library', 'publisher', 'admin'];

export const memberKeys = {
  all: (a: string) => areaKey('members', a),
  members: (a: string) => [...memberKeys.all(a), 'members'] as const,
  invitations: (a: string) => [...memberKeys.all(a), 'invitations'] as const,
  /** Invitations addressed to the signed-in user: not of one account. */
  mine: () => ['my-member-invitations'] as const,
};

/** The current account's members and their roles. */
export function useMembers() {
  const a = useAccountId();
  return usePaged<Member>(memberKeys.members(a), async (cursor) =>
    unwrap(
      await api.GET('/v1/accounts/{a}/members', {
        params: { path: { a }, query: { limit: PAGE_SIZE, cursor } },
      }),
    ),
  );
}

/** The current account's open member invitations (admins). */
export function useAccountInvitations(enabled: boolean) {
  const a = useAccountId();
  return usePaged<MemberInvitation>(
    memberKeys.invitations(a),
    async (cursor) =>
      unwrap(
        await api.GET('/v1/accounts/{a}/member-invitations', {
          params: { path: { a }, query: { limit: PAGE_SIZE, cursor } },
        }),
      ),
    { enabled },
  );
}

function useMembersChanged() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return () => invalidate(memberKeys.all(a), sessionKeys.me());
}

/** Invites an email address with roles; the person becomes a member once they accept. */
export function useInviteMember() {
  const a = useAccountId();
  const changed = useMembersChanged();
  return useMutation({
    mutationFn: async (body: { email: string; roles: Role[] }) =>
      unwrap(await api.POST('/v1/accounts/{a}/member-invitations', { params: { path: { a } }, body })),
    onSuccess: changed,
  });
}

export function useCancelMemberInvitation() {
  const a = useAccountId();
  const changed = useMembersChanged();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/v1/accounts/{a}/member-invitations/{id}', { params: { path: { a, id } } })),
    onSuccess: changed,
  });
}

export function useSetRoles() {
  const a = useAccountId();
  const changed = useMembersChanged();
  return useMutation({
    mutationFn: async ({ userId, roles }: { userId: string; roles: Role[] }) =>
      unwrap(
        await api.PUT('/v1/accounts/{a}/members/{userId}', {
          params: { path: { a, userId } },
          body: { roles },
        }),
      ),
    onSuccess: changed,
  });
}

export function useRemoveMember() {
  const a = useAccountId();
  const changed = useMembersChanged();
  return useMutation({
    mutationFn: async (userId: string) =>
      unwrap(await api.DELETE('/v1/accounts/{a}/members/{userId}', { params: { path: { a, userId } } })),
    onSuccess: changed,
  });
}

/** Invitations addressed to the signed-in user (any account). */
export function useMyInvitations() {
  return useQuery({
    queryKey: memberKeys.mine(),
    queryFn: async () =>
      unwrap(await api.GET('/v1/me/member-invitations', { params: { query: { limit: PAGE_SIZE } } })).items,
  });
}

/** Accepting makes the caller a member: the session's accounts change. */
export function useAnswerInvitation() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, accept }: { id: string; accept: boolean }) => {
      if (accept) {
        return unwrap(await api.POST('/v1/me/member-invitations/{id}/accept', { params: { path: { id } } }));
      }
      unwrap(await api.POST('/v1/me/member-invitations/{id}/decline', { params: { path: { id } } }));
      return undefined;
    },
    onSuccess: () => invalidate(memberKeys.mine(), sessionKeys.me()),
  });
}
