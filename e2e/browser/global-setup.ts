import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds the dashboard once per run, so the server under test serves the current code. */
export default function setup(): void {
  execFileSync('npm', ['run', '-s', 'build:web'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: 'inherit',
  });
}
