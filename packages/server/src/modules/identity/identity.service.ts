import {
  authorizeAccount,
  authorizeInstallation,
  authorizeSelfOrSuperuser,
  ConflictError,
  decodeCursor,
  ForbiddenError,
  NotFoundError,
  toPage,
  UnauthenticatedError,
  type Page,
  type Principal,
  type Role,
} from '@mci/core';
import {
  authThrottleRepository,
  identityRepository,
  memberInvitationRepository,
  type AccountRecord,
  type Executor,
  type MemberInvitationRecord,
  type MemberRecord,
  type TokenInfo,
  type UserRecord,
} from '@mci/db';
import { LIMITS } from '@mci/core';
import type { AppContext } from '../../context.ts';
import { mutate } from '../../unit-of-work.ts';
import {
  dummyPasswordHash,
  hashPassword,
  hashSecret,
  newSecret,
  verifyPassword,
} from '../../security/secrets.ts';
import { DEFAULT_AUTH_THROTTLE, reserveAttempt, throttleKeys } from '../../security/throttle.ts';

/** Tokens start with this so that secret scanners and people recognise them. */
export const TOKEN_PREFIX = 'mci_';

export async function getMe(ctx: AppContext, principal: Principal) {
  const user = await identityRepository.findUser(ctx.db, principal.userId);
  if (!user) throw new UnauthenticatedError();
  const accounts = await identityRepository.findAccountsByIds(ctx.db, [...principal.memberships.keys()]);
  return {
    user,
    accounts: accounts
      .sort((x, y) => x.name.localeCompare(y.name))
      .map((a) => ({ id: a.id, name: a.name, roles: [...(principal.memberships.get(a.id) ?? [])] })),
  };
}

/** The one answer to a failed sign-in, whether the address is unknown, has no password or the password is wrong. */
export const SIGN_IN_FAILED = 'The email or password is not correct';

/**
 * Password sign-in for the dashboard: returns the new session secret for the cookie.
 *
 * Throttled per client address and per email address (ADR 009): each attempt is counted before the
 * password is checked and given back when it succeeds. An unknown address is checked against a
 * dummy hash of the same cost and answers exactly what a wrong password answers.
 */
export async function createSession(
  ctx: AppContext,
  input: { email: string; password: string },
  client: { ip: string },
): Promise<{ user: UserRecord; sessionSecret: string; expiresAt: Date }> {
  const policy = ctx.authThrottle ?? DEFAULT_AUTH_THROTTLE;
  const clientKey = throttleKeys.signInClient(client.ip);
  const emailKey = throttleKeys.email(input.email);
  await reserveAttempt(ctx, clientKey, policy.perClient, 'sign-ins from this client');
  try {
    await reserveAttempt(ctx, emailKey, policy.perEmail, 'sign-ins for this email address');
  } catch (error) {
    await authThrottleRepository.release(ctx.db, clientKey);
    throw error;
  }
  const found = await identityRepository.findUserByEmail(ctx.db, input.email);
  const matches = await verifyPassword(input.password, found?.passwordHash ?? (await dummyPasswordHash()));
  if (!found?.passwordHash || !matches) throw new UnauthenticatedError(SIGN_IN_FAILED);

  await authThrottleRepository.clear(ctx.db, emailKey);
  await authThrottleRepository.release(ctx.db, clientKey);
  await authThrottleRepository.prune(
    ctx.db,
    Math.max(policy.perEmail.windowMs, policy.perClient.windowMs),
    ctx.clock(),
  );
  const sessionSecret = newSecret('');
  const expiresAt = new Date(ctx.clock().getTime() + LIMITS.sessionTtlHours * 3600_000);
  const { passwordHash: _omit, ...user } = found;
  // Signing in is done by the user signing in, who has no principal yet.
  const signingIn: Principal = {
    userId: user.id,
    email: user.email,
    isSuperuser: false,
    memberships: new Map(),
  };
  await mutate(ctx, signingIn, async ({ tx, audit }) => {
    await identityRepository.insertSession(tx, {
      idHash: hashSecret(sessionSecret),
      userId: user.id,
      expiresAt,
    });
    audit({
      accountId: null,
      action: 'session.create',
      targetType: 'user',
      targetId: user.id,
      summary: `${user.email} signed in`,
    });
  });
  return { user, sessionSecret, expiresAt };
}

export async function deleteSession(ctx: AppContext, sessionSecret: string | undefined): Promise<void> {
  if (sessionSecret) await identityRepository.deleteSession(ctx.db, hashSecret(sessionSecret));
}

/**
 * Users are created by the superuser only. An account admin who could create users would learn
 * whether an address already has one (a 409, or a password that does not sign in); they invite
 * the address to their account instead, which answers the same whoever it belongs to (ADR 009).
 */
function authorizeUserCreation(principal: Principal): void {
  if (principal.isSuperuser) return;
  throw new ForbiddenError(
    'superuser_required',
    'Only the installation superuser creates users; an account admin invites people to the account by email (a member invitation)',
  );
}

export async function createUser(
  ctx: AppContext,
  principal: Principal,
  input: { email: string; name: string; password?: string },
): Promise<UserRecord> {
  authorizeUserCreation(principal);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const user = await identityRepository.insertUser(tx, {
      email: input.email,
      name: input.name,
      passwordHash,
    });
    audit({
      accountId: null,
      action: 'user.create',
      targetType: 'user',
      targetId: user.id,
      summary: `created user ${user.email}`,
    });
    return user;
  });
}

export async function getUser(ctx: AppContext, principal: Principal, id: string): Promise<UserRecord> {
  authorizeSelfOrSuperuser(principal, id);
  const user = await identityRepository.findUser(ctx.db, id);
  if (!user) throw new NotFoundError('user', id);
  return user;
}

export async function listUsers(
  ctx: AppContext,
  principal: Principal,
  page: { limit: number; cursor?: string },
): Promise<Page<UserRecord>> {
  authorizeInstallation(principal, 'user.list');
  const after = page.cursor ? String(decodeCursor(page.cursor, 1)[0]) : undefined;
  const rows = await identityRepository.listUsers(ctx.db, after, page.limit);
  return toPage(rows, page.limit, (u) => [u.id]);
}

/** A new API token for a user (self or superuser); the secret is returned once, only its hash is kept. */
export async function createToken(ctx: AppContext, principal: Principal, userId: string, name: string) {
  authorizeSelfOrSuperuser(principal, userId);
  const user = await identityRepository.findUser(ctx.db, userId);
  if (!user) throw new NotFoundError('user', userId);
  const token = newSecret(TOKEN_PREFIX);
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const record = await identityRepository.insertToken(tx, { userId, name, tokenHash: hashSecret(token) });
    audit({
      accountId: null,
      action: 'token.create',
      targetType: 'user',
      targetId: userId,
      summary: `created API token "${name}" for ${user.email}`,
    });
    return { ...record, token };
  });
}

/** A user's API tokens (self or superuser): metadata and last use, never the secret. */
export async function listTokens(
  ctx: AppContext,
  principal: Principal,
  userId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<TokenInfo>> {
  authorizeSelfOrSuperuser(principal, userId);
  if (!(await identityRepository.findUser(ctx.db, userId))) throw new NotFoundError('user', userId);
  const after = page.cursor ? String(decodeCursor(page.cursor, 1)[0]) : undefined;
  const rows = await identityRepository.listTokens(ctx.db, userId, after, page.limit);
  return toPage(rows, page.limit, (t) => [t.id]);
}

/** Revokes one of a user's API tokens (self or superuser); it stops authenticating at once. */
export async function revokeToken(
  ctx: AppContext,
  principal: Principal,
  userId: string,
  tokenId: string,
): Promise<void> {
  authorizeSelfOrSuperuser(principal, userId);
  await mutate(ctx, principal, async ({ tx, audit }) => {
    const user = await identityRepository.findUser(tx, userId);
    if (!user) throw new NotFoundError('user', userId);
    const token = await identityRepository.deleteToken(tx, userId, tokenId);
    if (!token) throw new NotFoundError('token', tokenId);
    audit({
      accountId: null,
      action: 'token.delete',
      targetType: 'user',
      targetId: userId,
      summary: `revoked API token "${token.name}" (${token.id}) of ${user.email}`,
    });
  });
}

export async function createAccount(
  ctx: AppContext,
  principal: Principal,
  input: { name: string; description: string },
): Promise<AccountRecord> {
  authorizeInstallation(principal, 'account.create');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const account = await identityRepository.insertAccount(tx, input);
    audit({
      accountId: account.id,
      action: 'account.create',
      targetType: 'account',
      targetId: account.id,
      summary: `created account "${account.name}"`,
    });
    return account;
  });
}

export async function listAccounts(
  ctx: AppContext,
  principal: Principal,
  page: { limit: number; cursor?: string },
): Promise<Page<AccountRecord>> {
  const after = page.cursor ? String(decodeCursor(page.cursor, 1)[0]) : undefined;
  const rows = await identityRepository.listAccounts(ctx.db, {
    after,
    limit: page.limit,
    onlyIds: principal.isSuperuser ? undefined : [...principal.memberships.keys()],
  });
  return toPage(rows, page.limit, (a) => [a.id]);
}

export async function getAccount(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
): Promise<AccountRecord> {
  authorizeAccount(principal, accountId, 'account.read');
  const account = await identityRepository.findAccount(ctx.db, accountId);
  if (!account) throw new NotFoundError('account', accountId);
  return account;
}

export async function listMembers(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<MemberRecord>> {
  await getAccount(ctx, principal, accountId);
  const after = page.cursor ? String(decodeCursor(page.cursor, 1)[0]) : undefined;
  const rows = await identityRepository.listMembers(ctx.db, accountId, after, page.limit);
  return toPage(rows, page.limit, (m) => [m.userId]);
}

/** An account keeps at least one admin, or nobody could manage its members again. */
async function assertKeepsAnAdmin(
  tx: Executor,
  accountId: string,
  userId: string,
  nextRoles: readonly Role[],
): Promise<void> {
  const current = await identityRepository.findMember(tx, accountId, userId);
  if (!current?.roles.includes('admin') || nextRoles.includes('admin')) return;
  if ((await identityRepository.countAdmins(tx, accountId)) <= 1) {
    throw new ConflictError('last_admin', `User ${userId} is the last admin of account ${accountId}`, {
      errors: [{ path: 'roles', message: 'an account needs at least one admin' }],
    });
  }
}

/**
 * Replaces a member's roles. An account admin changes the roles of existing members only (anyone
 * else is a 404 `member`, whether or not such a user exists); adding someone goes through a member
 * invitation. The superuser may enrol any user directly.
 */
export async function putMember(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  userId: string,
  roles: Role[],
): Promise<MemberRecord> {
  authorizeAccount(principal, accountId, 'members.manage');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    if (!(await identityRepository.findAccount(tx, accountId))) throw new NotFoundError('account', accountId);
    const current = await identityRepository.findMember(tx, accountId, userId);
    const user =
      current ?? (principal.isSuperuser ? await identityRepository.findUser(tx, userId) : undefined);
    if (!user) throw new NotFoundError(principal.isSuperuser ? 'user' : 'member', userId);
    await assertKeepsAnAdmin(tx, accountId, userId, roles);
    await identityRepository.upsertMembership(tx, accountId, userId, roles);
    audit({
      accountId,
      action: 'member.put',
      targetType: 'user',
      targetId: userId,
      summary: current
        ? `set roles of ${user.email} to ${roles.join(', ')}`
        : `added ${user.email} with roles ${roles.join(', ')}`,
    });
    return { accountId, userId, email: user.email, name: user.name, roles };
  });
}

export async function deleteMember(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  userId: string,
): Promise<void> {
  authorizeAccount(principal, accountId, 'members.manage');
  await mutate(ctx, principal, async ({ tx, audit }) => {
    const member = await identityRepository.findMember(tx, accountId, userId);
    if (!member) throw new NotFoundError('member', userId);
    await assertKeepsAnAdmin(tx, accountId, userId, []);
    await identityRepository.deleteMembership(tx, accountId, userId);
    audit({
      accountId,
      action: 'member.delete',
      targetType: 'user',
      targetId: userId,
      summary: `removed member ${member.email}`,
    });
  });
}

/** How long a member invitation stays open. */
export const MEMBER_INVITATION_TTL_DAYS = 14;

/** The caller's pending invitation `id` (404 for anyone else's, or an unknown id). */
async function invitationOfCaller(
  tx: Executor,
  principal: Principal,
  id: string,
  now: Date,
): Promise<MemberInvitationRecord> {
  const invitation = await memberInvitationRepository.find(tx, { id, email: principal.email }, now);
  if (!invitation) throw new NotFoundError('member invitation', id);
  if (invitation.state !== 'pending') {
    throw new ConflictError('invitation_closed', `Member invitation ${id} is ${invitation.state}`, {
      details: { state: invitation.state },
    });
  }
  return invitation;
}

/**
 * Invites an email address to the account with roles (admin). The answer does not depend on
 * whether the address has a user, or has one that belongs to other accounts: the invitation waits
 * for that address's user to accept it. Only a current member of this account is refused (409).
 */
export async function createMemberInvitation(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: { email: string; roles: Role[] },
): Promise<MemberInvitationRecord> {
  authorizeAccount(principal, accountId, 'members.manage');
  return mutate(ctx, principal, async ({ tx, audit, now }) => {
    if (!(await identityRepository.findAccount(tx, accountId))) throw new NotFoundError('account', accountId);
    if (await identityRepository.findMemberByEmail(tx, accountId, input.email)) {
      throw new ConflictError('already_member', `${input.email} is already a member of this account`, {
        errors: [{ path: 'email', message: 'is already a member; change the roles of the member instead' }],
      });
    }
    const invitation = await memberInvitationRepository.insert(
      tx,
      {
        accountId,
        email: input.email,
        roles: input.roles,
        invitedBy: principal.userId,
        expiresAt: new Date(now.getTime() + MEMBER_INVITATION_TTL_DAYS * 86_400_000),
      },
      now,
    );
    audit({
      accountId,
      action: 'member_invitation.create',
      targetType: 'member_invitation',
      targetId: invitation.id,
      summary: `invited ${invitation.email} with roles ${input.roles.join(', ')}`,
    });
    return invitation;
  });
}

/** An account's open member invitations (admin). */
export async function listMemberInvitations(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<MemberInvitationRecord>> {
  authorizeAccount(principal, accountId, 'members.manage');
  const after = page.cursor ? String(decodeCursor(page.cursor, 1)[0]) : undefined;
  const rows = await memberInvitationRepository.listForAccount(
    ctx.db,
    accountId,
    { after, limit: page.limit },
    ctx.clock(),
  );
  return toPage(rows, page.limit, (i) => [i.id]);
}

/** One of the account's member invitations (admin). */
export async function getMemberInvitation(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
): Promise<MemberInvitationRecord> {
  authorizeAccount(principal, accountId, 'members.manage');
  const invitation = await memberInvitationRepository.find(ctx.db, { id, accountId }, ctx.clock());
  // A cancelled invitation is gone (DELETE); its trace is the audit entry.
  if (!invitation || invitation.state === 'cancelled') throw new NotFoundError('member invitation', id);
  return invitation;
}

/** Withdraws an open member invitation (admin). */
export async function cancelMemberInvitation(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
): Promise<void> {
  authorizeAccount(principal, accountId, 'members.manage');
  await mutate(ctx, principal, async ({ tx, audit, now }) => {
    const invitation = await memberInvitationRepository.find(tx, { id, accountId }, now);
    if (!invitation || invitation.state === 'cancelled') throw new NotFoundError('member invitation', id);
    if (!(await memberInvitationRepository.decide(tx, id, 'cancelled', now))) {
      throw new ConflictError('invitation_closed', `Member invitation ${id} is ${invitation.state}`, {
        details: { state: invitation.state },
      });
    }
    audit({
      accountId,
      action: 'member_invitation.cancel',
      targetType: 'member_invitation',
      targetId: id,
      summary: `cancelled the invitation of ${invitation.email}`,
    });
  });
}

/** The open invitations addressed to the caller's email. */
export async function listMyInvitations(
  ctx: AppContext,
  principal: Principal,
  page: { limit: number; cursor?: string },
): Promise<Page<MemberInvitationRecord>> {
  const after = page.cursor ? String(decodeCursor(page.cursor, 1)[0]) : undefined;
  const rows = await memberInvitationRepository.listForEmail(
    ctx.db,
    principal.email,
    { after, limit: page.limit },
    ctx.clock(),
  );
  return toPage(rows, page.limit, (i) => [i.id]);
}

/**
 * Accepts an invitation addressed to the caller: from now on the caller is a member with its
 * roles (added to any roles it already holds there; an invitation never takes a role away).
 */
export async function acceptMyInvitation(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<MemberRecord> {
  return mutate(ctx, principal, async ({ tx, audit, now }) => {
    const invitation = await invitationOfCaller(tx, principal, id, now);
    if (!(await memberInvitationRepository.decide(tx, id, 'accepted', now))) {
      throw new ConflictError('invitation_closed', `Member invitation ${id} is no longer open`);
    }
    const current = await identityRepository.findMember(tx, invitation.accountId, principal.userId);
    const roles = [...new Set([...(current?.roles ?? []), ...invitation.roles])];
    await identityRepository.upsertMembership(tx, invitation.accountId, principal.userId, roles);
    const user = await identityRepository.findUser(tx, principal.userId);
    if (!user) throw new UnauthenticatedError();
    audit({
      accountId: invitation.accountId,
      action: 'member_invitation.accept',
      targetType: 'member_invitation',
      targetId: id,
      summary: `${user.email} accepted the invitation and joined with roles ${roles.join(', ')}`,
    });
    return { accountId: invitation.accountId, userId: user.id, email: user.email, name: user.name, roles };
  });
}

/** Declines an invitation addressed to the caller. */
export async function declineMyInvitation(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await mutate(ctx, principal, async ({ tx, audit, now }) => {
    const invitation = await invitationOfCaller(tx, principal, id, now);
    if (!(await memberInvitationRepository.decide(tx, id, 'declined', now))) {
      throw new ConflictError('invitation_closed', `Member invitation ${id} is no longer open`);
    }
    // Installation-level: the account's log would otherwise show the id of a user who is not
    // one of its members (the invitation simply leaves its list of open ones).
    audit({
      accountId: null,
      action: 'member_invitation.decline',
      targetType: 'member_invitation',
      targetId: id,
      summary: `${invitation.email} declined the invitation to account ${invitation.accountId}`,
    });
  });
}
