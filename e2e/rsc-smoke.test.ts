import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RSC_BINARY, rscBinary, runRsc, type RscTarget } from './peers/rsc.ts';
import { apiOf, startServer, type RunningServer } from './support/server.ts';
import { selfSignedCertificate, type SelfSigned } from './support/tls.ts';

/**
 * The smallest proof that RightScale's `rsc` v8.0.0 talks to the service (R-RS): over HTTPS with a
 * self-signed certificate, OAuth with an API token as the refresh token, an index, a creation
 * read from `Location`, and a refusal printed as API 1.5 words it. Off CI a missing binary skips
 * the file (build it with `node --import tsx e2e/peers/rsc.ts install`); in CI it fails.
 */
const ADMIN_TOKEN = 'rsc-smoke-admin-token-0123456789';
const skip = !existsSync(RSC_BINARY) && !process.env.CI;
if (skip)
  console.warn(`rsc-smoke skipped: ${RSC_BINARY} is missing (node --import tsx e2e/peers/rsc.ts install)`);

let server: RunningServer;
let dir: string;
let tls: SelfSigned;
let target: RscTarget;
const rsc = (...args: string[]) => runRsc(target, ['cm15', ...args]);

describe.skipIf(skip)('rsc v8.0.0 over HTTPS (R-RS smoke)', () => {
  beforeAll(async () => {
    rscBinary(); // in CI, a missing binary fails here with the hint
    dir = await mkdtemp(join(tmpdir(), 'mci-rsc-smoke-'));
    tls = selfSignedCertificate();
    server = await startServer({
      DATA_DIR: join(dir, 'data'),
      SEED: 'none',
      ADMIN_TOKEN,
      DATABASE_URL: '',
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      HTTPS_PORT: '0',
    });
    expect(server.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const admin = apiOf(server, ADMIN_TOKEN);
    const account = await admin('POST', '/v1/accounts', { name: 'Smoke team' });
    const user = await admin('POST', '/v1/users', { email: 'smoke@example.com', name: 'Smoke' });
    await admin('PUT', `/v1/accounts/${account.id}/members/${user.id}`, { roles: ['designer'] });
    const token: string = (await admin('POST', `/v1/users/${user.id}/tokens`, { name: 'rsc' })).token;

    // The account's API 1.5 number, as a user finds it: an access token, then /api/sessions/accounts.
    const rs = { 'x-api-version': '1.5' };
    const grant = await fetch(`${server.baseUrl}/api/oauth2`, {
      method: 'POST',
      headers: { ...rs, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: token }),
    });
    expect(grant.status).toBe(200);
    const { access_token } = (await grant.json()) as { access_token: string };
    const accounts = (await (
      await fetch(`${server.baseUrl}/api/sessions/accounts`, {
        headers: { ...rs, authorization: `Bearer ${access_token}` },
      })
    ).json()) as { name: string; links: { href: string }[] }[];
    const mine = accounts.find((a) => a.name === 'Smoke team');
    expect(mine?.links[0].href).toMatch(/^\/api\/accounts\/\d+$/);
    target = {
      host: server.httpsUrl!.replace('https://', ''),
      account: Number(mine!.links[0].href.split('/').at(-1)),
      refreshToken: token,
      certFile: tls.certFile,
    };
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (tls) await rm(tls.dir, { recursive: true, force: true });
  });

  it('R-RS: cm15 index of an empty account exits 0 and prints nothing (rsc drops a 2-byte body, `[]`)', async () => {
    const res = await rsc('index', '/api/server_templates');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('');
  });

  it('R-RS: cm15 create prints the Location of the new ServerTemplate; index answers a JSON array with it', async () => {
    const res = await rsc('create', '/api/server_templates', 'server_template[name]=web', '--xh', 'Location');
    expect(res.code, res.stderr).toBe(0);
    const href = res.stdout.trim();
    expect(href).toMatch(/^\/api\/server_templates\/[^/\s]+$/);
    const listed = await rsc('index', '/api/server_templates');
    expect(listed.code, listed.stderr).toBe(0);
    const templates = JSON.parse(listed.stdout) as { name: string; links: { rel: string; href: string }[] }[];
    expect(templates.map((t) => [t.name, t.links.find((l) => l.rel === 'self')?.href])).toEqual([
      ['web', href],
    ]);
  });

  it('R-RS: a refusal exits non-zero with the API 1.5 error (ResourceNotFound) on stderr', async () => {
    const res = await rsc('show', '/api/server_templates/nope');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('ResourceNotFound');
  });
});
