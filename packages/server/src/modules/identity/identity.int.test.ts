import { schema } from '@mci/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('authentication (SPEC §4)', () => {
  it('§4: every endpoint but health, login and docs needs credentials (401 problem+json)', async () => {
    for (const url of ['/v1/me', '/v1/accounts', '/v1/clouds', '/v1/audit']) {
      const res = await h.call('GET', url, { token: null });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.data.code).toBe('unauthenticated');
    }
    expect((await h.call('GET', '/healthz', { token: null })).statusCode).toBe(200);
    expect((await h.call('GET', '/v1/openapi.json', { token: null })).statusCode).toBe(200);
  });

  it('§4: an unknown or malformed bearer token is 401', async () => {
    expect((await h.call('GET', '/v1/me', { token: 'mci_nope' })).statusCode).toBe(401);
    const res = await h.call('GET', '/v1/me', { token: null, headers: { authorization: 'Basic abc' } });
    expect(res.statusCode).toBe(401);
    expect(res.data.detail).toContain('Bearer');
  });

  it('ADMIN_TOKEN is a valid token of the superuser', async () => {
    const res = await h.call('GET', '/v1/me');
    expect(res.statusCode).toBe(200);
    expect(res.data.user).toMatchObject({ email: 'admin@localhost', isSuperuser: true });
  });

  it('a new API token is shown once and stored only as a hash', async () => {
    const user = await h.build.user();
    const me = await h.call('GET', '/v1/me', { token: user.token });
    expect(me.data.user.id).toBe(user.id);
    const rows = await h.database.db.select().from(schema.apiTokens);
    expect(rows.some((r) => r.tokenHash.includes(user.token) || user.token.includes(r.tokenHash))).toBe(
      false,
    );
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });

  it('a user cannot create tokens for another user (404), the superuser can', async () => {
    const a = await h.build.user();
    const b = await h.build.user();
    const res = await h.call('POST', `/v1/users/${b.id}/tokens`, { token: a.token, body: { name: 'x' } });
    expect(res.statusCode).toBe(404);
    expect((await h.call('POST', `/v1/users/${b.id}/tokens`, { body: { name: 'ci' } })).statusCode).toBe(201);
  });

  it('password sign-in sets an HttpOnly SameSite session cookie that authenticates', async () => {
    const user = await h.build.user({ password: 'correct horse battery' });
    const bad = await h.call('POST', '/v1/session', {
      token: null,
      body: { email: user.email, password: 'wrong password!' },
    });
    expect(bad.statusCode).toBe(401);
    const res = await h.call('POST', '/v1/session', {
      token: null,
      body: { email: user.email.toUpperCase(), password: 'correct horse battery' },
    });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/mci_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const session = cookie.split(';')[0];
    const me = await h.call('GET', '/v1/me', { token: null, headers: { cookie: session } });
    expect(me.data.user.id).toBe(user.id);
    const out = await h.call('DELETE', '/v1/session', { token: null, headers: { cookie: session } });
    expect(out.statusCode).toBe(204);
    expect((await h.call('GET', '/v1/me', { token: null, headers: { cookie: session } })).statusCode).toBe(
      401,
    );
  });

  it('a session expires after its lifetime', async () => {
    const user = await h.build.user({ password: 'correct horse battery' });
    const res = await h.call('POST', '/v1/session', {
      token: null,
      body: { email: user.email, password: 'correct horse battery' },
    });
    const session = String(res.headers['set-cookie']).split(';')[0];
    h.clock.advance(13 * 3600_000);
    expect((await h.call('GET', '/v1/me', { token: null, headers: { cookie: session } })).statusCode).toBe(
      401,
    );
  });
});

describe('API tokens: list and revoke (issue 11, item 8)', () => {
  it("lists a user's tokens with their last use, never the secret; self or superuser only", async () => {
    const user = await h.build.user();
    const other = await h.build.user();
    const second = await h.call('POST', `/v1/users/${user.id}/tokens`, {
      token: user.token,
      body: { name: 'laptop' },
    });
    const list = await h.call('GET', `/v1/users/${user.id}/tokens`, { token: user.token });
    expect(list.statusCode).toBe(200);
    expect(list.data.items.map((t: { name: string }) => t.name)).toEqual(['test', 'laptop']);
    const [first, laptop] = list.data.items;
    expect(Object.keys(first).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'userId']);
    // The listing request itself used the first token; the second has not been used.
    expect(first.lastUsedAt).toBe(h.clock.now.toISOString());
    expect(laptop.lastUsedAt).toBeNull();
    expect(list.body).not.toContain(second.data.token);
    expect((await h.call('GET', `/v1/users/${user.id}/tokens`, { token: other.token })).statusCode).toBe(404);
    expect((await h.call('GET', `/v1/users/${user.id}/tokens`)).statusCode).toBe(200);

    h.clock.advance(30_000);
    await h.call('GET', '/v1/me', { token: second.data.token });
    h.clock.advance(20_000);
    await h.call('GET', '/v1/me', { token: second.data.token });
    const used = (await h.call('GET', `/v1/users/${user.id}/tokens`)).data.items[1];
    // Written at most once a minute: the second use, 20 s later, left the first one's time.
    expect(used.lastUsedAt).toBe(new Date(h.clock.now.getTime() - 20_000).toISOString());
  });

  it('revokes a token (self or superuser): it stops authenticating at once; audited', async () => {
    const user = await h.build.user();
    const other = await h.build.user();
    const spare = await h.call('POST', `/v1/users/${user.id}/tokens`, {
      token: user.token,
      body: { name: 'spare' },
    });
    const url = `/v1/users/${user.id}/tokens/${spare.data.id}`;
    expect((await h.call('DELETE', url, { token: other.token })).statusCode).toBe(404);
    expect((await h.call('GET', '/v1/me', { token: spare.data.token })).statusCode).toBe(200);
    expect((await h.call('DELETE', url, { token: user.token })).statusCode).toBe(204);
    expect((await h.call('GET', '/v1/me', { token: spare.data.token })).statusCode).toBe(401);
    expect((await h.call('DELETE', url, { token: user.token })).statusCode).toBe(404);
    // Another user's token id under one's own user is a 404 too.
    const theirs = (await h.call('GET', `/v1/users/${other.id}/tokens`)).data.items[0];
    expect(
      (await h.call('DELETE', `/v1/users/${user.id}/tokens/${theirs.id}`, { token: user.token })).statusCode,
    ).toBe(404);
    expect((await h.call('GET', '/v1/me', { token: other.token })).statusCode).toBe(200);
    const rows = await h.database.db.select().from(schema.auditEntries);
    expect(rows.some((r) => r.action === 'token.delete' && r.summary.includes('"spare"'))).toBe(true);
  });
});

describe('accounts and roles (SPEC §4)', () => {
  it('§4: only the superuser creates accounts (403 for others)', async () => {
    const acc = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const res = await h.call('POST', '/v1/accounts', { token: admin.token, body: { name: 'mine' } });
    expect(res.statusCode).toBe(403);
    expect(res.data.code).toBe('superuser_required');
  });

  it('§4: an admin manages members; another role gets 403; another account gets 404', async () => {
    const acc = await h.build.account();
    const other = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const designer = await h.build.user({ accountId: acc.id, roles: ['designer'] });
    const newcomer = await h.build.user({ accountId: acc.id, roles: ['observer'] });

    const put = await h.call('PUT', `/v1/accounts/${acc.id}/members/${newcomer.id}`, {
      token: admin.token,
      body: { roles: ['observer', 'actor'] },
    });
    expect(put.statusCode).toBe(200);
    expect(put.data.roles).toEqual(['observer', 'actor']);

    const forbidden = await h.call('PUT', `/v1/accounts/${acc.id}/members/${newcomer.id}`, {
      token: designer.token,
      body: { roles: ['admin'] },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.data.requiredRole).toBe('admin');

    const hidden = await h.call('GET', `/v1/accounts/${other.id}/members`, { token: admin.token });
    expect(hidden.statusCode).toBe(404);

    const members = await h.call('GET', `/v1/accounts/${acc.id}/members`, { token: newcomer.token });
    expect(members.data.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [admin.id, designer.id, newcomer.id].sort(),
    );
    const me = await h.call('GET', '/v1/me', { token: newcomer.token });
    expect(me.data.accounts).toEqual([{ id: acc.id, name: acc.name, roles: ['observer', 'actor'] }]);

    expect(
      (await h.call('DELETE', `/v1/accounts/${acc.id}/members/${newcomer.id}`, { token: admin.token }))
        .statusCode,
    ).toBe(204);
    expect((await h.call('GET', `/v1/accounts/${acc.id}`, { token: newcomer.token })).statusCode).toBe(404);
  });

  it('refuses to remove the last admin of an account (409)', async () => {
    const acc = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const res = await h.call('PUT', `/v1/accounts/${acc.id}/members/${admin.id}`, {
      token: admin.token,
      body: { roles: ['observer'] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('last_admin');
    const del = await h.call('DELETE', `/v1/accounts/${acc.id}/members/${admin.id}`, { token: admin.token });
    expect(del.statusCode).toBe(409);
  });

  it('lists only the accounts the caller belongs to; the superuser sees all', async () => {
    const a = await h.build.account();
    await h.build.account();
    const user = await h.build.user({ accountId: a.id, roles: ['observer'] });
    const mine = await h.call('GET', '/v1/accounts', { token: user.token });
    expect(mine.data.items.map((x: { id: string }) => x.id)).toEqual([a.id]);
    const all = await h.call('GET', '/v1/accounts?limit=500');
    expect(all.data.items.length).toBeGreaterThanOrEqual(2);
  });

  it('duplicate user email and account name are 409 naming the field, and store nothing new', async () => {
    const user = await h.build.user();
    const before = (await h.database.db.select().from(schema.users)).length;
    const dup = await h.call('POST', '/v1/users', {
      body: { email: user.email.toUpperCase(), name: 'Again' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.data.errors[0].path).toBe('email');
    expect((await h.database.db.select().from(schema.users)).length).toBe(before);
    const acc = await h.build.account();
    const dupAcc = await h.call('POST', '/v1/accounts', { body: { name: acc.name } });
    expect(dupAcc.statusCode).toBe(409);
    expect(dupAcc.data.errors[0].path).toBe('name');
  });

  it('validates roles and unknown fields with 400 naming the field', async () => {
    const acc = await h.build.account();
    const user = await h.build.user();
    const bad = await h.call('PUT', `/v1/accounts/${acc.id}/members/${user.id}`, {
      body: { roles: ['king'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.data.errors[0].path).toBe('body.roles.0');
    const extra = await h.call('POST', '/v1/users', {
      body: { email: 'x@example.com', name: 'X', admin: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.data.detail).toMatch(/admin/);
    const unknownUser = await h.call('PUT', `/v1/accounts/${acc.id}/members/usr_missing`, {
      body: { roles: ['actor'] },
    });
    expect(unknownUser.statusCode).toBe(404);
  });
});
