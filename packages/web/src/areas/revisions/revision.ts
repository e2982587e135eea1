import type { Schemas } from '../../api.ts';

/** What the API lets the caller do to a revision (MCI or ServerTemplate), computed from roles and state. */
export type RevisionAction = Schemas['Mci']['actions'][number];

/** The fields every revisioned kind shares (SPEC §4: lineage, HEAD, consecutive revisions). */
export type Revision = Pick<
  Schemas['Mci'],
  | 'id'
  | 'name'
  | 'description'
  | 'revision'
  | 'baseRevision'
  | 'importedFrom'
  | 'commitMessage'
  | 'committedAt'
  | 'actions'
>;

/** One entry of a lineage's history. */
export interface RevisionEntry {
  id: string;
  revision: number;
  commitMessage: string | null;
  committedAt: string | null;
  committedBy: string | null;
}

/** Whether the API offers `action` on this revision; the dashboard never guesses it. */
export function allows(revision: Pick<Revision, 'actions'>, action: RevisionAction): boolean {
  return revision.actions.includes(action);
}
