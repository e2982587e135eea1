import {
  assertCommittable,
  assertLineageDeletable,
  checkSetting,
  InputError,
  mciSnapshot,
  mergeMci,
  sameSetting,
  type MciSetting,
  type Warning,
} from '@mci/core';
import {
  catalogRepository,
  marketplaceRepository,
  mciRepository,
  templateRepository,
  type Executor,
  type MciRecord,
} from '@mci/db';
import type { RevisionKind } from '../revision/revision.kind.ts';
import { revisionService } from '../revision/revision.service.ts';

/** Cloud names by id over some MCI revisions (for diffs, merges and conflicts). */
export function cloudNames(...mcis: (MciRecord | null)[]): Map<string, string> {
  return new Map(mcis.flatMap((m) => m?.settings.map((s) => [s.cloudId, s.cloudName] as const) ?? []));
}

/** R-MCI-2/3 for a setting a merge takes from theirs: the account must be able to use it. */
async function recheckSetting(tx: Executor, accountId: string, setting: MciSetting): Promise<Warning[]> {
  const cloud = (await catalogRepository.findCloud(tx, setting.cloudId))!;
  try {
    return checkSetting({
      accountId,
      cloud,
      imageId: setting.imageId,
      image: await catalogRepository.findImage(tx, setting.imageId),
      instanceTypeId: setting.instanceTypeId,
      instanceType: await catalogRepository.findInstanceType(tx, setting.instanceTypeId),
    });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new InputError(err.code, `the merged setting for ${cloud.name} cannot be used: ${err.message}`, {
      errors: [{ path: `settings.${setting.cloudId}`, message: err.message }],
    });
  }
}

/** MultiCloud Images for the revision kernel: content = settings keyed by cloud. */
export const mciKind: RevisionKind<MciRecord, MciSetting> = {
  name: 'mci',
  label: 'MCI',
  notFoundLabel: 'MCI',
  auditPrefix: 'mci',
  writeAction: 'mci.write',
  store: mciRepository,
  findMany: mciRepository.findMany,
  list: mciRepository.list,

  async copyContent(tx, fromId, toId) {
    const from = await mciRepository.find(tx, fromId);
    await mciRepository.replaceAllSettings(tx, toId, from!.settings);
  },

  // Settings name catalog images by id; whether the account can use them is checked when it
  // edits or merges them (R-MCI-2), as for a clone of its own revision.
  async checkIncoming() {},

  async prepareCommit(_uow, head) {
    assertCommittable(head);
    return [];
  },

  /** R-MCI-7: refused while any template revision links the lineage, or while it is published. */
  async assertDeletable(tx, mci) {
    const linking = await templateRepository.linkingLineage(tx, mci.lineageId);
    const revisions = await mciRepository.revisions(tx, mci.lineageId);
    const published = await marketplaceRepository.publicationsOfSources(
      tx,
      revisions.map((r) => r.id),
    );
    assertLineageDeletable(mci.name, linking, published);
  },

  snapshot: mciSnapshot,
  entryNames: cloudNames,
  mergeSnapshots: (base, ours, theirs, names) => mergeMci(base, ours, theirs, names),

  async applyMerge(uow, head, _theirs, merged) {
    const warnings: Warning[] = [];
    const ours = new Map(head.settings.map((s) => [s.cloudId, s]));
    for (const setting of merged.entries.values()) {
      const mine = ours.get(setting.cloudId);
      if (!mine || !sameSetting(mine, setting)) {
        warnings.push(...(await recheckSetting(uow.tx, head.accountId, setting)));
      }
    }
    await mciRepository.replaceAllSettings(uow.tx, head.id, [...merged.entries.values()]);
    return warnings;
  },
};

/** The revision kernel over MCIs. */
export const mciRevisions = revisionService(mciKind);
