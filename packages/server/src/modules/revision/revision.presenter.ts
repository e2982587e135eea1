import { revisionActions, type Principal, type RevisionKindName } from '@mci/core';
import type { RevisionBase } from '@mci/db';

/** A revision as the v1 API shows it: the record plus what the caller may do with it. */
export function presentRevision<R extends RevisionBase>(
  kind: RevisionKindName,
  principal: Principal,
  accountId: string,
  r: R,
): R & { actions: ReturnType<typeof revisionActions> } {
  return { ...r, actions: revisionActions(principal, accountId, kind, r) };
}

/** The two sides of a diff by reference. */
export const revisionRef = (r: RevisionBase) => ({
  id: r.id,
  lineageId: r.lineageId,
  revision: r.revision,
  name: r.name,
});
