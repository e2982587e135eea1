import { describe, expect, it } from 'vitest';
import { ConflictError } from './errors.ts';
import { fake } from './testing.ts';
import {
  assertRemovable,
  assertSameLineage,
  chooseMciForCloud,
  planNewLink,
  supportedClouds,
  type LinkWithSettings,
} from './template.ts';

const link = (
  id: string,
  lineage: string,
  isDefault: boolean,
  position: number,
  clouds: string[],
): LinkWithSettings => ({
  id,
  mciId: `mci_${id}`,
  mciLineageId: lineage,
  isDefault,
  position,
  settings: clouds.map((cloudId) => ({ cloudId })),
});

describe('R-ST-1: one revision per MCI lineage', () => {
  it('R-ST-1: linking a second revision of a lineage is a 409', () => {
    const links = [link('l1', 'L1', true, 1, ['c1'])];
    expect(() => planNewLink(links, { id: 'm9', lineageId: 'L1', name: 'Base' })).toThrow(ConflictError);
    expect(planNewLink(links, { id: 'm9', lineageId: 'L2', name: 'Other' })).toEqual({
      isDefault: false,
      position: 2,
    });
  });
  it('R-ST-1: a link can change revision only within its lineage', () => {
    const l = link('l1', 'L1', true, 1, []);
    expect(() => assertSameLineage(l, { id: 'm2', lineageId: 'L1' })).not.toThrow();
    expect(() => assertSameLineage(l, { id: 'm3', lineageId: 'L2' })).toThrow(/same MCI lineage|lineage/);
  });
});

describe('R-ST-2: default link', () => {
  it('R-ST-2: the first linked MCI becomes the default', () => {
    expect(planNewLink([], { id: 'm1', lineageId: 'L1', name: 'Base' })).toEqual({
      isDefault: true,
      position: 1,
    });
  });
  it('R-ST-2: the default cannot be removed while others exist, nor the last link', () => {
    const def = link('l1', 'L1', true, 1, []);
    const other = link('l2', 'L2', false, 2, []);
    expect(() => assertRemovable([def, other], def)).toThrow(
      expect.objectContaining({ code: 'default_link' }),
    );
    expect(() => assertRemovable([def], def)).toThrow(expect.objectContaining({ code: 'last_link' }));
    expect(() => assertRemovable([def, other], other)).not.toThrow();
  });
});

describe('R-ST-3: supported clouds', () => {
  it('R-ST-3: the union of the linked MCIs’ clouds, sorted by name, with the serving MCI', () => {
    const clouds = new Map([
      ['c1', fake.cloud('c1', 'B cloud')],
      ['c2', fake.cloud('c2', 'A cloud')],
      ['c3', fake.cloud('c3', 'C cloud')],
    ]);
    const result = supportedClouds(
      [link('l1', 'L1', true, 1, ['c1']), link('l2', 'L2', false, 2, ['c1', 'c2', 'c3'])],
      clouds,
    );
    expect(result.map((r) => [r.cloudName, r.mciId, r.coveredBy])).toEqual([
      ['A cloud', 'mci_l2', ['mci_l2']],
      ['B cloud', 'mci_l1', ['mci_l1', 'mci_l2']],
      ['C cloud', 'mci_l2', ['mci_l2']],
    ]);
  });
});

describe('R-SRV-2: choosing the MCI', () => {
  const links = [
    link('l3', 'L3', false, 3, ['c2']),
    link('l1', 'L1', true, 1, ['c1']),
    link('l2', 'L2', false, 2, ['c2']),
  ];
  it('R-SRV-2: the default MCI when it supports the cloud', () => {
    expect(chooseMciForCloud(links, 'c1')?.id).toBe('l1');
  });
  it('R-SRV-2: falls back to the first MCI by position that supports the cloud', () => {
    expect(chooseMciForCloud(links, 'c2')?.id).toBe('l2');
  });
  it('R-SRV-2: none when no MCI supports it', () => {
    expect(chooseMciForCloud(links, 'c9')).toBeUndefined();
  });
});
