import type { Mci, MciSetting, RevisionFields } from '@mci/core';
import { and, asc, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import { clouds, images, instanceTypes, mciLineages, mciSettings, mcis } from './schema.ts';

/** A setting with the names a reader needs next to the ids. */
export interface MciSettingView extends MciSetting {
  cloudName: string;
  imageResourceUid: string;
  imageName: string;
  imageState: string;
  cpuArchitecture: string;
  osFamily: string;
  osVersion: string;
  instanceTypeResourceUid: string;
  instanceTypeName: string;
}

export interface MciRecord extends Mci {
  settings: MciSettingView[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type RevisionRow = typeof mcis.$inferSelect;

/** Revision columns → the domain's revision fields (shared with templates). */
export function toRevisionFields(
  r: RevisionRow,
): RevisionFields & { version: number; createdAt: string; updatedAt: string } {
  return {
    id: r.id,
    lineageId: r.lineageId,
    revision: r.revision,
    name: r.name,
    description: r.description,
    tags: r.tags,
    accountId: r.accountId,
    commitMessage: r.commitMessage,
    committedBy: r.committedBy,
    committedAt: r.committedAt ? r.committedAt.toISOString() : null,
    baseRevision: r.baseRevision,
    clonedFrom: r.clonedFrom,
    importedFrom: r.importedFrom,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export interface NewRevision {
  lineageId: string;
  revision: number;
  accountId: string;
  name: string;
  description: string;
  tags: string[];
  commitMessage?: string | null;
  committedBy?: string | null;
  committedAt?: Date | null;
  baseRevision?: number | null;
  clonedFrom?: string | null;
  importedFrom?: string | null;
}

export interface RevisionListFilter {
  accountId: string;
  q?: string;
  lineageId?: string;
  revision?: number;
  after?: { name: string; id: string };
  limit: number;
}

/** Filters shared by MCI and template lists. */
export function revisionListConditions(table: typeof mcis, f: RevisionListFilter): (SQL | undefined)[] {
  return [
    eq(table.accountId, f.accountId),
    f.q ? ilike(table.name, `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined,
    f.lineageId ? eq(table.lineageId, f.lineageId) : undefined,
    f.revision !== undefined ? eq(table.revision, f.revision) : undefined,
    f.after ? sql`(${table.name}, ${table.id}) > (${f.after.name}, ${f.after.id})` : undefined,
  ];
}

async function settingsOf(db: Executor, mciIds: string[]): Promise<Map<string, MciSettingView[]>> {
  const result = new Map<string, MciSettingView[]>(mciIds.map((id) => [id, []]));
  if (mciIds.length === 0) return result;
  const rows = await db
    .select({
      mciId: mciSettings.mciId,
      cloudId: mciSettings.cloudId,
      imageId: mciSettings.imageId,
      instanceTypeId: mciSettings.instanceTypeId,
      userData: mciSettings.userData,
      cloudName: clouds.name,
      imageResourceUid: images.resourceUid,
      imageName: images.name,
      imageState: images.state,
      cpuArchitecture: images.cpuArchitecture,
      osFamily: images.osFamily,
      osVersion: images.osVersion,
      instanceTypeResourceUid: instanceTypes.resourceUid,
      instanceTypeName: instanceTypes.name,
    })
    .from(mciSettings)
    .innerJoin(clouds, eq(clouds.id, mciSettings.cloudId))
    .innerJoin(images, eq(images.id, mciSettings.imageId))
    .innerJoin(instanceTypes, eq(instanceTypes.id, mciSettings.instanceTypeId))
    .where(inArray(mciSettings.mciId, mciIds))
    .orderBy(asc(clouds.name), asc(clouds.id));
  for (const { mciId, ...setting } of rows) result.get(mciId)!.push(setting);
  return result;
}

/** MultiCloud Image lineages, revisions and their settings. */
export const mciRepository = {
  async insertLineage(db: Executor, accountId: string): Promise<string> {
    const id = newId('mciLineage');
    await db.insert(mciLineages).values({ id, accountId });
    return id;
  },

  /** R-MCI-5: the next committed number; the row lock serializes concurrent commits. */
  async nextRevisionNumber(db: Executor, lineageId: string): Promise<number> {
    const [row] = await db
      .update(mciLineages)
      .set({ lastRevision: sql`${mciLineages.lastRevision} + 1` })
      .where(eq(mciLineages.id, lineageId))
      .returning({ n: mciLineages.lastRevision });
    return row.n;
  },

  async insertRevision(db: Executor, input: NewRevision): Promise<string> {
    const id = newId('mci');
    await db.insert(mcis).values({ id, ...input });
    return id;
  },

  async find(db: Executor, id: string): Promise<MciRecord | undefined> {
    return (await this.findMany(db, [id]))[0];
  },

  async findMany(db: Executor, ids: string[]): Promise<MciRecord[]> {
    if (ids.length === 0) return [];
    const rows = await db.select().from(mcis).where(inArray(mcis.id, ids));
    const settings = await settingsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({ ...toRevisionFields(r), settings: settings.get(r.id)! }));
  },

  async findHead(db: Executor, lineageId: string): Promise<MciRecord | undefined> {
    const [row] = await db
      .select({ id: mcis.id })
      .from(mcis)
      .where(and(eq(mcis.lineageId, lineageId), eq(mcis.revision, 0)));
    return row && this.find(db, row.id);
  },

  async list(db: Executor, f: RevisionListFilter): Promise<MciRecord[]> {
    const rows = await db
      .select()
      .from(mcis)
      .where(and(...revisionListConditions(mcis, f)))
      .orderBy(asc(mcis.name), asc(mcis.id))
      .limit(f.limit + 1);
    const settings = await settingsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({ ...toRevisionFields(r), settings: settings.get(r.id)! }));
  },

  /** Every revision of a lineage, newest first (HEAD last). */
  async revisions(db: Executor, lineageId: string): Promise<ReturnType<typeof toRevisionFields>[]> {
    const rows = await db
      .select()
      .from(mcis)
      .where(eq(mcis.lineageId, lineageId))
      .orderBy(desc(sql`case when ${mcis.revision} = 0 then -1 else ${mcis.revision} end`));
    return rows.map(toRevisionFields);
  },

  /** Changes HEAD fields and bumps its version (the ETag). */
  async updateRevision(
    db: Executor,
    id: string,
    patch: Partial<Pick<RevisionRow, 'name' | 'description' | 'tags' | 'baseRevision' | 'clonedFrom'>>,
  ): Promise<void> {
    await db
      .update(mcis)
      .set({ ...patch, version: sql`${mcis.version} + 1`, updatedAt: sql`clock_timestamp()` })
      .where(eq(mcis.id, id));
  },

  async insertSetting(db: Executor, mciId: string, setting: MciSetting): Promise<void> {
    await translateDbErrors('setting', () => db.insert(mciSettings).values({ mciId, ...setting }));
  },

  async replaceSetting(db: Executor, mciId: string, setting: MciSetting): Promise<void> {
    await db
      .update(mciSettings)
      .set({ imageId: setting.imageId, instanceTypeId: setting.instanceTypeId, userData: setting.userData })
      .where(and(eq(mciSettings.mciId, mciId), eq(mciSettings.cloudId, setting.cloudId)));
  },

  async deleteSetting(db: Executor, mciId: string, cloudId: string): Promise<boolean> {
    const rows = await db
      .delete(mciSettings)
      .where(and(eq(mciSettings.mciId, mciId), eq(mciSettings.cloudId, cloudId)))
      .returning({ cloudId: mciSettings.cloudId });
    return rows.length > 0;
  },

  async replaceAllSettings(db: Executor, mciId: string, settings: readonly MciSetting[]): Promise<void> {
    await db.delete(mciSettings).where(eq(mciSettings.mciId, mciId));
    if (settings.length > 0) {
      await db.insert(mciSettings).values(
        settings.map((s) => ({
          mciId,
          cloudId: s.cloudId,
          imageId: s.imageId,
          instanceTypeId: s.instanceTypeId,
          userData: s.userData,
        })),
      );
    }
  },

  /** The account's copy of a publication (R-IMP-2 dedupe), if it imported it before. */
  async findImported(db: Executor, accountId: string, publicationId: string): Promise<string | undefined> {
    const [row] = await db
      .select({ id: mcis.id })
      .from(mcis)
      .where(and(eq(mcis.accountId, accountId), eq(mcis.importedFrom, publicationId)));
    return row?.id;
  },

  async deleteLineage(db: Executor, lineageId: string): Promise<void> {
    await db.delete(mciLineages).where(eq(mciLineages.id, lineageId));
  },
};
