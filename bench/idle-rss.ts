/**
 * The embedded default's weight (issue 11): `npm start` on a fresh PGlite data directory with
 * SEED=demo, healthy, then 10 s idle, VmRSS of the service process; the same after a restart on
 * that directory; beside a bare fastify process run by the same node with the same loader.
 * Target: under 300 MB (ADR 011 says what drives it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peakRssKb, rssKb, startBare, startService, type Running } from './processes.ts';
import { passFail, table } from './report.ts';

const IDLE_MS = 10_000;
const TARGET_MB = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => (kb / 1024).toFixed(0);

interface Reading {
  label: string;
  rss: number;
  peak: number;
  startSeconds: number;
}

async function idleReading(
  label: string,
  start: () => Promise<Running>,
): Promise<{ reading: Reading; running: Running }> {
  const t0 = performance.now();
  const running = await start();
  const startSeconds = (performance.now() - t0) / 1000;
  await sleep(IDLE_MS);
  return { reading: { label, rss: rssKb(running.pid), peak: peakRssKb(running.pid), startSeconds }, running };
}

/** The idle-RSS section; returns its failures. */
export async function runIdleRss(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mci-bench-rss-'));
  const dataDir = join(dir, 'data');
  const env = { DATA_DIR: dataDir, SEED: 'demo' };
  console.log(
    `\nIDLE RSS: \`npm start\` on PGlite (fresh DATA_DIR, SEED=demo), read ${IDLE_MS / 1000} s after healthy`,
  );
  const readings: Reading[] = [];
  let command = '';
  try {
    const fresh = await idleReading('service, PGlite, first start (initdb, migrations, demo seed)', () =>
      startService(env, join(dir, 'first.log')),
    );
    command = fresh.running.command;
    // The baseline idles meanwhile on the same loader.
    const bare = await idleReading('bare fastify process (baseline)', () =>
      startBare(fresh.running, {}, join(dir, 'bare.log')),
    );
    await fresh.running.stop();
    await bare.running.stop();
    const again = await idleReading('service, PGlite, restart on that directory', () =>
      startService(env, join(dir, 'second.log')),
    );
    await again.running.stop();
    readings.push(fresh.reading, again.reading, bare.reading);
  } finally {
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  const bare = readings[2];
  console.log(`  service process: ${command}`);
  console.log(
    table(
      ['process', 'healthy after s', 'RSS MB', 'peak RSS MB', '× bare', 'target', 'result'],
      readings.map((r, i) => [
        r.label,
        r.startSeconds.toFixed(1),
        mb(r.rss),
        mb(r.peak),
        (r.rss / bare.rss).toFixed(1),
        i < 2 ? `< ${TARGET_MB} MB` : '',
        i < 2 ? passFail(r.rss / 1024 < TARGET_MB) : '',
      ]),
    ),
  );
  return readings
    .slice(0, 2)
    .filter((r) => !(r.rss / 1024 < TARGET_MB))
    .map((r) => `${r.label}: idle RSS ${mb(r.rss)} MB ≥ ${TARGET_MB} MB`);
}
