import { revisionActions, type Principal, type RevisionKindName } from '@mci/core';
import type { RevisionBase } from '@mci/db';

/**
 * A revision as the v1 API shows it: the record plus what the caller may do with it. An imported
 * copy, or another account's revision published to this one, shows no `committedBy`: that is a
 * user of the publishing account, whose ids other tenants must not see.
 */
export function presentRevision<R extends RevisionBase>(
  kind: RevisionKindName,
  principal: Principal,
  accountId: string,
  r: R,
): R & { actions: ReturnType<typeof revisionActions> } {
  return { ...withoutForeignAuthor(accountId)(r), actions: revisionActions(principal, accountId, kind, r) };
}

/**
 * A revision as `accountId` may see it: without `committedBy` when it was imported from another
 * account or belongs to one (a published revision read across accounts); its author is theirs.
 */
export function withoutForeignAuthor(accountId: string) {
  return <R extends RevisionBase>(r: R): R =>
    r.importedFrom || r.accountId !== accountId ? { ...r, committedBy: null } : r;
}

/** The two sides of a diff by reference. */
export const revisionRef = (r: RevisionBase) => ({
  id: r.id,
  lineageId: r.lineageId,
  revision: r.revision,
  name: r.name,
});
