/** Python for the outside test peers (moto, schemathesis): find an interpreter, make a venv in .cache/. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The first of `candidates` (an override from the environment first, then pyenv's and the
 * system's) that is Python 3.`minMinor` or newer with `venv`.
 */
export function findPython(override: string | undefined, minMinor: number): string {
  const candidates = [
    override,
    '/root/.pyenv/versions/3.13.0/bin/python3.13',
    '/root/.pyenv/versions/3.12.1/bin/python3.12',
    'python3.13',
    'python3.12',
    'python3',
  ].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) {
      const [major, minor] = probe.stdout.trim().split('.').map(Number);
      if (major === 3 && minor >= minMinor) return candidate;
    }
  }
  throw new Error(`no Python 3.${minMinor}+ with venv found (tried ${candidates.join(', ')})`);
}

/** (Re)makes `venv` with `python` and pip-installs `requirement` into it (output shown). */
export function makeVenv(python: string, venv: string, requirement: string): void {
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status}`);
  };
  run(python, ['-m', 'venv', '--clear', venv]);
  run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', requirement]);
}
