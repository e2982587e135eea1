import { describe, expect, it } from 'vitest';
import { ConflictError } from './errors.ts';
import { fake } from './testing.ts';
import {
  assertRemovable,
  assertSameLineage,
  chooseMciForCloud,
  newerInMarketplaceNotice,
  newerRevisionNotice,
  planNewLink,
  planTemplateCommit,
  supportedClouds,
  type LinkedRevision,
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

describe('R-ST-4: commit planning', () => {
  const linked = (id: string, position: number, mciRevision: number, isDefault = false): LinkedRevision => ({
    id,
    mciId: `mci_${id}`,
    mciLineageId: `L_${id}`,
    mciName: `MCI ${id}`,
    mciRevision,
    isDefault,
    position,
  });
  const head = { id: 'st_1', links: [linked('b', 2, 0), linked('a', 1, 3, true), linked('c', 3, 0)] };

  it('R-ST-4: a template without links cannot be committed (422 no_links)', () => {
    expect(() => planTemplateCommit({ id: 'st_1', links: [] }, false)).toThrow(
      expect.objectContaining({
        code: 'no_links',
        message: 'ServerTemplate st_1 links no MCI; link at least one before committing',
      }),
    );
  });

  it('R-ST-4: without commitHeadDependencies the commit warns about every link to a HEAD MCI', () => {
    const plan = planTemplateCommit(head, false);
    expect(plan.commitFirst).toEqual([]);
    expect(plan.warnings).toEqual([
      {
        code: 'links_head_mci',
        message:
          'the committed revision links the HEAD of MCI "MCI b" (mci_b), which can still change; commit it and re-point the link, or commit with commitHeadDependencies',
      },
      expect.objectContaining({
        code: 'links_head_mci',
        message: expect.stringContaining('"MCI c" (mci_c)'),
      }),
    ]);
  });

  it('R-ST-4: with commitHeadDependencies the HEAD MCIs are committed first, by position, without warnings', () => {
    const plan = planTemplateCommit(head, true);
    expect(plan.commitFirst.map((l) => l.id)).toEqual(['b', 'c']);
    expect(plan.warnings).toEqual([]);
    expect(planTemplateCommit({ id: 'st_1', links: [linked('a', 1, 3, true)] }, true).commitFirst).toEqual(
      [],
    );
  });
});

describe('R-VC-3: newer-revision notices', () => {
  it('R-VC-3: a committed link shows the newer committed revision of its MCI in the account', () => {
    expect(newerRevisionNotice({ mciRevision: 2 }, { mciId: 'mci_5', revision: 5 })).toEqual({
      mciId: 'mci_5',
      revision: 5,
    });
    expect(newerRevisionNotice({ mciRevision: 5 }, { mciId: 'mci_5', revision: 5 })).toBeNull();
    expect(newerRevisionNotice({ mciRevision: 2 }, null)).toBeNull();
  });

  it('R-VC-3: a link to a HEAD MCI follows it already: no notice', () => {
    expect(newerRevisionNotice({ mciRevision: 0 }, { mciId: 'mci_5', revision: 5 })).toBeNull();
  });

  it('R-VC-3: a link to an imported MCI shows a newer revision in the marketplace', () => {
    expect(newerInMarketplaceNotice(1, { id: 'pub_2', revision: 2 })).toEqual({
      publicationId: 'pub_2',
      revision: 2,
    });
    expect(newerInMarketplaceNotice(2, { id: 'pub_2', revision: 2 })).toBeNull();
    expect(newerInMarketplaceNotice(2, null)).toBeNull();
  });
});
