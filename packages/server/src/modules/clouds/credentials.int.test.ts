import { CloudError } from '@mci/core';
import { catalogRepository, cloudCredentialRepository } from '@mci/db';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, contextOf } from '../../app.ts';
import {
  accountsByPrincipal,
  callCloud,
  cloudErrorProblem,
  credentialsFor,
  credentialTypesOf,
  driverFor,
} from '../../clouds/connection.ts';
import { simulatedPrincipal } from '../../clouds/simulated-driver.ts';
import { problemHandler } from '../../http/errors.ts';
import { testSecretKey } from '../../security/credential-crypto.ts';
import { ADMIN_TOKEN, startHarness, type Harness } from '../../testing/harness.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ secretKey: testSecretKey('the first key') });
});
afterAll(async () => h?.close());

const base = (accountId: string) => `/v1/accounts/${accountId}/cloud-credentials`;

async function accountWithAdmin() {
  const account = await h.build.account();
  const admin = await h.build.user({ accountId: account.id, roles: ['admin'] });
  return { account, admin };
}

async function addCredentials(accountId: string, token: string, body: Record<string, unknown> = {}) {
  return h.call('POST', base(accountId), {
    token,
    body: { cloudType: 'simulated', accessKeyId: KEY_ID, secretAccessKey: SECRET, ...body },
  });
}

async function storedSecretColumn(id: string): Promise<string> {
  const result = await h.database.db.execute(sql`select secret from cloud_credentials where id = ${id}`);
  const rows =
    (result as unknown as { rows?: { secret: string }[] }).rows ??
    (result as unknown as { secret: string }[]);
  return rows[0].secret;
}

async function auditBody(accountId: string): Promise<string> {
  return (await h.call('GET', `/v1/accounts/${accountId}/audit?limit=100`)).body;
}

describe('cloud credentials (R-CLD-1, R-CLD-2)', () => {
  it('R-CLD-1/2: an admin registers credentials; the principal is recorded; no read shows the secret; stored encrypted', async () => {
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token, {
      sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN',
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(`${base(account.id)}/${created.data.id}`);
    expect(created.data).toMatchObject({
      accountId: account.id,
      cloudType: 'simulated',
      accessKeyHint: 'AKIA…MPLE',
      principal: simulatedPrincipal(KEY_ID),
      syncOwners: ['self'],
      syncNameFilters: [],
      endpoint: null,
      roleArn: null,
      lastError: null,
      rotatedAt: null,
    });
    expect(created.data.fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(created.data.lastUsedAt).not.toBeNull();

    const list = await h.call('GET', base(account.id), { token: admin.token });
    const one = await h.call('GET', `${base(account.id)}/${created.data.id}`, { token: admin.token });
    expect(list.data).toEqual({ items: [created.data], nextCursor: null });
    expect(one.data).toEqual(created.data);
    const audit = await auditBody(account.id);
    expect(audit).toContain('cloud_credential.create');
    for (const body of [created.body, list.body, one.body, audit]) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain('FwoGZXIvYXdzEXAMPLETOKEN');
      expect(body).not.toContain(KEY_ID);
      expect(body).not.toMatch(/secretAccessKey|sessionToken/);
    }
    const column = await storedSecretColumn(created.data.id);
    expect(column).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(column).not.toContain(SECRET);
    expect(column).not.toContain(KEY_ID);
    expect(Buffer.from(column.split('.').at(-1)!, 'base64url').toString('utf8')).not.toContain(SECRET);
  });

  it('R-CLD-1: one set per cloud type: a second POST is a 409, PUT is the rotation', async () => {
    const { account, admin } = await accountWithAdmin();
    expect((await addCredentials(account.id, admin.token)).statusCode).toBe(201);
    const again = await addCredentials(account.id, admin.token, { accessKeyId: '111122223333' });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.data.code).toBe('already_exists');
    expect(again.data.detail).toContain('PUT');
  });

  it('R-CLD-1: the cloud refusing the keys is a 422 with its message and code, and nothing is stored', async () => {
    const { account, admin } = await accountWithAdmin();
    h.world.behaviour.failures = new Map([
      [
        'whoAmI',
        new CloudError('auth', 'AuthFailure', 'AWS was not able to validate the provided access credentials'),
      ],
    ]);
    try {
      const refused = await addCredentials(account.id, admin.token);
      expect(refused.statusCode).toBe(422);
      expect(refused.data.code).toBe('credentials_invalid');
      expect(refused.data.detail).toContain('AWS was not able to validate the provided access credentials');
      expect(refused.data.detail).toContain('AuthFailure');
      expect(refused.data.cloudCode).toBe('AuthFailure');
      expect(refused.body).not.toContain(SECRET);
    } finally {
      h.world.behaviour.failures = undefined;
    }
    expect((await h.call('GET', base(account.id), { token: admin.token })).data.items).toEqual([]);
    expect(await auditBody(account.id)).not.toContain('cloud_credential');
  });

  it('R-CLD-1: validates the body (cloud type, http(s) endpoint, no unknown fields)', async () => {
    const { account, admin } = await accountWithAdmin();
    for (const body of [
      { cloudType: 'azure' },
      { endpoint: 'ftp://example.com' },
      { endpoint: 'not a url' },
      { secretAccessKey: '' },
      { secret: 'x' },
      { syncOwners: ['self', 'self'] },
    ]) {
      const res = await addCredentials(account.id, admin.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.body).not.toContain(SECRET);
    }
    const ok = await addCredentials(account.id, admin.token, {
      endpoint: 'http://127.0.0.1:5000',
      roleArn: 'arn:aws:iam::123456789012:role/any',
      syncOwners: ['self', '123456789012'],
      syncNameFilters: ['al2023-ami-*'],
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.data).toMatchObject({
      endpoint: 'http://127.0.0.1:5000',
      roleArn: 'arn:aws:iam::123456789012:role/any',
      syncOwners: ['self', '123456789012'],
      syncNameFilters: ['al2023-ami-*'],
    });
  });

  it('§4: a member without admin gets 403; another account (its admin, or a stranger) gets 404', async () => {
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token);
    const designer = await h.build.user({ accountId: account.id, roles: ['designer', 'publisher'] });
    const other = await accountWithAdmin();
    const url = `${base(account.id)}/${created.data.id}`;
    for (const [method, path] of [
      ['GET', base(account.id)],
      ['GET', url],
      ['DELETE', url],
    ] as const) {
      expect((await h.call(method, path, { token: designer.token })).statusCode).toBe(403);
      expect((await h.call(method, path, { token: other.admin.token })).statusCode).toBe(404);
    }
    const post = await addCredentials(account.id, designer.token);
    expect(post.statusCode).toBe(403);
    expect(post.data.code).toBe('missing_role');
    // Through the other account's own path: its credential id names nothing there.
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await h.call(method, `${base(other.account.id)}/${created.data.id}`, {
        token: other.admin.token,
      });
      expect(res.statusCode).toBe(404);
    }
    const put = await h.call('PUT', `${base(other.account.id)}/${created.data.id}`, {
      token: other.admin.token,
      body: { accessKeyId: '999988887777', secretAccessKey: SECRET2 },
    });
    expect(put.statusCode).toBe(404);
    expect((await h.call('GET', url, { token: admin.token })).data).toEqual(created.data);
  });

  it('R-CLD-1/2: a rotation replaces the keys, reads the principal again, is audited without secrets', async () => {
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token, { endpoint: 'http://127.0.0.1:5000' });
    h.clock.advance(60_000);
    const rotated = await h.call('PUT', `${base(account.id)}/${created.data.id}`, {
      token: admin.token,
      body: { accessKeyId: '111122223333', secretAccessKey: SECRET2 },
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.data).toMatchObject({
      id: created.data.id,
      principal: '111122223333',
      accessKeyHint: '1111…3333',
      endpoint: 'http://127.0.0.1:5000',
      rotatedAt: h.clock.now.toISOString(),
      createdAt: created.data.createdAt,
    });
    expect(rotated.data.fingerprint).not.toBe(created.data.fingerprint);
    const cleared = await h.call('PUT', `${base(account.id)}/${created.data.id}`, {
      token: admin.token,
      body: { accessKeyId: '111122223333', secretAccessKey: SECRET2, endpoint: null, cloudType: 'simulated' },
    });
    expect(cleared.data.endpoint).toBeNull();
    const wrongType = await h.call('PUT', `${base(account.id)}/${created.data.id}`, {
      token: admin.token,
      body: { accessKeyId: '111122223333', secretAccessKey: SECRET2, cloudType: 'aws' },
    });
    expect(wrongType.statusCode).toBe(422);
    const audit = await auditBody(account.id);
    expect(audit).toContain('cloud_credential.rotate');
    expect(audit).toContain(`the principal changed from ${simulatedPrincipal(KEY_ID)} to 111122223333`);
    for (const body of [rotated.body, cleared.body, audit]) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(SECRET2);
    }
    const ctx = contextOf(h.app);
    const inUse = await credentialsFor(ctx, ctx.db, account.id, 'simulated');
    expect(inUse?.secret).toEqual({ accessKeyId: '111122223333', secretAccessKey: SECRET2 });
  });

  it('R-CLD-4: PATCH changes the account listing (owners, name filters) without the keys; no-op writes nothing', async () => {
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token);
    const url = `${base(account.id)}/${created.data.id}`;
    const patched = await h.call('PATCH', url, {
      token: admin.token,
      body: { syncOwners: ['self', '123456789012'], syncNameFilters: ['team-*'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.data).toEqual({
      ...created.data,
      syncOwners: ['self', '123456789012'],
      syncNameFilters: ['team-*'],
    });
    await h.call('PATCH', url, { token: admin.token, body: { syncNameFilters: ['team-*'] } });
    const entries = (await h.call('GET', `/v1/accounts/${account.id}/audit?limit=100`)).data.items.filter(
      (e: { action: string }) => e.action === 'cloud_credential.sync',
    );
    expect(entries).toHaveLength(1);
    for (const body of [{}, { secretAccessKey: SECRET2 }, { syncOwners: ['a', 'a'] }]) {
      expect((await h.call('PATCH', url, { token: admin.token, body })).statusCode).toBe(400);
    }
    const designer = await h.build.user({ accountId: account.id, roles: ['designer'] });
    expect(
      (await h.call('PATCH', url, { token: designer.token, body: { syncNameFilters: [] } })).statusCode,
    ).toBe(403);
  });

  it('R-CLD-1: deleting stops their use with credentials_missing; audited', async () => {
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token);
    const url = `${base(account.id)}/${created.data.id}`;
    const removed = await h.call('DELETE', url, { token: admin.token });
    expect(removed.statusCode).toBe(204);
    expect((await h.call('GET', url, { token: admin.token })).statusCode).toBe(404);
    expect((await h.call('DELETE', url, { token: admin.token })).statusCode).toBe(404);
    expect(await auditBody(account.id)).toContain('cloud_credential.delete');
    const ctx = contextOf(h.app);
    const cloud = await h.build.cloud({ cloudType: 'simulated', region: 'us-east-1' });
    const full = (await catalogRepository.findCloud(ctx.db, cloud.id))!;
    await expect(driverFor(ctx, ctx.db, full, account.id)).rejects.toMatchObject({
      status: 409,
      code: 'credentials_missing',
      message: expect.stringContaining('simulated'),
    });
    // A new set can be added once the old one is gone.
    expect((await addCredentials(account.id, admin.token)).statusCode).toBe(201);
  });

  it('R-CLD-1: after a SECRET_KEY change reads still work and a use is a 409 credentials_unreadable, never a crash; a rotation repairs them', async () => {
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token);
    const url = `${base(account.id)}/${created.data.id}`;
    const other = await buildApp({
      database: h.database,
      logLevel: 'silent',
      clock: () => h.clock.now,
      secretKey: testSecretKey('another key'),
      simulatedWorld: h.world,
    });
    try {
      const call = (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) =>
        other.inject({
          method,
          url: path,
          headers: {
            authorization: `Bearer ${admin.token}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          payload: body ? JSON.stringify(body) : undefined,
        });
      const read = await call('GET', url);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({ id: created.data.id, fingerprint: created.data.fingerprint });

      const check = await call('POST', `${url}/check`);
      expect(check.statusCode).toBe(409);
      expect(check.headers['content-type']).toContain('application/problem+json');
      expect(check.json().code).toBe('credentials_unreadable');
      expect(check.json().detail).toContain('encrypted with another SECRET_KEY');
      expect(check.json().detail).toContain('enter the credentials again');
      const afterCheck = (await call('GET', url)).json();
      expect(afterCheck.lastError).toContain('encrypted with another SECRET_KEY');

      const ctx = contextOf(other);
      await expect(credentialsFor(ctx, ctx.db, account.id, 'simulated')).rejects.toMatchObject({
        status: 409,
        code: 'credentials_unreadable',
      });
      // The first key still reads them.
      expect((await h.call('POST', `${url}/check`, { token: admin.token })).statusCode).toBe(200);

      const repaired = await call('PUT', url, { accessKeyId: KEY_ID, secretAccessKey: SECRET });
      expect(repaired.statusCode).toBe(200);
      expect(repaired.json().lastError).toBeNull();
      expect((await call('POST', `${url}/check`)).statusCode).toBe(200);
      expect((await h.call('POST', `${url}/check`, { token: admin.token })).data.code).toBe(
        'credentials_unreadable',
      );
    } finally {
      await other.close();
    }
  });

  it('R-CLD-1: a check records the cloud refusing stored keys as the last error (422)', async () => {
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token);
    h.clock.advance(1000);
    h.world.behaviour.failures = new Map([['whoAmI', new CloudError('auth', 'AuthFailure', 'keys revoked')]]);
    try {
      const check = await h.call('POST', `${base(account.id)}/${created.data.id}/check`, {
        token: admin.token,
      });
      expect(check.statusCode).toBe(422);
      expect(check.data.detail).toContain('keys revoked (AuthFailure)');
    } finally {
      h.world.behaviour.failures = undefined;
    }
    const read = (await h.call('GET', `${base(account.id)}/${created.data.id}`, { token: admin.token })).data;
    expect(read.lastError).toContain('keys revoked');
    expect(read.lastErrorAt).toBe(h.clock.now.toISOString());
  });
});

describe('cloud connection (design of issue 12)', () => {
  it('driverFor: driver none is a 409 no_driver; the simulated cloud scope needs no credentials; an account scope uses its own', async () => {
    const ctx = contextOf(h.app);
    const manual = await h.build.cloud({ cloudType: 'azure', region: 'westeurope' });
    const manualCloud = (await catalogRepository.findCloud(ctx.db, manual.id))!;
    expect(manualCloud.driver).toBe('none');
    await expect(driverFor(ctx, ctx.db, manualCloud, null)).rejects.toMatchObject({
      status: 409,
      code: 'no_driver',
    });

    const sim = await h.build.cloud({ cloudType: 'simulated', region: 'us-east-1' });
    const simCloud = (await catalogRepository.findCloud(ctx.db, sim.id))!;
    const publicScope = await driverFor(ctx, ctx.db, simCloud, null);
    expect(publicScope.credentials).toBeNull();
    await expect(publicScope.driver.whoAmI()).rejects.toBeInstanceOf(CloudError);

    const { account, admin } = await accountWithAdmin();
    await addCredentials(account.id, admin.token, { accessKeyId: '444455556666' });
    const own = await driverFor(ctx, ctx.db, simCloud, account.id);
    expect(own.credentials).toMatchObject({ accountId: account.id, principal: '444455556666' });
    expect(await own.driver.whoAmI()).toEqual({ principal: '444455556666' });

    const none = await accountWithAdmin();
    const optional = await driverFor(ctx, ctx.db, simCloud, none.account.id, { optional: true });
    expect(optional.credentials).toBeNull();
  });

  it("driverFor: a demo AWS region on the simulated driver takes the account's simulated credentials, else its aws ones", async () => {
    const ctx = contextOf(h.app);
    const created = await h.call('POST', '/v1/clouds', {
      body: { name: 'Demo AWS', cloudType: 'aws', region: 'us-east-1', driver: 'simulated' },
    });
    const cloud = (await catalogRepository.findCloud(ctx.db, created.data.id))!;
    const { account, admin } = await accountWithAdmin();
    await expect(driverFor(ctx, ctx.db, cloud, account.id)).rejects.toMatchObject({
      code: 'credentials_missing',
    });
    await addCredentials(account.id, admin.token, { accessKeyId: '777700001111' });
    const own = await driverFor(ctx, ctx.db, cloud, account.id);
    expect(own.credentials).toMatchObject({ cloudType: 'simulated', principal: '777700001111' });
    expect(await own.driver.whoAmI()).toEqual({ principal: '777700001111' });
    const map = await accountsByPrincipal(ctx.db, credentialTypesOf(cloud), ['777700001111']);
    expect(map.get('777700001111')).toBe(account.id);
    expect((await accountsByPrincipal(ctx.db, 'aws', ['777700001111'])).size).toBe(0);
  });

  it('driverFor: an aws cloud scope uses the earliest credentials of the type, or is credentials_missing', async () => {
    const seen: unknown[] = [];
    const h2 = await startHarness({
      drivers: (target) => {
        seen.push(target);
        return {
          whoAmI: async () => ({ principal: target.credentials!.secret.accessKeyId.slice(0, 12) }),
        } as never;
      },
    });
    try {
      const ctx = contextOf(h2.app);
      const cloud = (await catalogRepository.findCloud(
        ctx.db,
        (await h2.build.cloud({ cloudType: 'aws' })).id,
      ))!;
      expect(cloud.driver).toBe('aws');
      await expect(driverFor(ctx, ctx.db, cloud, null)).rejects.toMatchObject({
        status: 409,
        code: 'credentials_missing',
        message: expect.stringContaining('aws'),
      });
      const first = await h2.build.account();
      const second = await h2.build.account();
      for (const [acc, key] of [
        [first, '123456789012AAAA'],
        [second, '210987654321BBBB'],
      ] as const) {
        h2.clock.advance(1000);
        const res = await h2.call('POST', `/v1/accounts/${acc.id}/cloud-credentials`, {
          token: ADMIN_TOKEN,
          body: { cloudType: 'aws', accessKeyId: key, secretAccessKey: SECRET },
        });
        expect(res.statusCode).toBe(201);
        expect(res.data.principal).toBe(key.slice(0, 12));
      }
      const scope = await driverFor(ctx, ctx.db, cloud, null);
      expect(scope.credentials?.accountId).toBe(first.id);
      const map = await accountsByPrincipal(ctx.db, 'aws', ['123456789012', '210987654321', '000000000000']);
      expect(Object.fromEntries(map)).toEqual({ '123456789012': first.id, '210987654321': second.id });
      expect((await accountsByPrincipal(ctx.db, 'simulated', ['123456789012'])).size).toBe(0);
    } finally {
      await h2.close();
    }
  });

  it('callCloud notes the use and turns a cloud error into a 502 cloud_error problem with details.cloudCode', async () => {
    const ctx = contextOf(h.app);
    const { account, admin } = await accountWithAdmin();
    const created = await addCredentials(account.id, admin.token);
    const credentials = (await credentialsFor(ctx, ctx.db, account.id, 'simulated'))!;
    h.clock.advance(5000);
    await expect(
      callCloud(ctx, credentials, 'AWS us-east-1', async () => {
        throw new CloudError('not_found', 'InvalidAMIID.NotFound', "The image id '[ami-1]' does not exist");
      }),
    ).rejects.toMatchObject({
      status: 502,
      code: 'cloud_error',
      message: "AWS us-east-1: The image id '[ami-1]' does not exist (InvalidAMIID.NotFound)",
      details: { cloudCode: 'InvalidAMIID.NotFound' },
    });
    const record = (await cloudCredentialRepository.find(ctx.db, created.data.id))!;
    expect(record.lastUsedAt).toBe(h.clock.now.toISOString());
    expect(record.lastError).toContain('InvalidAMIID.NotFound');

    // Rendered by the v1 error handler as problem+json.
    const app = Fastify({ logger: false });
    app.setErrorHandler(problemHandler());
    app.get('/x', async () => {
      throw cloudErrorProblem(new CloudError('throttled', 'RequestLimitExceeded', 'Request limit exceeded.'));
    });
    const res = await app.inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 502,
      title: 'Bad Gateway',
      code: 'cloud_error',
      detail: 'Request limit exceeded. (RequestLimitExceeded)',
      cloudCode: 'RequestLimitExceeded',
    });
    await app.close();
  });
});
