import {
  assertEditable,
  authorizeAccount,
  checkSetting,
  diffMci,
  InputError,
  mergeBaseId,
  provenanceAfterMerge,
  mergeMci,
  mciSnapshot,
  resolveMerge,
  sameSetting,
  type MergeConflict,
  type MciSetting,
  type Principal,
  type Warning,
} from '@mci/core';
import {
  auditRepository,
  catalogRepository,
  mciRepository,
  type Executor,
  type MciRecord,
  type MciSettingView,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { assertVersion } from '../../http/etag.ts';
import { requireMci, requireReadableMci } from './mci.service.ts';

const side = (m: MciRecord) => ({ id: m.id, lineageId: m.lineageId, revision: m.revision, name: m.name });
const imageRef = (s: MciSettingView) => ({
  id: s.imageId,
  resourceUid: s.imageResourceUid,
  name: s.imageName,
});
const typeRef = (s: MciSettingView) => ({
  id: s.instanceTypeId,
  resourceUid: s.instanceTypeResourceUid,
  name: s.instanceTypeName,
});

function cloudNames(...mcis: (MciRecord | null)[]): Map<string, string> {
  return new Map(mcis.flatMap((m) => m?.settings.map((s) => [s.cloudId, s.cloudName] as const) ?? []));
}

/** Field changes as `{field: {from, to}}` for the API. */
export function fieldChanges(fields: Partial<Record<string, [unknown, unknown]>>) {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([k]) => k !== 'defaultKey')
      .map(([k, v]) => [k, { from: v![0], to: v![1] }]),
  );
}

/** R-VC-1: what `id` changes relative to `against` (both readable by the account). */
export async function diff(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  against: string,
) {
  authorizeAccount(principal, accountId, 'account.read');
  const to = await requireReadableMci(ctx.db, accountId, id);
  const from = await requireReadableMci(ctx.db, accountId, against);
  const names = cloudNames(from, to);
  const d = diffMci(from, to, names);
  return {
    from: side(from),
    to: side(to),
    fields: fieldChanges(d.fields),
    clouds: d.entries.map((e) => {
      const a = e.change === 'added' ? null : (e.from as MciSettingView);
      const b = e.change === 'removed' ? null : (e.to as MciSettingView);
      const fields: Record<string, unknown> = {};
      if (a && b) {
        if (a.imageId !== b.imageId) fields.image = { from: imageRef(a), to: imageRef(b) };
        if (a.instanceTypeId !== b.instanceTypeId) fields.instanceType = { from: typeRef(a), to: typeRef(b) };
        if ((a.userData ?? null) !== (b.userData ?? null))
          fields.userData = { from: a.userData, to: b.userData };
      }
      return {
        cloudId: e.key,
        cloudName: names.get(e.key) ?? e.key,
        change: e.change,
        from: a,
        to: b,
        fields,
      };
    }),
  };
}

/** Finds the merge base of HEAD and `from` (R-VC-2), loading the revisions it needs. */
async function loadBase(db: Executor, head: MciRecord, from: MciRecord): Promise<MciRecord | null> {
  const revisions = await mciRepository.revisions(db, head.lineageId);
  const provenance = await mciRepository.findMany(
    db,
    [head.clonedFrom, from.clonedFrom].filter((x): x is string => Boolean(x)),
  );
  const baseId = mergeBaseId(
    head,
    from,
    (lineageId, revision) =>
      lineageId === head.lineageId ? revisions.find((r) => r.revision === revision)?.id : undefined,
    (id) => provenance.find((m) => m.id === id)?.lineageId,
  );
  return baseId ? ((await mciRepository.find(db, baseId)) ?? null) : null;
}

function describeConflict(names: Map<string, string>) {
  return (c: MergeConflict<MciSetting>) => ({
    key: c.key,
    kind: c.kind,
    label: c.kind === 'entry' ? (names.get(c.key) ?? c.key) : c.key,
    base: c.base ?? null,
    ours: c.ours ?? null,
    theirs: c.theirs ?? null,
  });
}

/**
 * R-VC-2: merges `from` into the HEAD `id`, all or nothing, writing only HEAD. Settings that
 * come from theirs are checked again (R-MCI-2/3): the account must be able to use them.
 */
export async function merge(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: { from: string; resolutions: Record<string, 'ours' | 'theirs'> },
  expected?: number,
) {
  authorizeAccount(principal, accountId, 'mci.write');
  return ctx.db.transaction(async (tx) => {
    const head = await requireMci(tx, accountId, id);
    assertEditable(head);
    assertVersion(head, expected);
    const theirs = await requireReadableMci(tx, accountId, input.from);
    const base = await loadBase(tx, head, theirs);
    const names = cloudNames(base, head, theirs);
    const m = mergeMci(base, head, theirs, names);
    const result = resolveMerge(
      m,
      mciSnapshot(head),
      mciSnapshot(theirs),
      input.resolutions,
      describeConflict(names),
    );

    const warnings: Warning[] = [];
    const oursByCloud = new Map(head.settings.map((s) => [s.cloudId, s]));
    for (const setting of result.entries.values()) {
      const mine = oursByCloud.get(setting.cloudId);
      if (mine && sameSetting(mine, setting)) continue;
      const cloud = (await catalogRepository.findCloud(tx, setting.cloudId))!;
      try {
        warnings.push(
          ...checkSetting({
            accountId,
            cloud,
            imageId: setting.imageId,
            image: await catalogRepository.findImage(tx, setting.imageId),
            instanceTypeId: setting.instanceTypeId,
            instanceType: await catalogRepository.findInstanceType(tx, setting.instanceTypeId),
          }),
        );
      } catch (err) {
        if (err instanceof InputError) {
          throw new InputError(
            err.code,
            `the merged setting for ${cloud.name} cannot be used: ${err.message}`,
            {
              errors: [{ path: `settings.${setting.cloudId}`, message: err.message }],
            },
          );
        }
        throw err;
      }
    }
    await mciRepository.replaceAllSettings(tx, head.id, [...result.entries.values()]);
    const provenance = provenanceAfterMerge(head, theirs, base);
    await mciRepository.updateRevision(tx, head.id, {
      name: result.name,
      description: result.description,
      tags: result.tags,
      ...provenance,
    });
    await auditRepository.insert(tx, {
      accountId,
      userId: principal.userId,
      action: 'mci.merge',
      targetType: 'mci',
      targetId: head.id,
      summary: `merged ${theirs.name} r${theirs.revision} (${theirs.id}) into the HEAD of "${head.name}"`,
    });
    const merged = (await mciRepository.find(tx, head.id))!;
    return {
      ...merged,
      warnings,
      merge: { baseId: base?.id ?? null, fromTheirs: m.fromTheirs, resolved: input.resolutions },
    };
  });
}
