import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient } from '@mci/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer } from './support/server.ts';

let dir: string;
let squatter: Server;
let busyPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-e2e-port-'));
  squatter = createServer();
  busyPort = await new Promise<number>((resolve) =>
    squatter.listen(0, '127.0.0.1', () => resolve((squatter.address() as { port: number }).port)),
  );
});
afterAll(async () => {
  await new Promise((resolve) => squatter.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

// Every start here is on the embedded database in a fresh DATA_DIR, even when CI sets DATABASE_URL.

/** Runs `npm start`'s entry point to its exit and returns what it printed. */
function runToExit(env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Signs in to the dashboard's session endpoint; returns the HTTP status. */
async function signIn(baseUrl: string, email: string, password: string | undefined): Promise<number> {
  const response = await fetch(`${baseUrl}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return response.status;
}

describe('the first start and the port', () => {
  it('a fresh data dir on a busy port: exits 1 naming the port, creates and prints nothing; then on a free port prints a working one-time token', async () => {
    const dataDir = join(dir, 'fresh');
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      SEED: 'none',
      ADMIN_TOKEN: undefined,
      ADMIN_PASSWORD: undefined,
    };

    const refused = await runToExit({ ...env, PORT: String(busyPort) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`port ${busyPort} on 127.0.0.1 is already in use`);
    expect(refused.stdout).not.toMatch(/shown once|mci_|superuser/i);
    expect(existsSync(dataDir)).toBe(false);

    const server = await startServer({ ...env, PORT: '0' });
    const token = /API token \(shown once, keep it safe\):\n\s+(mci_\S+)/.exec(server.output())?.[1];
    expect(token).toBeDefined();
    const me = await createApiClient({ baseUrl: server.baseUrl, token }).GET('/v1/me');
    expect(me.response.status).toBe(200);
    expect(me.data?.user).toMatchObject({ email: 'admin@localhost', isSuperuser: true });
    const password = /Dashboard sign-in \(shown once\): admin@localhost \/ (\S+)/.exec(server.output())?.[1];
    expect(await signIn(server.baseUrl, 'admin@localhost', password)).toBe(200);
    expect(await server.stop()).toBe(0);
  });

  it('ADMIN_PASSWORD on a later start is the way back in when the printed password was lost', async () => {
    const env = {
      DATA_DIR: join(dir, 'lost'),
      DATABASE_URL: '',
      SEED: 'none',
      ADMIN_TOKEN: undefined,
      PORT: '0',
    };
    const first = await startServer({ ...env, ADMIN_PASSWORD: undefined });
    expect(first.output()).toMatch(/Dashboard sign-in \(shown once\)/);
    expect(await first.stop()).toBe(0);

    const again = await startServer({ ...env, ADMIN_PASSWORD: 'a recovered passphrase' });
    expect(again.output()).not.toMatch(/shown once/);
    expect(await signIn(again.baseUrl, 'admin@localhost', 'a recovered passphrase')).toBe(200);
    expect(await signIn(again.baseUrl, 'admin@localhost', 'not the passphrase')).toBe(401);
    expect(await again.stop()).toBe(0);
  });

  it('refuses an ADMIN_PASSWORD shorter than the password minimum, before creating anything', async () => {
    const dataDir = join(dir, 'short');
    const refused = await runToExit({
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      PORT: '0',
      ADMIN_PASSWORD: 'short',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ADMIN_PASSWORD: must be at least 10 characters/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
