import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mci as run } from './support/cli.ts';
import { startServer, type RunningServer } from './support/server.ts';

const ADMIN_TOKEN = 'cli-tokens-admin-token-0123456789';
let server: RunningServer;
let dir: string;
let config: string;
const mci = (...args: string[]) => run(config, args);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-cli-tokens-'));
  config = join(dir, 'config', 'mci.json');
  server = await startServer({ DATA_DIR: join(dir, 'data'), SEED: 'none', ADMIN_TOKEN, DATABASE_URL: '' });
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('mci token list / revoke (issue 11, item 8)', () => {
  it('lists the tokens with their last use and revokes one, which then stops working', async () => {
    const res = await fetch(`${server.baseUrl}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'tia@example.com', name: 'Tia', password: 'a long passphrase' }),
    });
    expect(res.status).toBe(201);
    const login = await mci(
      'login',
      server.baseUrl,
      '--email',
      'tia@example.com',
      '--password',
      'a long passphrase',
      '--json',
    );
    expect(login.code).toBe(0);

    const listed = await mci('--json', 'token', 'list');
    expect(listed.code).toBe(0);
    const tokens = listed.json<{ id: string; name: string; lastUsedAt: string | null }[]>();
    expect(tokens).toHaveLength(1);
    expect(tokens[0].name).toMatch(/^mci CLI on /);
    expect(tokens[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(tokens)).not.toMatch(/mci_[A-Za-z0-9_-]{20,}/);

    const table = await mci('token', 'list');
    expect(table.stdout).toMatch(/ID\s+NAME\s+CREATED\s+LAST USED/);
    expect(table.stdout).toContain(tokens[0].id);

    const missing = await mci('token', 'revoke', 'tok_nosuchtoken');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not_found');

    const revoked = await mci('token', 'revoke', tokens[0].id);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr + revoked.stdout).toContain(`revoked ${tokens[0].id}`);
    const after = await mci('whoami');
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('unauthenticated');
  });
});
