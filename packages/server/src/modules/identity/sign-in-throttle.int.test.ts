import { schema } from '@mci/db';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const PASSWORD = 'correct horse battery';
let clients = 0;
/** A client address of its own, so that tests do not share the per-client counter. */
const newClient = () => `203.0.113.${++clients}`;

async function signIn(email: string, password: string, ip: string, app: FastifyInstance = h.app) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/session',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email, password }),
  });
  return Object.assign(res, { data: JSON.parse(res.body || 'null') });
}

const withoutRequestId = (body: string) => body.replace(/"requestId":"[^"]*"/, '"requestId":"-"');

describe('sign-in throttle (issue 11, item 5)', () => {
  it('40 wrong passwords, then the right one: 429 with Retry-After until the block ends', async () => {
    const user = await h.build.user({ password: PASSWORD });
    const ip = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push((await signIn(user.email, `wrong password ${i}`, ip)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));

    const refused = await signIn(user.email, PASSWORD, ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.data.code).toBe('too_many_attempts');
    expect(refused.data.detail).toMatch(/Too many failed sign-ins for this email address: try again in \d+/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(refused.data.retryAfterSeconds).toBe(retryAfter);
    // From another client too: the block is on the address being tried.
    expect((await signIn(user.email, PASSWORD, newClient())).statusCode).toBe(429);

    h.clock.advance((retryAfter - 1) * 1000);
    expect((await signIn(user.email, PASSWORD, ip)).statusCode).toBe(429);
    h.clock.advance(1000);
    const ok = await signIn(user.email, PASSWORD, ip);
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['set-cookie'])).toMatch(/mci_session=/);
  });

  it('an unknown email and a wrong password get byte-identical answers apart from requestId', async () => {
    const user = await h.build.user({ password: PASSWORD });
    const noPassword = await h.build.user();
    const known = await signIn(user.email, 'not the password', newClient());
    const unknown = await signIn('nobody-at-all@example.com', 'not the password', newClient());
    const tokenOnly = await signIn(noPassword.email, 'not the password', newClient());
    expect(known.statusCode).toBe(401);
    expect(known.data).toMatchObject({
      code: 'unauthenticated',
      detail: 'The email or password is not correct',
    });
    for (const other of [unknown, tokenOnly]) {
      expect(other.statusCode).toBe(401);
      expect(other.headers['content-type']).toBe(known.headers['content-type']);
      expect(withoutRequestId(other.body)).toBe(withoutRequestId(known.body));
    }
  });

  it('an unknown email costs what a known one costs (a dummy hash of the same strength)', async () => {
    const user = await h.build.user({ password: PASSWORD });
    const time = async (email: string) => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) await signIn(email, `wrong ${i}`, newClient());
      return performance.now() - started;
    };
    await time(`warm-up-${Date.now()}@example.com`);
    const knownMs = await time(user.email);
    const unknownMs = await time(`unknown-${Date.now()}@example.com`);
    // Without the dummy hash an unknown address answered ~15 times faster.
    expect(unknownMs).toBeGreaterThan(knownMs * 0.4);
  });

  it('the throttle applies to an unknown email as to a known one', async () => {
    const ip = newClient();
    const email = 'never-created@example.com';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn(email, 'guess number ' + i, ip)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('a successful sign-in clears the failures of its email address', async () => {
    const user = await h.build.user({ password: PASSWORD });
    const ip = newClient();
    for (let i = 0; i < 4; i++) expect((await signIn(user.email, 'wrong password', ip)).statusCode).toBe(401);
    expect((await signIn(user.email, PASSWORD, ip)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await signIn(user.email, 'wrong password', ip)).statusCode).toBe(401);
    expect((await signIn(user.email, 'wrong password', ip)).statusCode).toBe(429);
  });

  it('blocks that follow each other grow: the second is twice as long', async () => {
    const user = await h.build.user({ password: PASSWORD });
    const ip = newClient();
    const fail = () => signIn(user.email, 'wrong password', ip);
    for (let i = 0; i < 5; i++) await fail();
    const first = Number((await fail()).headers['retry-after']);
    expect(first).toBe(900);
    h.clock.advance(first * 1000);
    for (let i = 0; i < 5; i++) expect((await fail()).statusCode).toBe(401);
    const second = await fail();
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBe(1800);
    h.clock.advance(1800 * 1000);
  });

  it('per client: 30 failed sign-ins for any addresses block that client only', async () => {
    const user = await h.build.user({ password: PASSWORD });
    const ip = newClient();
    for (let i = 0; i < 30; i++) {
      expect((await signIn(`spray-${i}@example.com`, 'Winter2026!', ip)).statusCode).toBe(401);
    }
    const blocked = await signIn(user.email, PASSWORD, ip);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.data.detail).toMatch(/sign-ins from this client/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(user.email, PASSWORD, newClient())).statusCode).toBe(200);
  });

  it('the counters are in the database: a second server process on it sees them', async () => {
    const user = await h.build.user({ password: PASSWORD });
    const other = await buildApp({ database: h.database, logLevel: 'silent', clock: () => h.clock.now });
    await other.ready();
    try {
      const ip = newClient();
      for (let i = 0; i < 5; i++) {
        const app = i % 2 === 0 ? h.app : other;
        expect((await signIn(user.email, 'wrong password', ip, app)).statusCode).toBe(401);
      }
      expect((await signIn(user.email, PASSWORD, ip, other)).statusCode).toBe(429);
      const rows = await h.database.db.select().from(schema.authThrottle);
      expect(rows.some((r) => r.key === `email:${user.email.toLowerCase()}` && r.blockedUntil)).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('API token throttle (issue 11, item 5)', () => {
  it('unknown tokens count per client: past 30, 429 with Retry-After; a valid token still works', async () => {
    const user = await h.build.user();
    const ip = newClient();
    const get = (token: string) =>
      h.app.inject({
        method: 'GET',
        url: '/v1/me',
        remoteAddress: ip,
        headers: { authorization: `Bearer ${token}` },
      });
    for (let i = 0; i < 30; i++) expect((await get(`mci_guess${i}`)).statusCode).toBe(401);
    const refused = await get('mci_guess-again');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(refused.body).code).toBe('too_many_attempts');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(user.token)).statusCode).toBe(200);
    // Another client is not affected.
    const elsewhere = await h.app.inject({
      method: 'GET',
      url: '/v1/me',
      remoteAddress: newClient(),
      headers: { authorization: 'Bearer mci_guess-elsewhere' },
    });
    expect(elsewhere.statusCode).toBe(401);
  });
});
