import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Database } from '@mci/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { IMMUTABLE } from '../dashboard.ts';

const noDatabase = { kind: 'pglite', db: {}, close: async () => undefined } as unknown as Database;

let dashboardDir: string;
const script = 'console.log("dashboard");'.repeat(100);

beforeAll(() => {
  dashboardDir = mkdtempSync(join(tmpdir(), 'mci-dash-'));
  mkdirSync(join(dashboardDir, 'assets'));
  writeFileSync(
    join(dashboardDir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/app-abc123.js"></script>',
  );
  writeFileSync(join(dashboardDir, 'assets', 'app-abc123.js'), script);
  writeFileSync(join(dashboardDir, 'assets', 'app-abc123.js.br'), brotliCompressSync(script));
  writeFileSync(join(dashboardDir, 'assets', 'app-abc123.js.gz'), gzipSync(script));
});
afterAll(() => rmSync(dashboardDir, { recursive: true, force: true }));

async function app(options: { cookieSecure?: boolean } = {}) {
  const built = await buildApp({ database: noDatabase, logLevel: 'silent', dashboardDir, ...options });
  await built.ready();
  return built;
}

/** The directives of a CSP header, by name. */
function directives(header: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
}

describe('security headers (issue 11 item 7)', () => {
  it('the dashboard’s CSP allows scripts from this origin only, and no framing', async () => {
    const a = await app();
    const res = await a.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    const csp = directives(res.headers['content-security-policy'] as string);
    expect(csp['script-src']).toBe("'self'");
    expect(csp['script-src-attr']).toBe("'none'");
    expect(csp['default-src']).toBe("'self'");
    expect(csp['object-src']).toBe("'none'");
    expect(csp['frame-ancestors']).toBe("'none'");
    expect(csp['style-src-attr']).toBe("'none'");
    expect(csp).not.toHaveProperty('upgrade-insecure-requests'); // the service may run on plain HTTP
    expect(res.headers['x-frame-options']).toBe('DENY');
    await a.close();
  });

  it('every answer says nosniff and no-referrer: dashboard, API, docs, errors', async () => {
    const a = await app();
    for (const url of ['/', '/assets/app-abc123.js', '/v1/session', '/v1/openapi.json', '/docs/', '/nope']) {
      const res = await a.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
    await a.close();
  });

  it('answers under /v1 are never stored: Cache-Control no-store (with or without credentials)', async () => {
    const a = await app();
    for (const url of ['/v1/session', '/v1/accounts', '/v1/openapi.json']) {
      const res = await a.inject({ method: 'GET', url, headers: { authorization: 'Bearer nope' } });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    await a.close();
  });

  it('Swagger UI at /docs loads its scripts from files under the same policy', async () => {
    const a = await app();
    const res = await a.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/<script>(?!\s*<\/script>)/);
    expect(directives(res.headers['content-security-policy'] as string)['script-src']).toBe("'self'");
    await a.close();
  });

  it('HSTS only when the service is behind HTTPS (COOKIE_SECURE)', async () => {
    const plain = await app();
    expect((await plain.inject({ method: 'GET', url: '/' })).headers).not.toHaveProperty(
      'strict-transport-security',
    );
    await plain.close();
    const secure = await app({ cookieSecure: true });
    expect((await secure.inject({ method: 'GET', url: '/' })).headers['strict-transport-security']).toContain(
      'max-age=31536000',
    );
    await secure.close();
  });
});

describe('dashboard files (issue 11, production start)', () => {
  it('content-hashed assets are cached for a year, index.html is revalidated', async () => {
    const a = await app();
    const asset = await a.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(asset.headers['cache-control']).toBe(IMMUTABLE);
    const index = await a.inject({ method: 'GET', url: '/' });
    expect(index.headers['cache-control']).toBe('no-cache');
    const page = await a.inject({ method: 'GET', url: '/mcis/x', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    await a.close();
  });

  it('a browser that accepts brotli or gzip gets the precompressed file; others the plain one', async () => {
    const a = await app();
    const url = '/assets/app-abc123.js';
    const br = await a.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(script.length / 10);
    expect(br.headers.vary).toContain('accept-encoding');
    const gz = await a.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await a.inject({ method: 'GET', url });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    await a.close();
  });
});
