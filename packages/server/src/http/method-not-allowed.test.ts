import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  // No request here reaches a handler, so the app needs no database.
  app = await buildApp({
    database: { kind: 'pglite', db: {} as never, close: async () => undefined },
    logLevel: 'silent',
  });
  await app.ready();
});
afterAll(async () => app.close());

describe('a method an API path does not have (RFC 9110 §15.5.6)', () => {
  it('answers 405 problem+json with Allow listing the methods the path has', async () => {
    const r = await app.inject({ method: 'PUT', url: '/v1/accounts/acc_1/mcis/mci_1/settings' });
    expect(r.statusCode).toBe(405);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.headers.allow).toBe('POST');
    expect(r.json()).toMatchObject({ status: 405, code: 'method_not_allowed' });
  });

  it('counts GET routes as GET and HEAD, and works for a path the dashboard would catch', async () => {
    const trace = await app.inject({ method: 'TRACE', url: '/v1/users' });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers.allow).toBe('GET, HEAD, POST');
    const get = await app.inject({ method: 'GET', url: '/v1/session' });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('DELETE, POST');
  });

  it('takes a static segment over a parameter, as the router does', async () => {
    const r = await app.inject({ method: 'OPTIONS', url: '/v1/accounts/acc_1/server-templates/apply' });
    expect(r.statusCode).toBe(405);
    expect(r.headers.allow).toBe('POST');
  });

  it('leaves unknown paths a 404', async () => {
    const r = await app.inject({ method: 'GET', url: '/v1/no-such-thing' });
    expect(r.statusCode).toBe(404);
    expect(r.headers.allow).toBeUndefined();
  });
});
