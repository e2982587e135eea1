import type { AccountAction, MergeResult, RevisionKindName, Snapshot, Warning } from '@mci/core';
import type { Executor, RevisionBase, RevisionListFilter, RevisionStore } from '@mci/db';
import type { UnitOfWork } from '../../unit-of-work.ts';

/** What a commit is asked for: the message, and (templates) whether to commit HEAD MCIs first. */
export interface CommitInput {
  message: string;
  commitHeadDependencies?: boolean;
}

/**
 * One revisioned kind (MCI, ServerTemplate; RightScripts would be a third), described for the
 * revision kernel: how its revisions are stored and loaded, what their content is (settings,
 * links) and the rules that differ per kind. Everything else — HEAD edits with If-Match,
 * commit numbering, clone, revisions, published reads, merge and the delete guard's place —
 * is the kernel's (`revision.service.ts`).
 */
export interface RevisionKind<R extends RevisionBase, V> {
  name: RevisionKindName;
  /** The kind in messages: "MCI", "ServerTemplate". */
  label: string;
  /** The kind in "… was not found" messages: "MCI", "server template". */
  notFoundLabel: string;
  /** Audit actions are `<auditPrefix>.<verb>`, e.g. `mci.commit`, `template.clone`. */
  auditPrefix: string;
  writeAction: AccountAction;
  store: RevisionStore;
  findMany(db: Executor, ids: readonly string[]): Promise<R[]>;
  list(db: Executor, filter: RevisionListFilter & { cloudId?: string }): Promise<R[]>;
  /** Copies a revision's content (settings, links) onto another revision row. */
  copyContent(tx: Executor, fromId: string, toId: string): Promise<void>;
  /** Checks the content a clone takes in from `source` (links must be readable, …). */
  checkIncoming(tx: Executor, accountId: string, source: R): Promise<void>;
  /** R-MCI-5, R-ST-4: refuses an uncommittable HEAD, may commit what it depends on; warnings. */
  prepareCommit(uow: UnitOfWork, head: R, input: CommitInput): Promise<Warning[]>;
  /** R-MCI-7: refuses to delete a lineage that others depend on. */
  assertDeletable(tx: Executor, head: R): Promise<void>;
  /** The snapshot diff and merge work on (entries keyed by cloud or by MCI lineage). */
  snapshot(r: R): Snapshot<V>;
  /** Display names of entry keys (cloud names, MCI names) over some revisions. */
  entryNames(...revisions: (R | null)[]): Map<string, string>;
  mergeSnapshots(base: R | null, ours: R, theirs: R, names: Map<string, string>): MergeResult<V>;
  /** Re-checks what a merge takes from theirs (R-MCI-2/3, readable links) and writes HEAD's content. */
  applyMerge(uow: UnitOfWork, head: R, theirs: R, merged: Snapshot<V>): Promise<Warning[]>;
}
