import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from './errors.ts';
import { diffSnapshots, mergeSnapshots, resolveMerge, type Snapshot } from './vc.ts';

type Setting = { imageId: string; instanceTypeId: string };
const eq = (a: Setting, b: Setting) => a.imageId === b.imageId && a.instanceTypeId === b.instanceTypeId;
const order = (a: string, b: string) => a.localeCompare(b);
const snap = (
  entries: Record<string, Setting>,
  over: Partial<Snapshot<Setting>> = {},
): Snapshot<Setting> => ({
  name: 'Base',
  description: '',
  tags: [],
  entries: new Map(Object.entries(entries)),
  ...over,
});
const s = (imageId: string, instanceTypeId = 't') => ({ imageId, instanceTypeId });
const merge = (b: Snapshot<Setting> | null, o: Snapshot<Setting>, t: Snapshot<Setting>) =>
  mergeSnapshots(b, o, t, eq, order);
const entriesOf = (x: Snapshot<Setting>) => Object.fromEntries(x.entries);

describe('R-VC-1: diff', () => {
  it('R-VC-1: per key added, removed or changed with from/to, in the given order; fields with [from, to]', () => {
    const d = diffSnapshots(
      snap({ b: s('i1'), c: s('i2'), d: s('i4') }, { name: 'Old', tags: ['x'] }),
      snap({ a: s('i0'), c: s('i3'), d: s('i4') }, { name: 'New', tags: ['x'] }),
      eq,
      order,
    );
    expect(d.fields).toEqual({ name: ['Old', 'New'] });
    expect(d.entries).toEqual([
      { key: 'a', change: 'added', to: s('i0') },
      { key: 'b', change: 'removed', from: s('i1') },
      { key: 'c', change: 'changed', from: s('i2'), to: s('i3') },
    ]);
  });
  it('R-VC-1: tags compare as sets', () => {
    expect(
      diffSnapshots(snap({}, { tags: ['a', 'b'] }), snap({}, { tags: ['b', 'a'] }), eq, order).fields,
    ).toEqual({});
  });
});

describe('R-VC-2: three-way merge', () => {
  const base = snap({ a: s('1'), b: s('2'), c: s('3') });
  it('R-VC-2: one-sided changes merge from either side; identical changes merge', () => {
    const ours = snap({ a: s('1x'), b: s('2'), c: s('3'), d: s('4') });
    const theirs = snap({ a: s('1'), b: s('2y'), c: s('3'), d: s('4') }, { description: 'theirs' });
    const m = merge(base, ours, theirs);
    expect(m.conflicts).toEqual([]);
    expect(entriesOf(m.result)).toEqual({ a: s('1x'), b: s('2y'), c: s('3'), d: s('4') });
    expect(m.result.description).toBe('theirs');
    expect(m.fromTheirs).toEqual(['description', 'b']);
  });
  it('R-VC-2: a removal on one side merges; remove vs change conflicts', () => {
    const m = merge(base, snap({ a: s('1'), b: s('2') }), snap({ a: s('1'), b: s('2'), c: s('3') }));
    expect(entriesOf(m.result)).toEqual({ a: s('1'), b: s('2') });
    const c = merge(base, snap({ a: s('1'), b: s('2') }), snap({ a: s('1'), b: s('2'), c: s('3z') }));
    expect(c.conflicts).toEqual([
      { key: 'c', kind: 'entry', base: s('3'), ours: undefined, theirs: s('3z') },
    ]);
  });
  it('R-VC-2: different changes conflict; the merge is refused until each has a resolution', () => {
    const ours = snap({ a: s('1o'), b: s('2o'), c: s('3') }, { name: 'Ours' });
    const theirs = snap({ a: s('1t'), b: s('2t'), c: s('3') }, { name: 'Theirs' });
    const m = merge(base, ours, theirs);
    expect(m.conflicts.map((c) => c.key)).toEqual(['name', 'a', 'b']);
    const describe = (c: { key: string }) => ({ key: c.key });
    expect(() => resolveMerge(m, ours, theirs, { a: 'ours', b: 'theirs' }, describe)).toThrow(ConflictError);
    expect(() =>
      resolveMerge(m, ours, theirs, { a: 'ours', b: 'theirs', name: 'ours', zzz: 'ours' }, describe),
    ).toThrow(/not in conflict/);
    const result = resolveMerge(m, ours, theirs, { a: 'ours', b: 'theirs', name: 'theirs' }, describe);
    expect(entriesOf(result)).toEqual({ a: s('1o'), b: s('2t'), c: s('3') });
    expect(result.name).toBe('Theirs');
  });
  it('R-VC-2: without a common base, one-sided additions merge, clashes conflict and fields stay ours', () => {
    const m = merge(
      null,
      snap({ a: s('1') }, { name: 'Mine' }),
      snap({ a: s('9'), b: s('2') }, { name: 'Upstream' }),
    );
    expect(m.result.name).toBe('Mine');
    expect(entriesOf(m.result)).toEqual({ b: s('2') });
    expect(m.conflicts.map((c) => c.key)).toEqual(['a']);
  });
});

describe('R-VC-2: merge properties (fast-check)', () => {
  const clouds = fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6');
  const setting = fc.record({
    imageId: fc.constantFrom('i1', 'i2', 'i3'),
    instanceTypeId: fc.constantFrom('t1', 't2'),
  });
  const snapshot = fc.dictionary(clouds, setting).map((d) => snap(d));
  const sorted = (x: Iterable<string>) => [...x].sort();

  it('R-VC-2: merging a revision with itself changes nothing', () => {
    fc.assert(
      fc.property(snapshot, snapshot, (b, x) => {
        const m = merge(b, x, x);
        expect(m.conflicts).toEqual([]);
        expect(entriesOf(m.result)).toEqual(entriesOf(x));
      }),
    );
  });

  it('R-VC-2: one-sided changes always apply', () => {
    fc.assert(
      fc.property(snapshot, snapshot, (b, theirs) => {
        const m = merge(b, b, theirs);
        expect(m.conflicts).toEqual([]);
        expect(entriesOf(m.result)).toEqual(entriesOf(theirs));
        const back = merge(b, theirs, b);
        expect(entriesOf(back.result)).toEqual(entriesOf(theirs));
      }),
    );
  });

  it('R-VC-2: the result never contains a cloud neither side has', () => {
    fc.assert(
      fc.property(snapshot, snapshot, snapshot, (b, o, t) => {
        const m = merge(b, o, t);
        for (const key of m.result.entries.keys())
          expect(o.entries.has(key) || t.entries.has(key)).toBe(true);
      }),
    );
  });

  it('R-VC-2: conflicts are exactly the clouds changed differently on both sides', () => {
    const same = (x?: Setting, y?: Setting) => (x === undefined || y === undefined ? x === y : eq(x, y));
    fc.assert(
      fc.property(snapshot, snapshot, snapshot, (b, o, t) => {
        const m = merge(b, o, t);
        const keys = new Set([...b.entries.keys(), ...o.entries.keys(), ...t.entries.keys()]);
        const expected = [...keys].filter((k) => {
          const [bv, ov, tv] = [b.entries.get(k), o.entries.get(k), t.entries.get(k)];
          return !same(bv, ov) && !same(bv, tv) && !same(ov, tv);
        });
        expect(sorted(m.conflicts.map((c) => c.key))).toEqual(sorted(expected));
      }),
    );
  });
});
