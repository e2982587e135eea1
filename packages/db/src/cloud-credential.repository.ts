import type { CloudType } from '@mci/core';
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import { cloudCredentials } from './schema.ts';

/**
 * An account's credentials for one cloud type (R-CLD-1), as stored: `secret` is the ciphertext
 * the server encrypted (never the plaintext), everything else is shown to the account's admins.
 */
export interface CloudCredentialRecord {
  id: string;
  accountId: string;
  cloudType: CloudType;
  /** The encrypted secret document (`v1.<key id>.<iv>.<tag>.<data>`). Never leaves the server. */
  secret: string;
  fingerprint: string;
  accessKeyHint: string;
  endpoint: string | null;
  roleArn: string | null;
  /** R-CLD-2: the principal the cloud knows the account by (AWS account id). */
  principal: string | null;
  syncOwners: string[];
  syncNameFilters: string[];
  lastUsedAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
  rotatedAt: string | null;
  createdBy: string | null;
}

export type NewCloudCredential = Pick<
  CloudCredentialRecord,
  | 'id'
  | 'accountId'
  | 'cloudType'
  | 'secret'
  | 'fingerprint'
  | 'accessKeyHint'
  | 'endpoint'
  | 'roleArn'
  | 'principal'
  | 'syncOwners'
  | 'syncNameFilters'
  | 'createdBy'
>;

/** What a rotation or an edit changes (the secret and what is derived from it, or the sync settings). */
export type CloudCredentialPatch = Partial<
  Pick<
    CloudCredentialRecord,
    | 'secret'
    | 'fingerprint'
    | 'accessKeyHint'
    | 'endpoint'
    | 'roleArn'
    | 'principal'
    | 'syncOwners'
    | 'syncNameFilters'
    | 'lastError'
  >
> & { rotatedAt?: Date; lastUsedAt?: Date; lastErrorAt?: Date | null };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRecord(r: typeof cloudCredentials.$inferSelect): CloudCredentialRecord {
  return {
    id: r.id,
    accountId: r.accountId,
    cloudType: r.cloudType as CloudType,
    secret: r.secret,
    fingerprint: r.fingerprint,
    accessKeyHint: r.accessKeyHint,
    endpoint: r.endpoint,
    roleArn: r.roleArn,
    principal: r.principal,
    syncOwners: r.syncOwners,
    syncNameFilters: r.syncNameFilters,
    lastUsedAt: iso(r.lastUsedAt),
    lastError: r.lastError,
    lastErrorAt: iso(r.lastErrorAt),
    createdAt: r.createdAt.toISOString(),
    rotatedAt: iso(r.rotatedAt),
    createdBy: r.createdBy,
  };
}

/** A new credential's id: minted before the row, since the ciphertext is bound to it (AAD). */
export function newCloudCredentialId(): string {
  return newId('cloudCredential');
}

/** Cloud credentials of accounts (R-CLD-1) and the principals they stand for (R-CLD-2). */
export const cloudCredentialRepository = {
  async insert(db: Executor, input: NewCloudCredential): Promise<CloudCredentialRecord> {
    return translateDbErrors(
      'cloud credential',
      async () => {
        const [row] = await db.insert(cloudCredentials).values(input).returning();
        return toRecord(row);
      },
      {
        cloud_credentials_account_type_key: {
          path: 'cloudType',
          message: `account ${input.accountId} already has ${input.cloudType} credentials: replace them (PUT) to rotate`,
        },
      },
    );
  },

  async find(db: Executor, id: string): Promise<CloudCredentialRecord | undefined> {
    const [row] = await db.select().from(cloudCredentials).where(eq(cloudCredentials.id, id));
    return row && toRecord(row);
  },

  /** The row held FOR UPDATE, so a rotation and a delete of the same credential queue up. */
  async findForUpdate(db: Executor, id: string): Promise<CloudCredentialRecord | undefined> {
    const [row] = await db.select().from(cloudCredentials).where(eq(cloudCredentials.id, id)).for('update');
    return row && toRecord(row);
  },

  async findByAccountAndType(
    db: Executor,
    accountId: string,
    cloudType: CloudType,
  ): Promise<CloudCredentialRecord | undefined> {
    const [row] = await db
      .select()
      .from(cloudCredentials)
      .where(and(eq(cloudCredentials.accountId, accountId), eq(cloudCredentials.cloudType, cloudType)));
    return row && toRecord(row);
  },

  /** An account's credentials, one per cloud type, in cloud type order (never more than a few). */
  async listForAccount(db: Executor, accountId: string): Promise<CloudCredentialRecord[]> {
    const rows = await db
      .select()
      .from(cloudCredentials)
      .where(eq(cloudCredentials.accountId, accountId))
      .orderBy(asc(cloudCredentials.cloudType), asc(cloudCredentials.id));
    return rows.map(toRecord);
  },

  /**
   * Every account's credentials of a cloud type, earliest created first: the `cloud` sync scope
   * uses the first of them that can be read (design of issue 12).
   */
  async listOfType(db: Executor, cloudType: CloudType): Promise<CloudCredentialRecord[]> {
    const rows = await db
      .select()
      .from(cloudCredentials)
      .where(eq(cloudCredentials.cloudType, cloudType))
      .orderBy(asc(cloudCredentials.createdAt), asc(cloudCredentials.id));
    return rows.map(toRecord);
  },

  /** The earliest created credentials of a cloud type, or undefined when no account has any. */
  async earliestOfType(db: Executor, cloudType: CloudType): Promise<CloudCredentialRecord | undefined> {
    const [row] = await db
      .select()
      .from(cloudCredentials)
      .where(eq(cloudCredentials.cloudType, cloudType))
      .orderBy(asc(cloudCredentials.createdAt), asc(cloudCredentials.id))
      .limit(1);
    return row && toRecord(row);
  },

  async update(db: Executor, id: string, patch: CloudCredentialPatch): Promise<CloudCredentialRecord> {
    const [row] = await db.update(cloudCredentials).set(patch).where(eq(cloudCredentials.id, id)).returning();
    return toRecord(row);
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const rows = await db
      .delete(cloudCredentials)
      .where(eq(cloudCredentials.id, id))
      .returning({ id: cloudCredentials.id });
    return rows.length > 0;
  },

  /**
   * Records a use: `last_used_at`, and the error when the use failed (kept until the next
   * failure, so a read shows the last error and when; `lastUsedAt` later than it means it passed).
   */
  async noteUse(db: Executor, id: string, at: Date, error?: string): Promise<void> {
    await db
      .update(cloudCredentials)
      .set(error === undefined ? { lastUsedAt: at } : { lastUsedAt: at, lastError: error, lastErrorAt: at })
      .where(eq(cloudCredentials.id, id));
  },

  /**
   * R-CLD-2: which account each principal stands for, among the accounts with credentials of the
   * cloud type. A principal two accounts share maps to the one whose credentials came first.
   */
  async accountsByPrincipal(
    db: Executor,
    cloudType: CloudType,
    principals: readonly string[],
  ): Promise<Map<string, string>> {
    const wanted = [...new Set(principals)];
    const result = new Map<string, string>();
    if (wanted.length === 0) return result;
    const rows = await db
      .select({ principal: cloudCredentials.principal, accountId: cloudCredentials.accountId })
      .from(cloudCredentials)
      .where(
        and(
          eq(cloudCredentials.cloudType, cloudType),
          isNotNull(cloudCredentials.principal),
          inArray(cloudCredentials.principal, wanted),
        ),
      )
      .orderBy(asc(cloudCredentials.createdAt), asc(cloudCredentials.id));
    for (const row of rows) if (!result.has(row.principal!)) result.set(row.principal!, row.accountId);
    return result;
  },

  /** The principal of each account (of those given) for a cloud type: the reverse mapping. */
  async principalsOfAccounts(
    db: Executor,
    cloudType: CloudType,
    accountIds: readonly string[],
  ): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    if (accountIds.length === 0) return result;
    const rows = await db
      .select({ principal: cloudCredentials.principal, accountId: cloudCredentials.accountId })
      .from(cloudCredentials)
      .where(
        and(
          eq(cloudCredentials.cloudType, cloudType),
          isNotNull(cloudCredentials.principal),
          inArray(cloudCredentials.accountId, [...new Set(accountIds)]),
        ),
      );
    for (const row of rows) result.set(row.accountId, row.principal!);
    return result;
  },
};
