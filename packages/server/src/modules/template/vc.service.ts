import { diffTemplate, type McILink, type Principal } from '@mci/core';
import type { LinkView } from '@mci/db';
import type { AppContext } from '../../context.ts';
import { fieldChanges } from '../mci/vc.service.ts';
import { revisionRef } from '../revision/revision.presenter.ts';
import { templateRevisions } from './template.kind.ts';

/** R-VC-1 for templates: fields, links added/removed/revision changed, default changed. */
export async function diff(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  against: string,
) {
  const { from, to, names } = await templateRevisions.diffPair(ctx, principal, accountId, id, against);
  const d = diffTemplate(from, to, names);
  const ref = (l: McILink | undefined) =>
    l ? { mciId: l.mciId, revision: (l as LinkView).mciRevision } : null;
  const def = (key: unknown) =>
    key ? { mciLineageId: key as string, mciName: names.get(key as string) ?? (key as string) } : null;
  return {
    from: revisionRef(from),
    to: revisionRef(to),
    fields: fieldChanges(d.fields),
    defaultChanged: d.fields.defaultKey
      ? { from: def(d.fields.defaultKey[0]), to: def(d.fields.defaultKey[1]) }
      : null,
    links: d.entries.map((e) => ({
      mciLineageId: e.key,
      mciName: names.get(e.key) ?? e.key,
      change: e.change === 'changed' ? ('revision_changed' as const) : e.change,
      from: ref(e.change === 'added' ? undefined : e.from),
      to: ref(e.change === 'removed' ? undefined : e.to),
    })),
  };
}
