import { revisionActions, type Principal, type RevisionKindName } from '@mci/core';
import type { RevisionBase } from '@mci/db';

/**
 * A revision as the v1 API shows it: the record plus what the caller may do with it. An imported
 * copy shows no `committedBy`: that is a user of the publishing account, whose ids other tenants
 * must not see.
 */
export function presentRevision<R extends RevisionBase>(
  kind: RevisionKindName,
  principal: Principal,
  accountId: string,
  r: R,
): R & { actions: ReturnType<typeof revisionActions> } {
  return { ...withoutForeignAuthor(r), actions: revisionActions(principal, accountId, kind, r) };
}

/** A revision without `committedBy` when it was imported from another account (its author is theirs). */
export function withoutForeignAuthor<R extends RevisionBase>(r: R): R {
  return r.importedFrom ? { ...r, committedBy: null } : r;
}

/** The two sides of a diff by reference. */
export const revisionRef = (r: RevisionBase) => ({
  id: r.id,
  lineageId: r.lineageId,
  revision: r.revision,
  name: r.name,
});
