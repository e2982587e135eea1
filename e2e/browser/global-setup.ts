import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    dashboardDir: string;
  }
}

/**
 * Builds the dashboard once per run into a folder of its own, so the server under test serves
 * the current code and parallel runs never overwrite each other's files.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'mci-dashboard-'));
  const web = fileURLToPath(new URL('../../packages/web/', import.meta.url));
  execFileSync('npx', ['vite', 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: web,
    stdio: 'inherit',
  });
  project.provide('dashboardDir', dir);
  return () => rm(dir, { recursive: true, force: true });
}
