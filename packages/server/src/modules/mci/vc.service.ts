import { diffMci, type Principal } from '@mci/core';
import type { MciSettingView } from '@mci/db';
import type { AppContext } from '../../context.ts';
import { revisionRef } from '../revision/revision.presenter.ts';
import { mciRevisions } from './mci.kind.ts';

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
  const { from, to, names } = await mciRevisions.diffPair(ctx, principal, accountId, id, against);
  const d = diffMci(from, to, names);
  return {
    from: revisionRef(from),
    to: revisionRef(to),
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
