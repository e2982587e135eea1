import type { Principal, Role } from '@mci/core';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import { accounts, apiTokens, memberships, sessions, users } from './schema.ts';

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

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  isSuperuser: users.isSuperuser,
  createdAt: users.createdAt,
};

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
      .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, userId)));
    return row && { ...row, roles: row.roles as Role[] };
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

  /** The principal behind an API token hash or a live session hash, with its memberships. */
  async findPrincipal(
    db: Executor,
    credential: { tokenHash: string } | { sessionHash: string; now: Date },
  ): Promise<Principal | undefined> {
    const [row] =
      'tokenHash' in credential
        ? await db
            .select(userColumns)
            .from(apiTokens)
            .innerJoin(users, eq(users.id, apiTokens.userId))
            .where(eq(apiTokens.tokenHash, credential.tokenHash))
        : await db
            .select(userColumns)
            .from(sessions)
            .innerJoin(users, eq(users.id, sessions.userId))
            .where(and(eq(sessions.idHash, credential.sessionHash), gt(sessions.expiresAt, credential.now)));
    if (!row) return undefined;
    return {
      userId: row.id,
      email: row.email,
      isSuperuser: row.isSuperuser,
      memberships: await this.membershipsOf(db, row.id),
    };
  },
};
