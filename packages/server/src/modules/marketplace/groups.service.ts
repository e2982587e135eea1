import {
  authorizeAccount,
  ConflictError,
  INVITATION_TTL_MS,
  invitationStateAt,
  NotFoundError,
  type Principal,
} from '@mci/core';
import {
  identityRepository,
  marketplaceRepository,
  type Executor,
  type GroupRecord,
  type InvitationRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { mutate } from '../../unit-of-work.ts';
import { hashSecret, newSecret } from '../../security/secrets.ts';

/** A group the account owns (for changes) — others' groups are 404. */
async function requireOwnedGroup(db: Executor, accountId: string, groupId: string): Promise<GroupRecord> {
  const group = await marketplaceRepository.findGroup(db, groupId);
  if (!group || group.ownerAccountId !== accountId) throw new NotFoundError('account group', groupId);
  return group;
}

/** The effective state, with expiry applied (R-GRP-1). */
function present(inv: InvitationRecord, now: Date): InvitationRecord {
  return { ...inv, state: invitationStateAt(inv, now) };
}

export async function createGroup(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: { name: string; description: string },
) {
  authorizeAccount(principal, accountId, 'group.write');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const group = await marketplaceRepository.insertGroup(tx, { ownerAccountId: accountId, ...input });
    audit({
      accountId,
      targetType: 'account_group',
      targetId: group.id,
      action: 'group.create',
      summary: `created account group "${group.name}"`,
    });
    return group;
  });
}

export async function listGroups(ctx: AppContext, principal: Principal, accountId: string) {
  authorizeAccount(principal, accountId, 'account.read');
  return { items: await marketplaceRepository.groupsOf(ctx.db, accountId), nextCursor: null };
}

export async function getGroup(ctx: AppContext, principal: Principal, accountId: string, groupId: string) {
  authorizeAccount(principal, accountId, 'account.read');
  const group = await marketplaceRepository.findGroup(ctx.db, groupId);
  if (!group || (group.ownerAccountId !== accountId && !group.memberAccountIds.includes(accountId))) {
    throw new NotFoundError('account group', groupId);
  }
  return group;
}

/** R-GRP-1: the owner's publisher invites an account; the code is returned once. */
export async function invite(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  groupId: string,
  inviteeAccountId: string,
) {
  authorizeAccount(principal, accountId, 'group.write');
  return mutate(ctx, principal, async ({ tx, now, audit }) => {
    const group = await requireOwnedGroup(tx, accountId, groupId);
    const invitee = await identityRepository.findAccount(tx, inviteeAccountId);
    if (!invitee) {
      throw new NotFoundError('account', inviteeAccountId);
    }
    if (group.memberAccountIds.includes(inviteeAccountId)) {
      throw new ConflictError(
        'already_member',
        `Account "${invitee.name}" is already a member of "${group.name}"`,
      );
    }
    const code = newSecret('inv_');
    const invitation = await marketplaceRepository.insertInvitation(tx, {
      groupId,
      inviteeAccountId,
      codeHash: hashSecret(code),
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
    });
    audit({
      accountId,
      targetType: 'account_group',
      targetId: groupId,
      action: 'group.invite',
      summary: `invited account "${invitee.name}" to "${group.name}"`,
    });
    audit({
      accountId: inviteeAccountId,
      targetType: 'invitation',
      targetId: invitation.id,
      action: 'invitation.received',
      summary: `was invited to account group "${group.name}"`,
    });
    return { ...invitation, code };
  });
}

export async function listGroupInvitations(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  groupId: string,
) {
  authorizeAccount(principal, accountId, 'group.write');
  await requireOwnedGroup(ctx.db, accountId, groupId);
  const now = ctx.clock();
  return {
    items: (await marketplaceRepository.listInvitations(ctx.db, { groupId })).map((i) => present(i, now)),
    nextCursor: null,
  };
}

export async function listReceivedInvitations(ctx: AppContext, principal: Principal, accountId: string) {
  authorizeAccount(principal, accountId, 'account.read');
  const now = ctx.clock();
  const items = await marketplaceRepository.listInvitations(ctx.db, { inviteeAccountId: accountId });
  return { items: items.map((i) => present(i, now)), nextCursor: null };
}

export async function cancelInvitation(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  groupId: string,
  invitationId: string,
) {
  authorizeAccount(principal, accountId, 'group.write');
  return mutate(ctx, principal, async ({ tx, now, audit }) => {
    await requireOwnedGroup(tx, accountId, groupId);
    const inv = await marketplaceRepository.findInvitation(tx, invitationId);
    if (!inv || inv.groupId !== groupId) throw new NotFoundError('invitation', invitationId);
    const state = invitationStateAt(inv, now);
    if (state !== 'pending')
      throw new ConflictError(
        'invitation_not_pending',
        `The invitation is ${state}; only pending invitations can be cancelled`,
      );
    const cancelled = await marketplaceRepository.setInvitationState(tx, invitationId, 'cancelled');
    audit({
      accountId,
      targetType: 'invitation',
      targetId: invitationId,
      action: 'invitation.cancel',
      summary: `cancelled the invitation of ${inv.inviteeAccountId}`,
    });
    return cancelled;
  });
}

/** R-GRP-1: an admin of the invited account accepts with the code; single use; expires after six days. */
export async function acceptInvitation(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  code: string,
) {
  authorizeAccount(principal, accountId, 'invitation.accept');
  return mutate(ctx, principal, async ({ tx, now, audit }) => {
    const inv = await marketplaceRepository.findInvitationByCode(tx, hashSecret(code));
    if (!inv || inv.inviteeAccountId !== accountId) throw new NotFoundError('invitation', 'with this code');
    const state = invitationStateAt(inv, now);
    if (state !== 'pending') {
      throw new ConflictError(
        `invitation_${state}`,
        `This invitation is ${state} and can no longer be accepted`,
      );
    }
    await marketplaceRepository.addMember(tx, inv.groupId, accountId);
    const accepted = await marketplaceRepository.setInvitationState(tx, inv.id, 'accepted', now);
    const group = (await marketplaceRepository.findGroup(tx, inv.groupId))!;
    audit({
      accountId,
      targetType: 'account_group',
      targetId: group.id,
      action: 'group.join',
      summary: `joined account group "${group.name}"`,
    });
    audit({
      accountId: group.ownerAccountId,
      targetType: 'account_group',
      targetId: group.id,
      action: 'group.member_joined',
      summary: `account ${accountId} joined "${group.name}"`,
    });
    return { invitation: accepted, group };
  });
}

/** R-GRP-1: removing a member stops future imports only; what it imported stays. */
export async function removeMember(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  groupId: string,
  memberAccountId: string,
) {
  authorizeAccount(principal, accountId, 'group.write');
  await mutate(ctx, principal, async ({ tx, audit }) => {
    const group = await requireOwnedGroup(tx, accountId, groupId);
    if (!(await marketplaceRepository.removeMember(tx, groupId, memberAccountId))) {
      throw new NotFoundError('group member', memberAccountId);
    }
    audit({
      accountId,
      targetType: 'account_group',
      targetId: groupId,
      action: 'group.remove_member',
      summary: `removed account ${memberAccountId} from "${group.name}"`,
    });
  });
}
