import { PreconditionFailedError } from './errors.ts';

/**
 * The kinds of revisioned component (SPEC §3): each has a HEAD and immutable committed
 * revisions in lineages. RightScripts, the third kind RightScale versions, would join here.
 */
export const REVISION_KINDS = ['mci', 'server_template'] as const;
export type RevisionKindName = (typeof REVISION_KINDS)[number];

/**
 * HEAD edits accept If-Match (SPEC §5): an edit made against a stale version is refused with
 * 412 and changes nothing. `expected` is the version the caller read (undefined: no condition).
 */
export function assertVersion(current: { id: string; version: number }, expected: number | undefined): void {
  if (expected !== undefined && expected !== current.version) {
    throw new PreconditionFailedError(
      'precondition_failed',
      `${current.id} changed since it was read (version ${current.version}, expected ${expected}); read it again and retry`,
      { details: { currentVersion: current.version, expectedVersion: expected } },
    );
  }
}
