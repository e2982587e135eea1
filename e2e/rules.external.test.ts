import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The rule index: every rule id of SPEC.md (in ../shared) and of docs/RULES.md has a function
 * in core tagged `@rule <id>` and a test whose title names it. External tier: it reads ../shared.
 * It lives here, not in packages/core, because it reads files and core may not (lint).
 */

const ROOT = resolve(import.meta.dirname, '..');
const SPEC = resolve(ROOT, '../shared/docs/SPEC.md');
const RULES = resolve(ROOT, 'docs/RULES.md');
const CORE = resolve(ROOT, 'packages/core/src');
const SELF = resolve(import.meta.filename);

/**
 * Rules of SPEC sections that open issues implement. A pending rule must have no `@rule` tag:
 * once one is tagged, take it off this list. (SPEC §9, R-RS, has no numbered
 * rules: its tests are titled `R-RS`, the transport in packages/server/src/http/rs15.)
 */
const PENDING: Record<string, number> = {};

const RULE_ID = /\bR-[A-Z]+-\d+\b/g;

function ruleIdsOf(text: string): Set<string> {
  return new Set(text.match(RULE_ID) ?? []);
}

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** Rule ids a title names: `R-SRV-5`, and the shorthands `R-SRV-2/3` and `R-IMP-1..3`. */
function ruleIdsInTitle(title: string): string[] {
  const ids: string[] = [];
  for (const m of title.matchAll(/\bR-([A-Z]+)-(\d+)((?:\/\d+)*)(?:\.\.(\d+))?/g)) {
    const [, area, first, more, upTo] = m;
    const numbers = [Number(first), ...more.split('/').filter(Boolean).map(Number)];
    if (upTo) for (let n = Number(first) + 1; n <= Number(upTo); n++) numbers.push(n);
    ids.push(...numbers.map((n) => `R-${area}-${n}`));
  }
  return ids;
}

/** The titles of `it(…)` and `test(…)` calls in a test file (string or template literals). */
function testTitles(source: string): string[] {
  const call = /\b(?:it|test)(?:\.(?:only|skip|todo|concurrent|fails))*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  return [...source.matchAll(call)].map((m) => m[2]);
}

const ruleIds = [
  ...new Set([...ruleIdsOf(readFileSync(SPEC, 'utf8')), ...ruleIdsOf(readFileSync(RULES, 'utf8'))]),
];
ruleIds.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/** rule id → core files whose TSDoc tags it. */
const tagged = new Map<string, string[]>();
for (const file of filesUnder(CORE, (p) => p.endsWith('.ts') && !p.endsWith('.test.ts'))) {
  for (const m of readFileSync(file, 'utf8').matchAll(/@rule\s+(R-[A-Z]+-\d+)\b/g)) {
    tagged.set(m[1], [...(tagged.get(m[1]) ?? []), relative(ROOT, file)]);
  }
}

/** rule id → test files with a title naming it. */
const tested = new Map<string, string[]>();
for (const file of filesUnder(ROOT, (p) => p.endsWith('.test.ts') && p !== SELF)) {
  for (const title of testTitles(readFileSync(file, 'utf8'))) {
    for (const id of ruleIdsInTitle(title)) tested.set(id, [...(tested.get(id) ?? []), relative(ROOT, file)]);
  }
}

describe('rule index (SPEC.md and docs/RULES.md)', () => {
  it('finds the rules of SPEC.md and docs/RULES.md', () => {
    expect(ruleIds).toContain('R-MCI-1');
    expect(ruleIds).toContain('R-DEP-1');
  });

  for (const id of ruleIds.filter((r) => !(r in PENDING))) {
    it(`${id}: has a @rule-tagged function in packages/core/src and a test whose title names it`, () => {
      expect(tagged.get(id), `no function in packages/core/src carries "@rule ${id}"`).toBeDefined();
      expect(tested.get(id), `no it()/test() title in a *.test.ts file names ${id}`).toBeDefined();
    });
  }

  for (const [id, issue] of Object.entries(PENDING)) {
    it(`${id}: pending (issue ${issue}) — a rule of SPEC.md with no @rule tag yet`, () => {
      expect(ruleIds, `${id} is not a rule of SPEC.md or docs/RULES.md: drop it from PENDING`).toContain(id);
      expect(
        tagged.get(id),
        `${id} is tagged in ${tagged.get(id)?.join(', ')}: it is implemented, drop it from PENDING`,
      ).toBeUndefined();
    });
  }

  it('every @rule tag names a rule of SPEC.md or docs/RULES.md', () => {
    expect([...tagged.keys()].filter((id) => !ruleIds.includes(id))).toEqual([]);
  });

  it('reads title shorthands: R-SRV-2/3 and R-IMP-1..3', () => {
    expect(ruleIdsInTitle('R-SRV-2/3: explicit MCI')).toEqual(['R-SRV-2', 'R-SRV-3']);
    expect(ruleIdsInTitle('R-IMP-1..3: imports, R-ST-4')).toEqual([
      'R-IMP-1',
      'R-IMP-2',
      'R-IMP-3',
      'R-ST-4',
    ]);
  });
});
