import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { accounts, apiTokens, rsAccessTokens, rsTags } from './schema.ts';

/**
 * What RightScale's API 1.5 facade keeps of its own (R-RS): the account numbers clients send in
 * `X-Account`, the short-lived access tokens of `POST /api/oauth2`, and tags on resources.
 */
export const rs15Repository = {
  /** The service's account id of API 1.5 account number `n`, if there is one. */
  async accountIdOfNumber(db: Executor, n: number): Promise<string | undefined> {
    const [row] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.rsNumber, n));
    return row?.id;
  },

  /** API 1.5 numbers of the given accounts (id → number); unknown ids are left out. */
  async numbersOfAccounts(db: Executor, ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select({ id: accounts.id, n: accounts.rsNumber })
      .from(accounts)
      .where(inArray(accounts.id, [...new Set(ids)]));
    return new Map(rows.map((r) => [r.id, r.n]));
  },

  /** The API token with this hash (the refresh token of the OAuth grant). */
  async apiTokenIdOfHash(db: Executor, tokenHash: string): Promise<string | undefined> {
    const [row] = await db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(eq(apiTokens.tokenHash, tokenHash));
    return row?.id;
  },

  /** Stores an access token (its hash) and, in the same call, drops expired ones. */
  async insertAccessToken(
    db: Executor,
    token: { tokenHash: string; apiTokenId: string; expiresAt: Date; now: Date },
  ): Promise<void> {
    await db.delete(rsAccessTokens).where(lte(rsAccessTokens.expiresAt, token.now));
    await db.insert(rsAccessTokens).values({
      tokenHash: token.tokenHash,
      apiTokenId: token.apiTokenId,
      expiresAt: token.expiresAt,
    });
  },

  /** The tags of each href (every href asked for is a key, with no tags when it has none). */
  async tagsOf(db: Executor, accountId: string, hrefs: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>(hrefs.map((h) => [h, []]));
    if (hrefs.length === 0) return found;
    const rows = await db
      .select({ href: rsTags.resourceHref, tag: rsTags.tag })
      .from(rsTags)
      .where(and(eq(rsTags.accountId, accountId), inArray(rsTags.resourceHref, [...found.keys()])))
      .orderBy(rsTags.resourceHref, rsTags.tag);
    for (const r of rows) found.get(r.href)?.push(r.tag);
    return found;
  },

  async addTags(db: Executor, accountId: string, hrefs: readonly string[], tags: readonly string[]) {
    const values = hrefs.flatMap((resourceHref) => tags.map((tag) => ({ accountId, resourceHref, tag })));
    if (values.length > 0) await db.insert(rsTags).values(values).onConflictDoNothing();
  },

  async removeTags(db: Executor, accountId: string, hrefs: readonly string[], tags: readonly string[]) {
    if (hrefs.length === 0 || tags.length === 0) return;
    await db
      .delete(rsTags)
      .where(
        and(
          eq(rsTags.accountId, accountId),
          inArray(rsTags.resourceHref, [...hrefs]),
          inArray(rsTags.tag, [...tags]),
        ),
      );
  },

  /** A destroyed resource's tags go with it. */
  async removeAllTags(db: Executor, accountId: string, href: string): Promise<void> {
    await db.delete(rsTags).where(and(eq(rsTags.accountId, accountId), eq(rsTags.resourceHref, href)));
  },
};
