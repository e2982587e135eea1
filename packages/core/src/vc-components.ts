import type { Mci, MciSetting } from './mci.ts';
import type { McILink, ServerTemplate } from './template.ts';
import { diffSnapshots, mergeSnapshots, type MergeResult, type Snapshot, type SnapshotDiff } from './vc.ts';

/** R-VC-1/2 for MCIs: settings keyed by cloud, compared by image, instance type and user data. */
export function mciSnapshot(
  mci: Pick<Mci, 'name' | 'description' | 'tags' | 'settings'>,
): Snapshot<MciSetting> {
  return {
    name: mci.name,
    description: mci.description,
    tags: mci.tags,
    entries: new Map(mci.settings.map((s) => [s.cloudId, s])),
  };
}

export function sameSetting(a: MciSetting, b: MciSetting): boolean {
  return (
    a.imageId === b.imageId &&
    a.instanceTypeId === b.instanceTypeId &&
    (a.userData ?? null) === (b.userData ?? null)
  );
}

/** Orders cloud ids by cloud name (then id), so diffs and conflicts read the same every time. */
export function byCloudName(names: ReadonlyMap<string, string>): (a: string, b: string) => number {
  return (a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b) || a.localeCompare(b);
}

/**
 * R-VC-1: from one MCI revision to another.
 * @rule R-VC-1
 */
export function diffMci(
  from: Pick<Mci, 'name' | 'description' | 'tags' | 'settings'>,
  to: Pick<Mci, 'name' | 'description' | 'tags' | 'settings'>,
  cloudNames: ReadonlyMap<string, string>,
): SnapshotDiff<MciSetting> {
  return diffSnapshots(mciSnapshot(from), mciSnapshot(to), sameSetting, byCloudName(cloudNames));
}

/**
 * R-VC-2: merges `theirs` into `ours` (a HEAD) over `base` (null: no common ancestor).
 * @rule R-VC-2
 */
export function mergeMci(
  base: Pick<Mci, 'name' | 'description' | 'tags' | 'settings'> | null,
  ours: Pick<Mci, 'name' | 'description' | 'tags' | 'settings'>,
  theirs: Pick<Mci, 'name' | 'description' | 'tags' | 'settings'>,
  cloudNames: ReadonlyMap<string, string>,
): MergeResult<MciSetting> {
  return mergeSnapshots(
    base && mciSnapshot(base),
    mciSnapshot(ours),
    mciSnapshot(theirs),
    sameSetting,
    byCloudName(cloudNames),
  );
}

/** R-VC-1/2 for templates: links keyed by MCI lineage, compared by the linked revision. */
export function templateSnapshot(
  t: Pick<ServerTemplate, 'name' | 'description' | 'tags' | 'links'>,
): Snapshot<McILink> {
  return {
    name: t.name,
    description: t.description,
    tags: t.tags,
    entries: new Map(t.links.map((l) => [l.mciLineageId, l])),
    defaultKey: t.links.find((l) => l.isDefault)?.mciLineageId ?? null,
  };
}

const sameLink = (a: McILink, b: McILink) => a.mciId === b.mciId;

/**
 * R-VC-1 for templates: changed fields, MCI links added, removed, revision changed, default changed.
 * @rule R-VC-1
 */
export function diffTemplate(
  from: Pick<ServerTemplate, 'name' | 'description' | 'tags' | 'links'>,
  to: Pick<ServerTemplate, 'name' | 'description' | 'tags' | 'links'>,
  lineageNames: ReadonlyMap<string, string>,
): SnapshotDiff<McILink> {
  return diffSnapshots(templateSnapshot(from), templateSnapshot(to), sameLink, byCloudName(lineageNames));
}

/**
 * R-VC-2 for templates: three-way merge of links by MCI lineage.
 * @rule R-VC-2
 */
export function mergeTemplate(
  base: Pick<ServerTemplate, 'name' | 'description' | 'tags' | 'links'> | null,
  ours: Pick<ServerTemplate, 'name' | 'description' | 'tags' | 'links'>,
  theirs: Pick<ServerTemplate, 'name' | 'description' | 'tags' | 'links'>,
  lineageNames: ReadonlyMap<string, string>,
): MergeResult<McILink> {
  return mergeSnapshots(
    base && templateSnapshot(base),
    templateSnapshot(ours),
    templateSnapshot(theirs),
    sameLink,
    byCloudName(lineageNames),
  );
}

/**
 * The merged template's links in order: ours' positions first, then links new from theirs; the
 * default is the merged default lineage if linked, else the first link (R-ST-2).
 * @rule R-ST-2
 */
export function mergedLinks(
  merged: Snapshot<McILink>,
  ours: readonly McILink[],
  theirs: readonly McILink[],
): Omit<McILink, 'id'>[] {
  const order = [...ours, ...theirs].map((l) => l.mciLineageId);
  const lineages = [...new Set(order)].filter((k) => merged.entries.has(k));
  const defaultKey =
    merged.defaultKey && merged.entries.has(merged.defaultKey) ? merged.defaultKey : lineages[0];
  return lineages.map((k, i) => {
    const link = merged.entries.get(k)!;
    return { mciId: link.mciId, mciLineageId: k, isDefault: k === defaultKey, position: i + 1 };
  });
}

/**
 * Which revision a merge into a HEAD starts from (R-VC-2): within a lineage, HEAD's
 * baseRevision; across lineages, the revision HEAD was cloned from, or the one `from` was
 * cloned from when that is in HEAD's lineage. Returns the base revision's id, or null.
 * @rule R-VC-2
 */
export function mergeBaseId(
  head: { lineageId: string; baseRevision: number | null; clonedFrom: string | null },
  from: { lineageId: string; clonedFrom: string | null },
  revisionIdOf: (lineageId: string, revision: number) => string | undefined,
  lineageOf: (id: string) => string | undefined,
): string | null {
  if (from.lineageId === head.lineageId) {
    return head.baseRevision ? (revisionIdOf(head.lineageId, head.baseRevision) ?? null) : null;
  }
  if (head.clonedFrom && lineageOf(head.clonedFrom) === from.lineageId) return head.clonedFrom;
  if (from.clonedFrom && lineageOf(from.clonedFrom) === head.lineageId) return from.clonedFrom;
  return head.clonedFrom ?? null;
}

/**
 * Where HEAD's history points after merging `theirs` (R-VC-2): within a lineage, baseRevision
 * moves up to the merged revision; from the upstream a HEAD was cloned from, clonedFrom moves
 * to it — so the next merge from the same source starts where this one ended.
 * @rule R-VC-2
 */
export function provenanceAfterMerge(
  head: { baseRevision: number | null; clonedFrom: string | null; lineageId: string },
  theirs: { id: string; lineageId: string; revision: number },
  base: { id: string; lineageId: string } | null,
): { baseRevision?: number | null; clonedFrom?: string } {
  if (theirs.lineageId === head.lineageId) {
    return { baseRevision: Math.max(head.baseRevision ?? 0, theirs.revision) || head.baseRevision };
  }
  if (base && base.id === head.clonedFrom && base.lineageId === theirs.lineageId)
    return { clonedFrom: theirs.id };
  return {};
}
