import type { Role } from '@mci/core';
import type { Database } from '@mci/db';
import { openTestDatabase } from '@mci/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { buildApp, contextOf, type AppOptions } from '../app.ts';
import type { AppContext } from '../context.ts';
import { readDemoCatalog } from '../bootstrap/bootstrap.ts';
import { SimulatedWorld } from '../clouds/simulated-driver.ts';
import { bootstrap } from '../bootstrap/bootstrap.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestClock {
  now: Date;
  advance(ms: number): void;
}

export interface Harness {
  app: FastifyInstance;
  /** The app's context: tests run jobs on it (`runJobsUntilIdle(h.ctx)`). */
  ctx: AppContext;
  database: Database;
  clock: TestClock;
  /** The simulated clouds this app's `simulated` driver talks to (tests change the "cloud" here). */
  world: SimulatedWorld;
  /** Sends a request as `token` (the superuser's by default); `null` sends no credentials. */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<LightMyRequestResponse & { body: string; data: any }>;
  build: Factories;
  close(): Promise<void>;
}

export interface Factories {
  account(overrides?: { name?: string }): Promise<{ id: string; name: string }>;
  /** A user with a token, member of `accountId` with `roles` when given. */
  user(opts?: { accountId?: string; roles?: Role[]; email?: string; password?: string }): Promise<{
    id: string;
    email: string;
    token: string;
  }>;
  cloud(
    overrides?: Partial<{ name: string; cloudType: string; region: string }>,
  ): Promise<{ id: string; name: string }>;
  image(cloudId: string, overrides?: Record<string, unknown>, token?: string): Promise<any>;
  instanceType(cloudId: string, overrides?: Record<string, unknown>): Promise<any>;
  /** A cloud with one usable x86_64 image and a fitting instance type. */
  cloudWithImage(overrides?: { name?: string }): Promise<{ cloud: any; image: any; type: any }>;
  mci(accountId: string, body?: Record<string, unknown>, token?: string): Promise<any>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** A real app on a fresh database (PGlite, or PostgreSQL when DATABASE_URL is set). */
export async function startHarness(
  options: Pick<AppOptions, 'drivers' | 'simulatedWorld' | 'secretKey'> = {},
): Promise<Harness> {
  const database = await openTestDatabase(inject('pgliteDump'));
  const clock: TestClock = {
    now: new Date('2026-11-27T10:00:00Z'),
    advance(ms) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  await bootstrap(database.db, { adminEmail: 'admin@localhost', adminToken: ADMIN_TOKEN, seed: 'none' });
  const world = options.simulatedWorld ?? new SimulatedWorld(await readDemoCatalog());
  const app = await buildApp({
    database,
    logLevel: 'silent',
    clock: () => clock.now,
    ...options,
    simulatedWorld: world,
  });
  await app.ready();

  const call: Harness['call'] = async (method, url, opts = {}) => {
    const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.inject({ method, url, headers, payload });
    let data: unknown;
    try {
      data = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      data = undefined;
    }
    return Object.assign(res, { data });
  };

  const expectStatus = (res: { statusCode: number; body: string }, status: number, what: string) => {
    if (res.statusCode !== status)
      throw new Error(`${what}: expected ${status}, got ${res.statusCode}: ${res.body}`);
  };

  const build = {
    async account(overrides = {}) {
      const res = await call('POST', '/v1/accounts', { body: { name: overrides.name ?? unique('account') } });
      expectStatus(res, 201, 'create account');
      return res.data;
    },
    async user(opts = {}) {
      const email = opts.email ?? `${unique('user')}@example.com`;
      const res = await call('POST', '/v1/users', { body: { email, name: email, password: opts.password } });
      expectStatus(res, 201, 'create user');
      const tok = await call('POST', `/v1/users/${res.data.id}/tokens`, { body: { name: 'test' } });
      expectStatus(tok, 201, 'create token');
      if (opts.accountId) {
        const m = await call('PUT', `/v1/accounts/${opts.accountId}/members/${res.data.id}`, {
          body: { roles: opts.roles ?? ['observer'] },
        });
        expectStatus(m, 200, 'add member');
      }
      return { id: res.data.id, email, token: tok.data.token };
    },
    async cloud(overrides = {}) {
      const res = await call('POST', '/v1/clouds', {
        body: { name: unique('Cloud'), cloudType: 'aws', region: 'us-east-1', ...overrides },
      });
      expectStatus(res, 201, 'create cloud');
      return res.data;
    },
    async image(cloudId, overrides = {}, token) {
      const res = await call('POST', `/v1/clouds/${cloudId}/images`, {
        token,
        body: {
          resourceUid: unique('ami'),
          name: 'Ubuntu 22.04 x86_64',
          osFamily: 'ubuntu',
          osVersion: '22.04',
          cpuArchitecture: 'x86_64',
          visibility: 'public',
          ...overrides,
        },
      });
      expectStatus(res, 201, 'create image');
      return res.data;
    },
    async instanceType(cloudId, overrides = {}) {
      const res = await call('POST', `/v1/clouds/${cloudId}/instance-types`, {
        body: {
          resourceUid: unique('m5.large'),
          name: 'm5.large',
          cpuCount: 2,
          memoryMb: 8192,
          cpuArchitectures: ['x86_64'],
          ...overrides,
        },
      });
      expectStatus(res, 201, 'create instance type');
      return res.data;
    },
  } as Factories;

  build.cloudWithImage = async (overrides = {}) => {
    const cloud = await build.cloud(overrides);
    const image = await build.image(cloud.id);
    const type = await build.instanceType(cloud.id);
    return { cloud, image, type };
  };
  build.mci = async (accountId, body = {}, token) => {
    const res = await call('POST', `/v1/accounts/${accountId}/mcis`, {
      token,
      body: { name: unique('MCI'), ...body },
    });
    expectStatus(res, 201, 'create MCI');
    return res.data;
  };

  return {
    app,
    ctx: contextOf(app),
    database,
    clock,
    world,
    call,
    build,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
