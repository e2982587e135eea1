import type {
  InvitationState,
  Publication,
  PublicationKind,
  PublicationState,
  PublicationVisibility,
} from '@mci/core';
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import {
  accountGroups,
  accounts,
  groupMembers,
  importLineages,
  invitations,
  publications,
} from './schema.ts';

export interface GroupRecord {
  id: string;
  ownerAccountId: string;
  name: string;
  description: string;
  memberAccountIds: string[];
  createdAt: string;
}

export interface InvitationRecord {
  id: string;
  groupId: string;
  inviteeAccountId: string;
  state: InvitationState;
  expiresAt: string;
  createdAt: string;
  acceptedAt: string | null;
}

function toPublication(r: typeof publications.$inferSelect): Publication & { publishedBy: string } {
  return {
    id: r.id,
    publisherAccountId: r.publisherAccountId,
    kind: r.kind as PublicationKind,
    sourceId: r.sourceId,
    lineageId: r.lineageId,
    revision: r.revision,
    name: r.name,
    shortDescription: r.shortDescription,
    longDescription: r.longDescription,
    revisionNotes: r.revisionNotes,
    categories: r.categories,
    visibility: r.visibility as PublicationVisibility,
    groupIds: r.groupIds,
    cloudIds: r.cloudIds,
    linkedPublicationIds: r.linkedPublicationIds,
    state: r.state as PublicationState,
    publishedAt: r.publishedAt.toISOString(),
    publishedBy: r.publishedBy,
  };
}
export type PublicationRecord = ReturnType<typeof toPublication>;

function toInvitation(r: typeof invitations.$inferSelect): InvitationRecord {
  return {
    id: r.id,
    groupId: r.groupId,
    inviteeAccountId: r.inviteeAccountId,
    state: r.state as InvitationState,
    expiresAt: r.expiresAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    acceptedAt: r.acceptedAt ? r.acceptedAt.toISOString() : null,
  };
}

const textArray = (values: readonly string[]) => sql`${sql.param(values)}::text[]`;

/** SQL: the publication is visible to `accountId` (public, own, or shared with a group it is in). */
function visibleTo(accountId: string): SQL {
  return sql`(${publications.visibility} = 'public' or ${publications.publisherAccountId} = ${accountId}
    or ${publications.groupIds} && array(select gm.group_id from ${groupMembers} gm where gm.account_id = ${accountId}))`;
}

export interface MarketplaceFilter {
  accountId: string;
  q?: string;
  kind?: PublicationKind;
  category?: string;
  publisher?: string;
  cloudId?: string;
  /** A specific revision: searches every active revision, not only each lineage's newest. */
  revision?: number;
  after?: { name: string; id: string };
  limit: number;
}

/** Publications, account groups, invitations and the lineages that collect imports. */
export const marketplaceRepository = {
  async insertPublication(
    db: Executor,
    input: Omit<Publication, 'id' | 'publishedAt' | 'state'> & { publishedAt: Date; publishedBy: string },
  ): Promise<PublicationRecord> {
    return translateDbErrors(
      'publication',
      async () => {
        const [row] = await db
          .insert(publications)
          .values({ id: newId('publication'), ...input })
          .returning();
        return toPublication(row);
      },
      {
        publications_source_key: {
          path: 'sourceId',
          message: `revision ${input.sourceId} is already published`,
        },
      },
    );
  },

  async findPublication(db: Executor, id: string): Promise<PublicationRecord | undefined> {
    const [row] = await db.select().from(publications).where(eq(publications.id, id));
    return row && toPublication(row);
  },

  async findPublicationBySource(db: Executor, sourceId: string): Promise<PublicationRecord | undefined> {
    const [row] = await db.select().from(publications).where(eq(publications.sourceId, sourceId));
    return row && toPublication(row);
  },

  /** The publications of any of these source revisions, oldest revision first. */
  async publicationsOfSources(db: Executor, sourceIds: readonly string[]): Promise<PublicationRecord[]> {
    if (sourceIds.length === 0) return [];
    const rows = await db
      .select()
      .from(publications)
      .where(inArray(publications.sourceId, [...sourceIds]))
      .orderBy(asc(publications.revision));
    return rows.map(toPublication);
  },

  async findPublications(db: Executor, ids: string[]): Promise<PublicationRecord[]> {
    if (ids.length === 0) return [];
    return (await db.select().from(publications).where(inArray(publications.id, ids))).map(toPublication);
  },

  async isVisible(db: Executor, publicationId: string, accountId: string): Promise<boolean> {
    const rows = await db
      .select({ id: publications.id })
      .from(publications)
      .where(and(eq(publications.id, publicationId), visibleTo(accountId)));
    return rows.length > 0;
  },

  /** A revision (MCI or template row id) is readable through a publication visible to the account. */
  async sourceVisibleTo(db: Executor, sourceId: string, accountId: string): Promise<boolean> {
    const rows = await db
      .select({ id: publications.id })
      .from(publications)
      .where(and(eq(publications.sourceId, sourceId), visibleTo(accountId)));
    return rows.length > 0;
  },

  async setPublicationState(db: Executor, id: string, state: PublicationState): Promise<PublicationRecord> {
    const [row] = await db.update(publications).set({ state }).where(eq(publications.id, id)).returning();
    return toPublication(row);
  },

  async listOwnPublications(
    db: Executor,
    accountId: string,
    after: { name: string; id: string } | undefined,
    limit: number,
  ) {
    const rows = await db
      .select()
      .from(publications)
      .where(
        and(
          eq(publications.publisherAccountId, accountId),
          after ? sql`(${publications.name}, ${publications.id}) > (${after.name}, ${after.id})` : undefined,
        ),
      )
      .orderBy(asc(publications.name), asc(publications.id))
      .limit(limit + 1);
    return rows.map(toPublication);
  },

  /**
   * R-PUB-3: what an account sees in the marketplace: per published lineage the newest active
   * revision among those visible to it, filtered, in name order.
   */
  async marketplace(db: Executor, f: MarketplaceFilter): Promise<PublicationRecord[]> {
    const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const newest =
      f.revision === undefined
        ? db
            .selectDistinctOn([publications.lineageId])
            .from(publications)
            .where(and(eq(publications.state, 'active'), visibleTo(f.accountId)))
            .orderBy(publications.lineageId, sql`${publications.revision} desc`)
            .as('newest')
        : db
            .select()
            .from(publications)
            .where(
              and(
                eq(publications.state, 'active'),
                visibleTo(f.accountId),
                eq(publications.revision, f.revision),
              ),
            )
            .as('newest');
    const rows = await db
      .select()
      .from(newest)
      .where(
        and(
          like
            ? sql`(${newest.name} ilike ${like} or ${newest.shortDescription} ilike ${like} or ${newest.longDescription} ilike ${like})`
            : undefined,
          f.kind ? eq(newest.kind, f.kind) : undefined,
          f.category ? sql`${f.category} = any(${newest.categories})` : undefined,
          f.publisher ? eq(newest.publisherAccountId, f.publisher) : undefined,
          f.cloudId ? sql`${f.cloudId} = any(${newest.cloudIds})` : undefined,
          f.after ? sql`(${newest.name}, ${newest.id}) > (${f.after.name}, ${f.after.id})` : undefined,
        ),
      )
      .orderBy(asc(newest.name), asc(newest.id))
      .limit(f.limit + 1);
    return rows.map((r) => toPublication(r as typeof publications.$inferSelect));
  },

  /** Newest active visible revision of a published lineage (R-VC-3 marketplace notice). */
  async newestVisibleRevision(
    db: Executor,
    lineageId: string,
    accountId: string,
  ): Promise<PublicationRecord | undefined> {
    const [row] = await db
      .select()
      .from(publications)
      .where(
        and(eq(publications.lineageId, lineageId), eq(publications.state, 'active'), visibleTo(accountId)),
      )
      .orderBy(sql`${publications.revision} desc`)
      .limit(1);
    return row && toPublication(row);
  },

  async insertGroup(
    db: Executor,
    input: { ownerAccountId: string; name: string; description: string },
  ): Promise<GroupRecord> {
    return translateDbErrors(
      'account group',
      async () => {
        const [row] = await db
          .insert(accountGroups)
          .values({ id: newId('group'), ...input })
          .returning();
        return { ...row, memberAccountIds: [], createdAt: row.createdAt.toISOString() };
      },
      {
        account_groups_owner_name_key: {
          path: 'name',
          message: `a group named "${input.name}" already exists`,
        },
      },
    );
  },

  async findGroup(db: Executor, id: string): Promise<GroupRecord | undefined> {
    const [row] = await db.select().from(accountGroups).where(eq(accountGroups.id, id));
    if (!row) return undefined;
    const members = await db
      .select({ accountId: groupMembers.accountId })
      .from(groupMembers)
      .where(eq(groupMembers.groupId, id))
      .orderBy(asc(groupMembers.accountId));
    return {
      ...row,
      memberAccountIds: members.map((m) => m.accountId),
      createdAt: row.createdAt.toISOString(),
    };
  },

  /** Groups the account owns or belongs to. */
  async groupsOf(db: Executor, accountId: string): Promise<GroupRecord[]> {
    const rows = await db
      .select({ id: accountGroups.id })
      .from(accountGroups)
      .where(
        sql`${accountGroups.ownerAccountId} = ${accountId} or exists (select 1 from ${groupMembers} gm where gm.group_id = ${accountGroups.id} and gm.account_id = ${accountId})`,
      )
      .orderBy(asc(accountGroups.name), asc(accountGroups.id));
    return Promise.all(rows.map(async (r) => (await this.findGroup(db, r.id))!));
  },

  async memberGroupIds(db: Executor, accountId: string): Promise<Set<string>> {
    const rows = await db
      .select({ g: groupMembers.groupId })
      .from(groupMembers)
      .where(eq(groupMembers.accountId, accountId));
    return new Set(rows.map((r) => r.g));
  },

  /** Members of any of these groups, with their names, in name order. */
  async membersOfGroups(db: Executor, groupIds: string[]): Promise<{ id: string; name: string }[]> {
    if (groupIds.length === 0) return [];
    const res = await db.execute(
      sql`select distinct a.id, a.name from ${groupMembers} gm join ${accounts} a on a.id = gm.account_id
          where gm.group_id = any(${textArray(groupIds)}) order by a.name, a.id`,
    );
    return rowsOf<{ id: string; name: string }>(res);
  },

  async addMember(db: Executor, groupId: string, accountId: string): Promise<void> {
    await db.insert(groupMembers).values({ groupId, accountId }).onConflictDoNothing();
  },

  async removeMember(db: Executor, groupId: string, accountId: string): Promise<boolean> {
    const rows = await db
      .delete(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.accountId, accountId)))
      .returning({ a: groupMembers.accountId });
    return rows.length > 0;
  },

  async insertInvitation(
    db: Executor,
    input: { groupId: string; inviteeAccountId: string; codeHash: string; expiresAt: Date },
  ): Promise<InvitationRecord> {
    const [row] = await db
      .insert(invitations)
      .values({ id: newId('invitation'), ...input })
      .returning();
    return toInvitation(row);
  },

  async findInvitationByCode(db: Executor, codeHash: string): Promise<InvitationRecord | undefined> {
    const [row] = await db.select().from(invitations).where(eq(invitations.codeHash, codeHash));
    return row && toInvitation(row);
  },

  async findInvitation(db: Executor, id: string): Promise<InvitationRecord | undefined> {
    const [row] = await db.select().from(invitations).where(eq(invitations.id, id));
    return row && toInvitation(row);
  },

  async listInvitations(
    db: Executor,
    by: { groupId?: string; inviteeAccountId?: string },
  ): Promise<InvitationRecord[]> {
    const rows = await db
      .select()
      .from(invitations)
      .where(
        and(
          by.groupId ? eq(invitations.groupId, by.groupId) : undefined,
          by.inviteeAccountId ? eq(invitations.inviteeAccountId, by.inviteeAccountId) : undefined,
        ),
      )
      .orderBy(asc(invitations.createdAt), asc(invitations.id));
    return rows.map(toInvitation);
  },

  async setInvitationState(
    db: Executor,
    id: string,
    state: InvitationState,
    acceptedAt?: Date,
  ): Promise<InvitationRecord> {
    const [row] = await db
      .update(invitations)
      .set({ state, acceptedAt: acceptedAt ?? null })
      .where(eq(invitations.id, id))
      .returning();
    return toInvitation(row);
  },

  async findImportLineage(
    db: Executor,
    accountId: string,
    sourceLineageId: string,
  ): Promise<string | undefined> {
    const [row] = await db
      .select({ id: importLineages.localLineageId })
      .from(importLineages)
      .where(
        and(eq(importLineages.accountId, accountId), eq(importLineages.sourceLineageId, sourceLineageId)),
      );
    return row?.id;
  },

  async insertImportLineage(
    db: Executor,
    input: { accountId: string; sourceLineageId: string; kind: PublicationKind; localLineageId: string },
  ): Promise<void> {
    await db.insert(importLineages).values(input);
  },
};
