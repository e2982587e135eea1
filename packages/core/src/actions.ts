import { isAllowed, type AccountAction, type Principal } from './access.ts';
import type { RevisionFields } from './mci.ts';
import type { RevisionKindName } from './revision.ts';

/** What a caller may do to a revision (MCI or ServerTemplate); the API returns it as `actions`. */
export const REVISION_ACTIONS = ['edit', 'commit', 'merge', 'clone', 'delete', 'publish'] as const;
export type RevisionAction = (typeof REVISION_ACTIONS)[number];

const WRITE_ACTION: Record<RevisionKindName, AccountAction> = {
  mci: 'mci.write',
  server_template: 'template.write',
};

/**
 * The actions the caller may take on a revision read in `accountId`, from their roles and the
 * revision's state: R-MCI-4 (only the account's own, non-imported HEAD is edited, committed and
 * merged into), R-MCI-6 (any readable revision is cloned), R-MCI-7 (the account's own lineage
 * is deleted), R-PUB-1 (only committed revisions the account created or cloned are published).
 * The service still enforces each rule; this tells clients which buttons to offer.
 * @rule R-MCI-4
 */
export function revisionActions(
  principal: Principal,
  accountId: string,
  kind: RevisionKindName,
  rev: Pick<RevisionFields, 'accountId' | 'revision' | 'importedFrom'>,
): RevisionAction[] {
  const designer = isAllowed(principal, accountId, WRITE_ACTION[kind]);
  const own = rev.accountId === accountId;
  const editableHead = own && rev.revision === 0 && !rev.importedFrom;
  const actions: RevisionAction[] = [];
  if (designer && editableHead) actions.push('edit', 'commit', 'merge');
  if (designer) actions.push('clone');
  if (designer && own) actions.push('delete');
  if (own && rev.revision > 0 && !rev.importedFrom && isAllowed(principal, accountId, 'publication.write')) {
    actions.push('publish');
  }
  return actions;
}
