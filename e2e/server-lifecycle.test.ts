import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient } from '@mci/client';
import { withAdminClient } from '@mci/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './support/server.ts';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mci-e2e-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

/** Creates an account, a cloud and a private image through the generated client. */
async function createSomeData(baseUrl: string) {
  const api = createApiClient({ baseUrl, token: ADMIN_TOKEN });
  const account = await api.POST('/v1/accounts', { body: { name: 'Platform team' } });
  expect(account.response.status).toBe(201);
  const cloud = await api.POST('/v1/clouds', {
    body: { name: 'AWS eu-west-1', cloudType: 'aws', region: 'eu-west-1' },
  });
  expect(cloud.response.status).toBe(201);
  const image = await api.POST('/v1/clouds/{c}/images', {
    params: { path: { c: cloud.data!.id } },
    body: {
      resourceUid: 'ami-0abc1234def567890',
      name: 'al2023-golden',
      cpuArchitecture: 'x86_64',
      visibility: 'private',
      ownerAccountId: account.data!.id,
    },
  });
  expect(image.response.status).toBe(201);
  return { accountId: account.data!.id, cloudId: cloud.data!.id, imageId: image.data!.id };
}

async function expectDataSurvived(
  baseUrl: string,
  ids: { accountId: string; cloudId: string; imageId: string },
) {
  const api = createApiClient({ baseUrl, token: ADMIN_TOKEN });
  const image = await api.GET('/v1/clouds/{c}/images/{id}', {
    params: { path: { c: ids.cloudId, id: ids.imageId } },
  });
  expect(image.response.status).toBe(200);
  expect(image.data).toMatchObject({ resourceUid: 'ami-0abc1234def567890', ownerAccountId: ids.accountId });
  const audit = await api.GET('/v1/accounts/{a}/audit', {
    params: { path: { a: ids.accountId }, query: {} },
  });
  expect(audit.data!.items.map((e) => e.action)).toEqual(['image.create', 'account.create']);
}

describe('the service as npm start runs it', () => {
  it('on embedded PGlite: serves on HOST/PORT, answers /healthz, and keeps data across a restart', async () => {
    const env = { DATA_DIR: join(dataDir, 'pglite'), SEED: 'none', ADMIN_TOKEN, DATABASE_URL: '' };
    const first = await startServer(env);
    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
    const ids = await createSomeData(first.baseUrl);
    expect(await first.stop()).toBe(0);

    const second = await startServer(env);
    await expectDataSurvived(second.baseUrl, ids);
    const docs = await fetch(`${second.baseUrl}/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  it('on first start without ADMIN_TOKEN prints a working token once and loads the demo catalog', async () => {
    const env = {
      DATA_DIR: join(dataDir, 'demo'),
      ADMIN_TOKEN: undefined,
      SEED: undefined,
      DATABASE_URL: '',
    };
    const server = await startServer(env);
    const token = /API token \(shown once, keep it safe\):\n\s+(mci_\S+)/.exec(server.output())?.[1];
    expect(token).toBeDefined();
    const api = createApiClient({ baseUrl: server.baseUrl, token });
    const me = await api.GET('/v1/me');
    expect(me.data?.user).toMatchObject({ email: 'admin@localhost', isSuperuser: true });
    const password = /Dashboard sign-in \(shown once\): admin@localhost \/ (\S+)/.exec(server.output())?.[1];
    const session = await fetch(`${server.baseUrl}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });
    expect(session.status).toBe(200);
    expect(me.data?.accounts.map((a) => a.name)).toEqual(['Demo']);
    const clouds = await api.GET('/v1/clouds', { params: { query: { limit: 100 } } });
    expect(clouds.data!.items.map((c) => c.name)).toContain('AWS us-east-1');
    expect(clouds.data!.items.some((c) => c.cloudType === 'simulated')).toBe(true);
    expect(await server.stop()).toBe(0);

    const again = await startServer(env);
    expect(again.output()).not.toMatch(/shown once/);
    expect(await again.stop()).toBe(0);
  });

  it('refuses to start with a bad configuration, listing every problem', async () => {
    await expect(startServer({ PORT: 'eighty', SEED: 'lots', DATABASE_URL: 'mysql://x' })).rejects.toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*SEED|PORT[\s\S]*SEED/,
    );
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'on PostgreSQL (DATABASE_URL): keeps data across a restart',
    async () => {
      const url = process.env.DATABASE_URL!;
      const name = `mci_e2e_${process.pid}`;
      await withAdminClient(url, async (c) => {
        await c.query(`drop database if exists ${name} with (force)`);
        await c.query(`create database ${name}`);
      });
      const u = new URL(url);
      u.pathname = `/${name}`;
      const env = { DATABASE_URL: u.toString(), SEED: 'none', ADMIN_TOKEN };
      try {
        const first = await startServer(env);
        const ids = await createSomeData(first.baseUrl);
        expect(await first.stop()).toBe(0);
        const second = await startServer(env);
        await expectDataSurvived(second.baseUrl, ids);
        expect(await second.stop()).toBe(0);
      } finally {
        await withAdminClient(url, (c) => c.query(`drop database if exists ${name} with (force)`));
      }
    },
  );
});
