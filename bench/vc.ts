/**
 * Version-control benchmark (issue 4), run first by `npm run bench`: diff and three-way merge of MCIs with 1,000 clouds must
 * each take under 5 ms, printed beside a baseline measured in the same run: deep-copying the
 * same structure (structuredClone), the least any function that reads every setting must do.
 */
import { performance } from 'node:perf_hooks';
import { diffMci, mergeMci, type MciSetting } from '../packages/core/src/index.ts';

const CLOUDS = 1000;
const ITERATIONS = 300;
const TARGET_MS = 5;

interface BenchMci {
  name: string;
  description: string;
  tags: string[];
  settings: MciSetting[];
}

/** An MCI with one setting per cloud; `variant` changes a deterministic subset of them. */
function makeMci(variant: (i: number) => string | null): BenchMci {
  const settings: MciSetting[] = [];
  for (let i = 0; i < CLOUDS; i++) {
    const image = variant(i);
    if (image === null) continue;
    settings.push({
      cloudId: `cld_${String(i).padStart(4, '0')}`,
      imageId: image,
      instanceTypeId: `ity_${i % 7}`,
      userData: i % 10 === 0 ? '#!/bin/sh\necho boot' : null,
    });
  }
  return { name: 'Bench MCI', description: 'one thousand clouds', tags: ['bench'], settings };
}

/** Per-call milliseconds of `fn`, after a warm-up. */
function timeIt(fn: () => unknown): number[] {
  for (let i = 0; i < 50; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Runs the benchmark, prints a table and returns whether both targets hold. */
export function runVcBench(): boolean {
  const base = makeMci((i) => `img_base_${i}`);
  // Ours changes clouds 0–199, theirs 150–349 (50 overlapping, different → conflicts); each side
  // also removes and adds clouds, so every branch of the merge runs.
  const ours = makeMci((i) => (i >= 990 ? null : i < 200 ? `img_ours_${i}` : `img_base_${i}`));
  const theirs = makeMci((i) =>
    i >= 150 && i < 350 ? `img_theirs_${i}` : i % 97 === 0 ? null : `img_base_${i}`,
  );
  const names = new Map(
    base.settings.map((s, i) => [s.cloudId, `AWS region-${String(CLOUDS - i).padStart(4, '0')}`]),
  );

  const copy = timeIt(() => structuredClone(ours));
  const diff = timeIt(() => diffMci(base, ours, names));
  const merge = timeIt(() => mergeMci(base, ours, theirs, names));
  const conflicts = mergeMci(base, ours, theirs, names).conflicts.length;

  const row = (label: string, s: number[], target: boolean) =>
    `${label.padEnd(34)} ${quantile(s, 0.5).toFixed(3).padStart(8)} ${quantile(s, 0.95).toFixed(3).padStart(8)} ${(quantile(s, 0.5) / quantile(copy, 0.5)).toFixed(1).padStart(8)}x ${target ? (quantile(s, 0.95) < TARGET_MS ? 'PASS' : 'FAIL') : ''}`;
  console.log(
    `\nversion control: ${CLOUDS}-cloud MCIs, ${ITERATIONS} runs each (${conflicts} conflicts in the merge)`,
  );
  console.log(
    `${'operation'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'vs copy'.padStart(9)}`,
  );
  console.log(row('baseline: structuredClone of an MCI', copy, false));
  console.log(row(`diffMci (target p95 < ${TARGET_MS} ms)`, diff, true));
  console.log(row(`mergeMci (target p95 < ${TARGET_MS} ms)`, merge, true));
  return quantile(diff, 0.95) < TARGET_MS && quantile(merge, 0.95) < TARGET_MS;
}
