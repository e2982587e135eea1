import { describe, expect, it } from 'vitest';
import { isImpactChange, visibleImpact } from './impact.ts';

const impact = {
  mcis: [
    { id: 'm1', accountId: 'a1' },
    { id: 'm2', accountId: 'a2' },
  ],
  templates: [{ id: 't2', accountId: 'a2' }],
  servers: [{ id: 's1', accountId: 'a1' }],
  publications: [
    { id: 'p1', accountId: 'a2', visibility: 'public', groupIds: [] },
    { id: 'p2', accountId: 'a2', visibility: 'groups', groupIds: ['g1'] },
    { id: 'p3', accountId: 'a2', visibility: 'groups', groupIds: ['g9'] },
  ],
};

describe('impact', () => {
  it('R-CLD-5: a change is recorded when an image becomes deprecated or unavailable, not otherwise', () => {
    expect(isImpactChange('available', 'deprecated')).toBe(true);
    expect(isImpactChange('deprecated', 'unavailable')).toBe(true);
    expect(isImpactChange('unavailable', 'unavailable')).toBe(false);
    expect(isImpactChange('unavailable', 'available')).toBe(false);
  });

  it("R-CLD-5: a reader sees their accounts' items and the publications shown to them; the rest is only counted", () => {
    const seen = visibleImpact(impact, { all: false, accounts: new Set(['a1']), groups: new Set(['g1']) });
    expect(seen.mcis.map((m) => m.id)).toEqual(['m1']);
    expect(seen.templates).toEqual([]);
    expect(seen.servers.map((s) => s.id)).toEqual(['s1']);
    expect(seen.publications.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(seen.hiddenCount).toBe(3);
    expect(visibleImpact(impact, { all: true, accounts: new Set(), groups: new Set() }).hiddenCount).toBe(0);
  });
});
