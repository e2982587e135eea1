import { ConflictError } from './errors.ts';

/**
 * Version control of revisioned components (R-VC-1, R-VC-2), generic over what is keyed:
 * an MCI's settings keyed by cloud, a template's links keyed by MCI lineage. Pure and linear
 * in the number of keys, so 1,000-cloud MCIs diff and merge in well under a millisecond.
 */

/** The parts of a revision that diff and merge compare. */
export interface Snapshot<V> {
  name: string;
  description: string;
  tags: string[];
  /** Per-key values: cloudId → setting, or MCI lineage → link. */
  entries: ReadonlyMap<string, V>;
  /** Templates only: the lineage of the default link. */
  defaultKey?: string | null;
}

export const SNAPSHOT_FIELDS = ['name', 'description', 'tags', 'defaultKey'] as const;
export type SnapshotField = (typeof SNAPSHOT_FIELDS)[number];

export type EntryChange<V> =
  | { key: string; change: 'added'; to: V }
  | { key: string; change: 'removed'; from: V }
  | { key: string; change: 'changed'; from: V; to: V };

export interface SnapshotDiff<V> {
  fields: Partial<Record<SnapshotField, [unknown, unknown]>>;
  entries: EntryChange<V>[];
}

const sameTags = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((t, i) => t === [...b].sort()[i]);

function fieldValue<V>(s: Snapshot<V>, field: SnapshotField): unknown {
  return field === 'defaultKey' ? (s.defaultKey ?? null) : s[field];
}

function sameField(field: SnapshotField, a: unknown, b: unknown): boolean {
  return field === 'tags' ? sameTags(a as string[], b as string[]) : a === b;
}

/**
 * R-VC-1: what changed from `from` to `to`: fields with [from, to], and per key added,
 * removed or changed. Keys come out in `order` (e.g. by cloud name).
 * @rule R-VC-1
 */
export function diffSnapshots<V>(
  from: Snapshot<V>,
  to: Snapshot<V>,
  equal: (a: V, b: V) => boolean,
  order: (a: string, b: string) => number,
): SnapshotDiff<V> {
  const fields: SnapshotDiff<V>['fields'] = {};
  for (const field of SNAPSHOT_FIELDS) {
    const a = fieldValue(from, field);
    const b = fieldValue(to, field);
    if (!sameField(field, a, b)) fields[field] = [a, b];
  }
  const keys = [...new Set([...from.entries.keys(), ...to.entries.keys()])].sort(order);
  const entries: EntryChange<V>[] = [];
  for (const key of keys) {
    const a = from.entries.get(key);
    const b = to.entries.get(key);
    if (a === undefined && b !== undefined) entries.push({ key, change: 'added', to: b });
    else if (a !== undefined && b === undefined) entries.push({ key, change: 'removed', from: a });
    else if (a !== undefined && b !== undefined && !equal(a, b))
      entries.push({ key, change: 'changed', from: a, to: b });
  }
  return { fields, entries };
}

export type Side = 'ours' | 'theirs';

export interface MergeConflict<V> {
  /** A cloud id or MCI lineage id, or one of the field names. */
  key: string;
  kind: 'entry' | 'field';
  base: V | unknown | undefined;
  ours: V | unknown | undefined;
  theirs: V | unknown | undefined;
}

export interface MergeResult<V> {
  result: Snapshot<V>;
  /** Keys whose value came from theirs (one-sided changes of theirs, or resolved "theirs"). */
  fromTheirs: string[];
  conflicts: MergeConflict<V>[];
}

/** Three-way choice for one key: undefined means "absent". */
function pick<T>(
  base: T | undefined,
  ours: T | undefined,
  theirs: T | undefined,
  same: (a: T | undefined, b: T | undefined) => boolean,
): { value: T | undefined; from: 'ours' | 'theirs' } | 'conflict' {
  if (same(ours, theirs)) return { value: ours, from: 'ours' };
  if (same(base, ours)) return { value: theirs, from: 'theirs' };
  if (same(base, theirs)) return { value: ours, from: 'ours' };
  return 'conflict';
}

/**
 * R-VC-2: three-way merge of `theirs` into `ours` over `base` (null when there is no common
 * ancestor, i.e. every key starts absent). A side that changed a key relative to the base wins
 * over one that did not; identical changes merge; different changes are conflicts, settled only
 * by `resolutions[key]`. Without a resolution for every conflict nothing is merged.
 * @rule R-VC-2
 */
export function mergeSnapshots<V>(
  base: Snapshot<V> | null,
  ours: Snapshot<V>,
  theirs: Snapshot<V>,
  equal: (a: V, b: V) => boolean,
  order: (a: string, b: string) => number,
): MergeResult<V> {
  const conflicts: MergeConflict<V>[] = [];
  const fromTheirs: string[] = [];
  // Without a common ancestor every key starts absent, and fields keep ours.
  const baseFields = base ?? theirs;
  const baseEntries = base?.entries ?? new Map<string, V>();

  const fieldResult: Partial<Record<SnapshotField, unknown>> = {};
  for (const field of SNAPSHOT_FIELDS) {
    const [bv, ov, tv] = [fieldValue(baseFields, field), fieldValue(ours, field), fieldValue(theirs, field)];
    const choice = pick(bv, ov, tv, (x, y) => sameField(field, x, y));
    if (choice === 'conflict') conflicts.push({ key: field, kind: 'field', base: bv, ours: ov, theirs: tv });
    else {
      fieldResult[field] = choice.value;
      if (choice.from === 'theirs' && !sameField(field, ov, tv)) fromTheirs.push(field);
    }
  }

  const entries = new Map<string, V>();
  const keys = [...new Set([...baseEntries.keys(), ...ours.entries.keys(), ...theirs.entries.keys()])].sort(
    order,
  );
  const same = (x: V | undefined, y: V | undefined) =>
    x === undefined || y === undefined ? x === y : equal(x, y);
  for (const key of keys) {
    const [bv, ov, tv] = [baseEntries.get(key), ours.entries.get(key), theirs.entries.get(key)];
    const choice = pick(bv, ov, tv, same);
    if (choice === 'conflict') {
      conflicts.push({ key, kind: 'entry', base: bv, ours: ov, theirs: tv });
      continue;
    }
    if (choice.value !== undefined) entries.set(key, choice.value);
    if (choice.from === 'theirs' && !same(ov, tv)) fromTheirs.push(key);
  }
  return {
    result: {
      name: fieldResult.name as string,
      description: fieldResult.description as string,
      tags: fieldResult.tags as string[],
      defaultKey: (fieldResult.defaultKey as string | null | undefined) ?? null,
      entries,
    },
    fromTheirs,
    conflicts,
  };
}

/**
 * Applies resolutions to a merge: each conflict takes ours or theirs. Refuses (409
 * `merge_conflict`) unless every conflict has a resolution; unknown keys are refused too.
 * @rule R-VC-2
 */
export function resolveMerge<V>(
  merge: MergeResult<V>,
  ours: Snapshot<V>,
  theirs: Snapshot<V>,
  resolutions: Readonly<Record<string, Side>>,
  describe: (conflict: MergeConflict<V>) => Record<string, unknown>,
): Snapshot<V> {
  const conflictKeys = new Set(merge.conflicts.map((c) => c.key));
  const unknown = Object.keys(resolutions).filter((k) => !conflictKeys.has(k));
  const unresolved = merge.conflicts.filter((c) => resolutions[c.key] === undefined);
  if (unresolved.length > 0 || unknown.length > 0) {
    throw new ConflictError(
      'merge_conflict',
      unresolved.length > 0
        ? `The merge has ${unresolved.length} unresolved conflict(s): ${unresolved.map((c) => c.key).join(', ')}; resolve each with "ours" or "theirs"`
        : `Resolutions name keys that are not in conflict: ${unknown.join(', ')}`,
      {
        errors: unknown.map((k) => ({ path: `resolutions.${k}`, message: 'not a conflict of this merge' })),
        details: { conflicts: merge.conflicts.map(describe) },
      },
    );
  }
  const entries = new Map(merge.result.entries);
  const result: Snapshot<V> = { ...merge.result, entries };
  for (const c of merge.conflicts) {
    const side = resolutions[c.key] === 'ours' ? ours : theirs;
    if (c.kind === 'field') {
      const value = fieldValue(side, c.key as SnapshotField);
      if (c.key === 'defaultKey') result.defaultKey = value as string | null;
      else (result as unknown as Record<string, unknown>)[c.key] = value;
    } else {
      const value = side.entries.get(c.key);
      if (value === undefined) entries.delete(c.key);
      else entries.set(c.key, value);
    }
  }
  return result;
}
