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
  identityRepository,
  type AccountRecord,
  type Executor,
  type MemberRecord,
  type UserRecord,
} from '@mci/db';
import { LIMITS } from '@mci/core';
import type { AppContext } from '../../context.ts';
import { mutate } from '../../unit-of-work.ts';
import { hashPassword, hashSecret, newSecret, verifyPassword } from '../../security/secrets.ts';

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

/** Password sign-in for the dashboard: returns the new session secret for the cookie. */
export async function createSession(
  ctx: AppContext,
  input: { email: string; password: string },
): Promise<{ user: UserRecord; sessionSecret: string; expiresAt: Date }> {
  const found = await identityRepository.findUserByEmail(ctx.db, input.email);
  if (!found?.passwordHash || !(await verifyPassword(input.password, found.passwordHash))) {
    throw new UnauthenticatedError('The email or password is not correct');
  }
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

/** Creating users is for the superuser and for account admins (who then add them as members). */
function authorizeUserCreation(principal: Principal): void {
  if (principal.isSuperuser) return;
  const isAdminSomewhere = [...principal.memberships.values()].some((roles) => roles.includes('admin'));
  if (!isAdminSomewhere) {
    throw new ForbiddenError(
      'missing_role',
      'Creating users needs the superuser or the "admin" role of an account',
      {
        details: { requiredRole: 'admin' },
      },
    );
  }
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
    const user = await identityRepository.findUser(tx, userId);
    if (!user) throw new NotFoundError('user', userId);
    await assertKeepsAnAdmin(tx, accountId, userId, roles);
    await identityRepository.upsertMembership(tx, accountId, userId, roles);
    audit({
      accountId,
      action: 'member.put',
      targetType: 'user',
      targetId: userId,
      summary: `set roles of ${user.email} to ${roles.join(', ')}`,
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
    await assertKeepsAnAdmin(tx, accountId, userId, []);
    if (!(await identityRepository.deleteMembership(tx, accountId, userId))) {
      throw new NotFoundError('member', userId);
    }
    audit({
      accountId,
      action: 'member.delete',
      targetType: 'user',
      targetId: userId,
      summary: `removed member ${userId}`,
    });
  });
}
