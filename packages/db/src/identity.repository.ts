import type { Principal, Role } from '@mci/core';
import { and, asc, eq, gt, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { reusableStatement } from './prepared.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import {
  accounts,
  apiTokens,
  authThrottle,
  memberInvitations,
  memberships,
  rsAccessTokens,
  sessions,
  users,
} from './schema.ts';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  isSuperuser: boolean;
  createdAt: string;
}

export interface AccountRecord {
  id: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface MemberRecord {
  accountId: string;
  userId: string;
  email: string;
  name: string;
  roles: Role[];
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
}

/** A token as its owner lists it: never the secret or its hash. */
export interface TokenInfo extends TokenRecord {
  lastUsedAt: string | null;
}

/** A token's last use is written only when the stored one is older than this (one write a minute). */
export const TOKEN_LAST_USED_PRECISION_MS = 60_000;

export type MemberInvitationState = 'pending' | 'accepted' | 'declined' | 'cancelled' | 'expired';

export interface MemberInvitationRecord {
  id: string;
  accountId: string;
  accountName: string;
  email: string;
  roles: Role[];
  state: MemberInvitationState;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

/** One throttle rule: `limit` failures per `windowMs`, then blocks that double up to `lockoutMaxMs`. */
export interface ThrottleRule {
  limit: number;
  windowMs: number;
  lockoutMs: number;
  lockoutMaxMs: number;
}

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  isSuperuser: users.isSuperuser,
  createdAt: users.createdAt,
};

interface MembershipRow {
  accountId: string;
  roles: string[];
}

/** The user's memberships as one JSON column, so a request authenticates in one statement. */
const membershipsOfUser = sql<MembershipRow[]>`(
  select coalesce(json_agg(json_build_object('accountId', m.account_id, 'roles', m.roles)), '[]'::json)
  from ${memberships} m where m.user_id = ${users.id})`;

// Every request runs one of these: built once, named statements (ADR 015).
const principalByToken = reusableStatement('principal_by_token', (db) =>
  db
    .select({
      ...userColumns,
      memberships: membershipsOfUser,
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, sql.placeholder('tokenHash'))),
);

const principalByAccessToken = reusableStatement('principal_by_rs_access_token', (db) =>
  db
    .select({ ...userColumns, memberships: membershipsOfUser })
    .from(rsAccessTokens)
    .innerJoin(apiTokens, eq(apiTokens.id, rsAccessTokens.apiTokenId))
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(rsAccessTokens.tokenHash, sql.placeholder('accessTokenHash')),
        gt(rsAccessTokens.expiresAt, sql.placeholder('now')),
      ),
    ),
);

const principalBySession = reusableStatement('principal_by_session', (db) =>
  db
    .select({ ...userColumns, memberships: membershipsOfUser })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.idHash, sql.placeholder('sessionHash')),
        gt(sessions.expiresAt, sql.placeholder('now')),
      ),
    ),
);

/** The account's one member (with the user's email and name) that also matches `which`. */
async function memberOf(db: Executor, accountId: string, which: SQL): Promise<MemberRecord | undefined> {
  const [row] = await db
    .select({
      accountId: memberships.accountId,
      userId: memberships.userId,
      roles: memberships.roles,
      email: users.email,
      name: users.name,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.accountId, accountId), which));
  return row && { ...row, roles: row.roles as Role[] };
}

function toUser(r: {
  id: string;
  email: string;
  name: string;
  isSuperuser: boolean;
  createdAt: Date;
}): UserRecord {
  return { ...r, createdAt: r.createdAt.toISOString() };
}

function toAccount(r: typeof accounts.$inferSelect): AccountRecord {
  return { id: r.id, name: r.name, description: r.description, createdAt: r.createdAt.toISOString() };
}

/** Users, accounts, memberships, API tokens and dashboard sessions. */
export const identityRepository = {
  async countUsers(db: Executor): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
    return row.n;
  },

  async insertUser(
    db: Executor,
    input: { email: string; name: string; passwordHash: string | null; isSuperuser?: boolean },
  ): Promise<UserRecord> {
    return translateDbErrors(
      'user',
      async () => {
        const [row] = await db
          .insert(users)
          .values({ id: newId('user'), ...input, isSuperuser: input.isSuperuser ?? false })
          .returning(userColumns);
        return toUser(row);
      },
      { users_email_key: { path: 'email', message: `a user with email ${input.email} already exists` } },
    );
  },

  async findUser(db: Executor, id: string): Promise<UserRecord | undefined> {
    const [row] = await db.select(userColumns).from(users).where(eq(users.id, id));
    return row && toUser(row);
  },

  async findUserByEmail(
    db: Executor,
    email: string,
  ): Promise<(UserRecord & { passwordHash: string | null }) | undefined> {
    const [row] = await db
      .select({ ...userColumns, passwordHash: users.passwordHash })
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`);
    return row && { ...toUser(row), passwordHash: row.passwordHash };
  },

  /** The user's stored password hash (null: no dashboard password). */
  async passwordHashOf(db: Executor, userId: string): Promise<string | null | undefined> {
    const [row] = await db.select({ h: users.passwordHash }).from(users).where(eq(users.id, userId));
    return row?.h;
  },

  async setPasswordHash(db: Executor, userId: string, passwordHash: string): Promise<void> {
    await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
  },

  async findSuperuser(db: Executor): Promise<UserRecord | undefined> {
    const [row] = await db
      .select(userColumns)
      .from(users)
      .where(eq(users.isSuperuser, true))
      .orderBy(asc(users.createdAt))
      .limit(1);
    return row && toUser(row);
  },

  async listUsers(db: Executor, after: string | undefined, limit: number): Promise<UserRecord[]> {
    const rows = await db
      .select(userColumns)
      .from(users)
      .where(after ? gt(users.id, after) : undefined)
      .orderBy(asc(users.id))
      .limit(limit + 1);
    return rows.map(toUser);
  },

  async insertAccount(db: Executor, input: { name: string; description: string }): Promise<AccountRecord> {
    return translateDbErrors(
      'account',
      async () => {
        const [row] = await db
          .insert(accounts)
          .values({ id: newId('account'), ...input })
          .returning();
        return toAccount(row);
      },
      { accounts_name_key: { path: 'name', message: `an account named "${input.name}" already exists` } },
    );
  },

  async findAccount(db: Executor, id: string): Promise<AccountRecord | undefined> {
    const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
    return row && toAccount(row);
  },

  async findAccountsByIds(db: Executor, ids: string[]): Promise<AccountRecord[]> {
    if (ids.length === 0) return [];
    const rows = await db.select().from(accounts).where(inArray(accounts.id, ids));
    return rows.map(toAccount);
  },

  /** Accounts in id order after `after`; restricted to `onlyIds` unless that is undefined. */
  async listAccounts(
    db: Executor,
    opts: { after?: string; limit: number; onlyIds?: string[] },
  ): Promise<AccountRecord[]> {
    if (opts.onlyIds && opts.onlyIds.length === 0) return [];
    const rows = await db
      .select()
      .from(accounts)
      .where(
        and(
          opts.after ? gt(accounts.id, opts.after) : undefined,
          opts.onlyIds ? inArray(accounts.id, opts.onlyIds) : undefined,
        ),
      )
      .orderBy(asc(accounts.id))
      .limit(opts.limit + 1);
    return rows.map(toAccount);
  },

  async upsertMembership(db: Executor, accountId: string, userId: string, roles: Role[]): Promise<void> {
    await db
      .insert(memberships)
      .values({ accountId, userId, roles })
      .onConflictDoUpdate({ target: [memberships.accountId, memberships.userId], set: { roles } });
  },

  async deleteMembership(db: Executor, accountId: string, userId: string): Promise<boolean> {
    const rows = await db
      .delete(memberships)
      .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, userId)))
      .returning({ userId: memberships.userId });
    return rows.length > 0;
  },

  async countAdmins(db: Executor, accountId: string): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(memberships)
      .where(and(eq(memberships.accountId, accountId), sql`'admin' = any(${memberships.roles})`));
    return row.n;
  },

  async listMembers(
    db: Executor,
    accountId: string,
    after: string | undefined,
    limit: number,
  ): Promise<MemberRecord[]> {
    const rows = await db
      .select({
        accountId: memberships.accountId,
        userId: memberships.userId,
        roles: memberships.roles,
        email: users.email,
        name: users.name,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.accountId, accountId), after ? gt(memberships.userId, after) : undefined))
      .orderBy(asc(memberships.userId))
      .limit(limit + 1);
    return rows.map((r) => ({ ...r, roles: r.roles as Role[] }));
  },

  async findMember(db: Executor, accountId: string, userId: string): Promise<MemberRecord | undefined> {
    return memberOf(db, accountId, eq(memberships.userId, userId));
  },

  /** The member of the account whose user has this email (any case), if any. */
  async findMemberByEmail(db: Executor, accountId: string, email: string): Promise<MemberRecord | undefined> {
    return memberOf(db, accountId, sql`lower(${users.email}) = lower(${email})`);
  },

  async membershipsOf(db: Executor, userId: string): Promise<Map<string, Role[]>> {
    const rows = await db
      .select({ accountId: memberships.accountId, roles: memberships.roles })
      .from(memberships)
      .where(eq(memberships.userId, userId));
    return new Map(rows.map((r) => [r.accountId, r.roles as Role[]]));
  },

  async insertToken(
    db: Executor,
    input: { userId: string; name: string; tokenHash: string },
  ): Promise<TokenRecord> {
    const [row] = await db
      .insert(apiTokens)
      .values({ id: newId('token'), ...input })
      .returning({
        id: apiTokens.id,
        userId: apiTokens.userId,
        name: apiTokens.name,
        createdAt: apiTokens.createdAt,
      });
    return { ...row, createdAt: row.createdAt.toISOString() };
  },

  /** A user's tokens in id order (keyset), as metadata only. */
  async listTokens(
    db: Executor,
    userId: string,
    after: string | undefined,
    limit: number,
  ): Promise<TokenInfo[]> {
    const rows = await db
      .select({
        id: apiTokens.id,
        userId: apiTokens.userId,
        name: apiTokens.name,
        createdAt: apiTokens.createdAt,
        lastUsedAt: apiTokens.lastUsedAt,
      })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, userId), after ? gt(apiTokens.id, after) : undefined))
      .orderBy(asc(apiTokens.id))
      .limit(limit + 1);
    return rows.map((r) => ({
      ...r,
      createdAt: r.createdAt.toISOString(),
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    }));
  },

  /** Deletes a token of this user; undefined when the user has no such token. */
  async deleteToken(db: Executor, userId: string, tokenId: string): Promise<TokenRecord | undefined> {
    const [row] = await db
      .delete(apiTokens)
      .where(and(eq(apiTokens.userId, userId), eq(apiTokens.id, tokenId)))
      .returning({
        id: apiTokens.id,
        userId: apiTokens.userId,
        name: apiTokens.name,
        createdAt: apiTokens.createdAt,
      });
    return row && { ...row, createdAt: row.createdAt.toISOString() };
  },

  async hasTokenHash(db: Executor, tokenHash: string): Promise<boolean> {
    const rows = await db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(eq(apiTokens.tokenHash, tokenHash));
    return rows.length > 0;
  },

  async insertSession(
    db: Executor,
    input: { idHash: string; userId: string; expiresAt: Date },
  ): Promise<void> {
    await db.insert(sessions).values(input);
  },

  async deleteSession(db: Executor, idHash: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
  },

  /**
   * The principal behind an API token hash or a live session hash, with its memberships. With
   * `now`, a token's last use is recorded when the stored one is older than a minute: a single
   * conditional UPDATE, so a busy token costs one write a minute, not one a request.
   */
  async findPrincipal(
    db: Executor,
    credential:
      | { tokenHash: string; now?: Date }
      | { sessionHash: string; now: Date }
      | { accessTokenHash: string; now: Date },
  ): Promise<Principal | undefined> {
    let row: { id: string; email: string; isSuperuser: boolean; memberships: MembershipRow[] } | undefined;
    if ('tokenHash' in credential) {
      const [found] = await principalByToken(db, { tokenHash: credential.tokenHash });
      row = found;
      const now = credential.now;
      if (found && now) {
        const stale = new Date(now.getTime() - TOKEN_LAST_USED_PRECISION_MS);
        if (!found.lastUsedAt || found.lastUsedAt < stale) {
          await db
            .update(apiTokens)
            .set({ lastUsedAt: now })
            .where(
              and(
                eq(apiTokens.id, found.tokenId),
                or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, stale)),
              ),
            );
        }
      }
    } else if ('accessTokenHash' in credential) {
      [row] = await principalByAccessToken(db, credential);
    } else {
      [row] = await principalBySession(db, { sessionHash: credential.sessionHash, now: credential.now });
    }
    if (!row) return undefined;
    return {
      userId: row.id,
      email: row.email,
      isSuperuser: row.isSuperuser,
      memberships: new Map(row.memberships.map((m) => [m.accountId, m.roles as Role[]])),
    };
  },
};

/** A keyset page of pending member invitations that also match `where`, oldest first. */
async function pendingInvitations(
  db: Executor,
  where: SQL | undefined,
  page: { after?: string; limit: number },
  now: Date,
): Promise<MemberInvitationRecord[]> {
  const rows = await db
    .select(invitationColumns)
    .from(memberInvitations)
    .innerJoin(accounts, eq(accounts.id, memberInvitations.accountId))
    .where(
      and(
        where,
        eq(memberInvitations.state, 'pending'),
        page.after ? gt(memberInvitations.id, page.after) : undefined,
      ),
    )
    .orderBy(asc(memberInvitations.id))
    .limit(page.limit + 1);
  return rows.map((r) => toInvitation(r, now));
}

function toInvitation(
  r: typeof memberInvitations.$inferSelect & { accountName: string },
  now: Date,
): MemberInvitationRecord {
  const expired = r.state === 'pending' && r.expiresAt <= now;
  return {
    id: r.id,
    accountId: r.accountId,
    accountName: r.accountName,
    email: r.email,
    roles: r.roles as Role[],
    state: expired ? 'expired' : (r.state as MemberInvitationState),
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
  };
}

const invitationColumns = {
  id: memberInvitations.id,
  accountId: memberInvitations.accountId,
  email: memberInvitations.email,
  roles: memberInvitations.roles,
  invitedBy: memberInvitations.invitedBy,
  state: memberInvitations.state,
  createdAt: memberInvitations.createdAt,
  expiresAt: memberInvitations.expiresAt,
  decidedAt: memberInvitations.decidedAt,
  accountName: accounts.name,
};

/** Invitations of email addresses to become members of an account (accepted by that address's user). */
export const memberInvitationRepository = {
  /**
   * A new pending invitation. A pending one for the same account and address that has expired is
   * closed first; an open one is a conflict.
   */
  async insert(
    db: Executor,
    input: { accountId: string; email: string; roles: Role[]; invitedBy: string | null; expiresAt: Date },
    now: Date,
  ): Promise<MemberInvitationRecord> {
    await db
      .update(memberInvitations)
      .set({ state: 'expired', decidedAt: now })
      .where(
        and(
          eq(memberInvitations.accountId, input.accountId),
          sql`lower(${memberInvitations.email}) = lower(${input.email})`,
          eq(memberInvitations.state, 'pending'),
          lte(memberInvitations.expiresAt, now),
        ),
      );
    const id = await translateDbErrors(
      'member invitation',
      async () => {
        const [row] = await db
          .insert(memberInvitations)
          .values({ id: newId('memberInvitation'), ...input, createdAt: now })
          .returning({ id: memberInvitations.id });
        return row.id;
      },
      {
        member_invitations_pending_key: {
          path: 'email',
          message: `${input.email} already has an open invitation to this account`,
        },
      },
    );
    return (await this.find(db, { id }, now))!;
  },

  async find(
    db: Executor,
    where: { id: string; accountId?: string; email?: string },
    now: Date,
  ): Promise<MemberInvitationRecord | undefined> {
    const [row] = await db
      .select(invitationColumns)
      .from(memberInvitations)
      .innerJoin(accounts, eq(accounts.id, memberInvitations.accountId))
      .where(
        and(
          eq(memberInvitations.id, where.id),
          where.accountId ? eq(memberInvitations.accountId, where.accountId) : undefined,
          where.email ? sql`lower(${memberInvitations.email}) = lower(${where.email})` : undefined,
        ),
      );
    return row && toInvitation(row, now);
  },

  /** An account's open invitations (expired ones too, until closed), oldest first. */
  async listForAccount(
    db: Executor,
    accountId: string,
    page: { after?: string; limit: number },
    now: Date,
  ): Promise<MemberInvitationRecord[]> {
    return pendingInvitations(db, eq(memberInvitations.accountId, accountId), page, now);
  },

  /** The open, unexpired invitations addressed to this email, oldest first. */
  async listForEmail(
    db: Executor,
    email: string,
    page: { after?: string; limit: number },
    now: Date,
  ): Promise<MemberInvitationRecord[]> {
    return pendingInvitations(
      db,
      and(sql`lower(${memberInvitations.email}) = lower(${email})`, gt(memberInvitations.expiresAt, now)),
      page,
      now,
    );
  },

  /**
   * Moves a pending, unexpired invitation to `state`; answers whether it did. The condition is in
   * the UPDATE, so of two concurrent decisions exactly one wins.
   */
  async decide(
    db: Executor,
    id: string,
    state: 'accepted' | 'declined' | 'cancelled',
    now: Date,
  ): Promise<boolean> {
    const rows = await db
      .update(memberInvitations)
      .set({ state, decidedAt: now })
      .where(
        and(
          eq(memberInvitations.id, id),
          eq(memberInvitations.state, 'pending'),
          state === 'cancelled' ? undefined : gt(memberInvitations.expiresAt, now),
        ),
      )
      .returning({ id: memberInvitations.id });
    return rows.length > 0;
  },
};

/**
 * The sign-in and token throttle's counters, in the database so that every server process on one
 * PostgreSQL sees the same ones. Each call is one statement that commits on its own.
 */
export const authThrottleRepository = {
  /**
   * Counts an attempt for `key` and answers whether it may go ahead. A blocked key is refused
   * without counting; an attempt past `rule.limit` in the window is refused and blocks the key for
   * `lockoutMs`, doubled for every block the key earned since it was last quiet for a window (up to
   * `lockoutMaxMs`). The next window starts when a block ends.
   */
  async reserve(
    db: Executor,
    key: string,
    rule: ThrottleRule,
    now: Date,
  ): Promise<{ allowed: boolean; blockedUntil: Date | null; failures: number }> {
    const t = authThrottle;
    const at = sql`${now.toISOString()}::timestamptz`;
    const ms = (n: number) => sql`(${n}::bigint * interval '1 millisecond')`;
    const blocked = sql`(${t.blockedUntil} is not null and ${t.blockedUntil} > ${at})`;
    const fresh = sql`(${t.windowStart} + ${ms(rule.windowMs)} <= ${at})`;
    const cool = sql`(${t.blockedUntil} is null or ${t.blockedUntil} + ${ms(rule.windowMs)} <= ${at})`;
    const next = sql`(case when ${fresh} then 1 else ${t.failures} + 1 end)`;
    const over = sql`(${next} > ${rule.limit}::int)`;
    const streak = sql`(case when ${cool} then 0 else ${t.lockouts} end)`;
    const blockEnd = sql`(${at} + least(${rule.lockoutMs}::bigint * power(2, least(${streak}, 30))::bigint, ${rule.lockoutMaxMs}::bigint) * interval '1 millisecond')`;
    const [row] = await db
      .insert(t)
      .values({ key, windowStart: now, failures: 1 })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          failures: sql`case when ${blocked} then ${t.failures} when ${over} then 0 else ${next} end`,
          windowStart: sql`case when ${blocked} then ${t.windowStart} when ${over} then ${blockEnd}
                                when ${fresh} then ${at} else ${t.windowStart} end`,
          blockedUntil: sql`case when ${blocked} or not ${over} then ${t.blockedUntil} else ${blockEnd} end`,
          lockouts: sql`case when ${blocked} then ${t.lockouts} when ${over} then ${streak} + 1 else ${streak} end`,
        },
      })
      .returning({ failures: t.failures, blockedUntil: t.blockedUntil });
    const allowed = !row.blockedUntil || row.blockedUntil <= now;
    return { allowed, blockedUntil: allowed ? null : row.blockedUntil, failures: row.failures };
  },

  /** Gives back one counted attempt (it turned out to be a success). */
  async release(db: Executor, key: string): Promise<void> {
    await db
      .update(authThrottle)
      .set({ failures: sql`greatest(${authThrottle.failures} - 1, 0)` })
      .where(eq(authThrottle.key, key));
  },

  /** Forgets a key (a successful sign-in clears its address's failures). */
  async clear(db: Executor, key: string): Promise<void> {
    await db.delete(authThrottle).where(eq(authThrottle.key, key));
  },

  /** Drops the counters that hold nothing any more (quiet for a window, no block in force or recent). */
  async prune(db: Executor, windowMs: number, now: Date): Promise<void> {
    const t = authThrottle;
    const before = new Date(now.getTime() - windowMs);
    await db
      .delete(t)
      .where(
        and(
          sql`${t.windowStart} <= ${before}`,
          or(isNull(t.blockedUntil), sql`${t.blockedUntil} <= ${before}`),
        ),
      );
  },
};
