import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { accountNumberOf, rsClient } from '../../testing/rs15.ts';

let h: Harness;
let acc: { id: string };
let other: { id: string };
let user: { id: string; email: string; token: string };
const password = 'correct horse battery';

beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  other = await h.build.account();
  user = await h.build.user({ accountId: acc.id, roles: ['observer'], password });
});
afterAll(async () => h?.close());

const v15 = { 'x-api-version': '1.5' };

describe('API 1.5 authentication (R-RS)', () => {
  it('R-RS: POST /api/oauth2 with a refresh token (JSON or form) answers exactly access_token, expires_in, token_type', async () => {
    for (const [type, payload] of [
      ['application/json', JSON.stringify({ grant_type: 'refresh_token', refresh_token: user.token })],
      [
        'application/x-www-form-urlencoded',
        `grant_type=refresh_token&refresh_token=${encodeURIComponent(user.token)}`,
      ],
    ]) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/oauth2',
        headers: { ...v15, 'content-type': type },
        payload,
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = JSON.parse(res.body);
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
      expect(body).toMatchObject({ expires_in: 7200, token_type: 'bearer' });
      expect(typeof body.access_token).toBe('string');
    }
  });

  it('R-RS: a wrong refresh token is a 401, a missing grant a 400, both in plain text', async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/oauth2',
      headers: { ...v15, 'content-type': 'application/json' },
      payload: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'nope' }),
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toMatch(/^text\/plain/);
    expect(bad.body).toMatch(/^Unauthorized: /);
    const missing = await h.app.inject({
      method: 'POST',
      url: '/api/oauth2',
      headers: { ...v15, 'content-type': 'application/json' },
      payload: JSON.stringify({ refresh_token: user.token }),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toMatch(/^InvalidParameter: .*grant_type/);
  });

  it('R-RS: calls need X-Api-Version 1.5, a valid access token and an account the user belongs to', async () => {
    const rs = await rsClient(h, user.token, acc.id);
    expect((await rs.call('GET', '/api/sessions')).status).toBe(200);
    const noVersion = await rs.call('GET', '/api/sessions', {}, { headers: { 'x-api-version': '' } });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toMatch(/^InvalidParameter: .*X-Api-Version/);
    const badToken = await rs.call(
      'GET',
      '/api/sessions',
      {},
      { headers: { authorization: 'Bearer rsat_nope' } },
    );
    expect(badToken.status).toBe(401);
    expect(badToken.body).toMatch(/^Unauthorized: /);
    // The API token itself is a refresh token, not an access token.
    const refresh = await rs.call(
      'GET',
      '/api/accounts/1',
      {},
      { headers: { authorization: `Bearer ${user.token}` } },
    );
    expect(refresh.status).toBe(401);
    const foreign = await rs.call(
      'GET',
      `/api/accounts/${await accountNumberOf(h, other.id)}`,
      {},
      {
        headers: { 'x-account': String(await accountNumberOf(h, other.id)) },
      },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/^PermissionDenied: /);
    const unknown = await rs.call('GET', '/api/sessions', {}, { headers: { 'x-account': '999999' } });
    expect(unknown.status).toBe(403);
  });

  it('R-RS: account numbers are small, stable integers; the session lists the accounts it may use', async () => {
    const n = await accountNumberOf(h, acc.id);
    expect(Number.isInteger(n) && n > 0).toBe(true);
    expect(await accountNumberOf(h, other.id)).toBeGreaterThan(n);
    const rs = await rsClient(h, user.token, acc.id);
    const show = await rs.call('GET', `/api/accounts/${n}`);
    expect(show.status).toBe(200);
    expect(show.headers['content-type']).toBe('application/vnd.rightscale.account+json');
    expect(show.data.links).toEqual([{ rel: 'self', href: `/api/accounts/${n}` }]);
    expect(show.data.created_at).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000$/);
    const mine = await rs.call('GET', '/api/sessions/accounts', {}, { headers: { 'x-account': '' } });
    expect(mine.status).toBe(200);
    expect(mine.headers['content-type']).toBe('application/vnd.rightscale.account+json;type=collection');
    expect(mine.data.map((a: { links: { href: string }[] }) => a.links[0].href)).toEqual([
      `/api/accounts/${n}`,
    ]);
  });

  it('R-RS: POST /api/sessions with email, password and account_href signs in with cookies; bodiless DELETE with a JSON type is accepted', async () => {
    const n = await accountNumberOf(h, acc.id);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...v15, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: user.email, password, account_href: `/api/accounts/${n}` }),
    });
    expect(res.statusCode, res.body).toBe(204);
    const cookies = Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
    expect(cookies.rs_account).toBe(String(n));
    const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const show = await h.app.inject({
      method: 'GET',
      url: `/api/accounts/${n}`,
      headers: { ...v15, cookie },
    });
    expect(show.statusCode, show.body).toBe(200);
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...v15, 'content-type': 'application/json' },
      payload: JSON.stringify({
        email: user.email,
        password: 'wrong password!',
        account_href: `/api/accounts/${n}`,
      }),
    });
    expect(wrong.statusCode).toBe(401);
    // An empty JSON body is no parameters (fastify alone refuses it with FST_ERR_CTP_EMPTY_JSON_BODY).
    const bodiless = await h.app.inject({
      method: 'DELETE',
      url: '/api/no_such_thing/1',
      headers: { ...v15, 'content-type': 'application/json', cookie },
    });
    expect(bodiless.statusCode).toBe(404);
    expect(bodiless.body).toMatch(/^NotFound: No route DELETE/);
  });

  it('R-RS: API 1.5 routes stay out of the v1 OpenAPI document', async () => {
    const doc = await h.call('GET', '/v1/openapi.json');
    expect(Object.keys(doc.data.paths).filter((p) => p.startsWith('/api'))).toEqual([]);
  });
});
