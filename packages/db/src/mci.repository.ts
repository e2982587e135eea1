import type { Mci, MciSetting } from '@mci/core';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { reusableStatement } from './prepared.ts';
import { revisionStore, type RevisionBase, type RevisionListFilter } from './revision-store.ts';
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

export interface MciRecord extends Mci, RevisionBase {
  settings: MciSettingView[];
}

/** Every MCI read takes its settings from here: built once, a named statement (ADR 015). */
const settingsStatement = reusableStatement('mci_settings_by_mci_ids', (db) =>
  db
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
    .where(sql`${mciSettings.mciId} = any(${sql.placeholder('ids')}::text[])`)
    .orderBy(asc(clouds.name), asc(clouds.id)),
);

async function settingsOf(db: Executor, mciIds: readonly string[]): Promise<Map<string, MciSettingView[]>> {
  const result = new Map<string, MciSettingView[]>(mciIds.map((id) => [id, []]));
  if (mciIds.length === 0) return result;
  const rows = await settingsStatement(db, { ids: [...mciIds] });
  for (const { mciId, ...setting } of rows) result.get(mciId)!.push(setting);
  return result;
}

const store = revisionStore(mcis, mciLineages, { revision: 'mci', lineage: 'mciLineage' });

async function withSettings(db: Executor, rows: RevisionBase[]): Promise<MciRecord[]> {
  const settings = await settingsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, settings: settings.get(r.id)! }));
}

/** MultiCloud Image lineages, revisions (the shared revision store) and their settings. */
export const mciRepository = {
  ...store,

  async findMany(db: Executor, ids: readonly string[]): Promise<MciRecord[]> {
    return withSettings(db, await store.findRows(db, ids));
  },

  async find(db: Executor, id: string): Promise<MciRecord | undefined> {
    return (await mciRepository.findMany(db, [id]))[0];
  },

  /** The account's MCI revisions; with `cloudId`, only those with a setting for that cloud. */
  async list(db: Executor, f: RevisionListFilter & { cloudId?: string }): Promise<MciRecord[]> {
    const where = f.cloudId
      ? () =>
          sql`exists (select 1 from ${mciSettings} s where s.mci_id = ${mcis.id} and s.cloud_id = ${f.cloudId})`
      : undefined;
    return withSettings(db, await store.listRows(db, { ...f, where }));
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
};
