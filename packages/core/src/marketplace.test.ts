import { describe, expect, it } from 'vitest';
import { ConflictError } from './errors.ts';
import { planImport, planTemplateImport } from './marketplace.ts';

const pub = (over: Partial<{ id: string; state: 'active' | 'deprecated'; revision: number }> = {}) => ({
  id: 'pub_1',
  name: 'Base',
  state: 'active' as const,
  revision: 3,
  ...over,
});

describe('R-IMP-1: import copies the published revision', () => {
  it('R-IMP-1: a first import copies it read-only with its revision number into a new local lineage', () => {
    expect(planImport(pub(), { existingCopyId: null, localLineageId: null })).toEqual({
      created: true,
      revision: 3,
      importedFrom: 'pub_1',
      lineageId: null,
    });
  });

  it('R-IMP-1: later imports of the same published lineage share the local lineage', () => {
    const plan = planImport(pub({ id: 'pub_4', revision: 4 }), {
      existingCopyId: null,
      localLineageId: 'lin_local',
    });
    expect(plan).toMatchObject({ created: true, revision: 4, importedFrom: 'pub_4', lineageId: 'lin_local' });
  });
});

describe('R-IMP-2: imports are not repeated', () => {
  it('R-IMP-2: importing the same publication again returns the existing copy (200, not 201)', () => {
    expect(planImport(pub(), { existingCopyId: 'mci_copy', localLineageId: 'lin_local' })).toEqual({
      created: false,
      id: 'mci_copy',
    });
  });

  it('R-IMP-2: a template import copies the MCI publications the account lacks and links existing copies', () => {
    const linkedPublications = [
      { id: 'pub_a', sourceId: 'mci_a' },
      { id: 'pub_b', sourceId: 'mci_b' },
    ];
    const plan = planTemplateImport({
      sourceLinks: [
        { mciId: 'mci_b', isDefault: false, position: 2 },
        { mciId: 'mci_pubs_import', isDefault: true, position: 1 },
      ],
      // The publisher's default link names an MCI it imported itself (from pub_a).
      sourceMcis: [
        { id: 'mci_b', importedFrom: null },
        { id: 'mci_pubs_import', importedFrom: 'pub_a' },
      ],
      linkedPublications,
      existingCopies: new Map([['pub_b', 'mci_my_b']]),
    });
    expect(plan.copy).toEqual([{ id: 'pub_a', sourceId: 'mci_a' }]);
    expect(plan.reuse).toEqual([{ publication: { id: 'pub_b', sourceId: 'mci_b' }, copyId: 'mci_my_b' }]);
    expect(plan.links).toEqual([
      { publicationId: 'pub_b', isDefault: false, position: 2 },
      { publicationId: 'pub_a', isDefault: true, position: 1 },
    ]);
  });
});

describe('R-IMP-3: deprecated publications', () => {
  it('R-IMP-3: a deprecated publication cannot be imported on its own (409)', () => {
    expect(() =>
      planImport(pub({ state: 'deprecated' }), { existingCopyId: null, localLineageId: null }),
    ).toThrow(ConflictError);
  });

  it('R-IMP-3: it still comes along with a template, and an earlier copy is still returned', () => {
    const deprecated = pub({ state: 'deprecated' });
    expect(planImport(deprecated, { existingCopyId: null, localLineageId: null }, true).created).toBe(true);
    expect(planImport(deprecated, { existingCopyId: 'mci_copy', localLineageId: null })).toEqual({
      created: false,
      id: 'mci_copy',
    });
  });
});
