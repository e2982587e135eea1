import type { Database } from '@mci/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';

const noDatabase = { kind: 'pglite', db: {}, close: async () => undefined } as unknown as Database;

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ database: noDatabase, logLevel: 'silent' });
  app.post('/echo/:id', { config: { public: true } }, async (request) => ({ id: request.id }));
  await app.ready();
});
afterAll(() => app.close());

describe('text that PostgreSQL cannot store is refused before any work', () => {
  it('a NUL character in a JSON string is a 400 naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"a\\u0000@b.c","password":"x"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'invalid_text', errors: [{ path: 'body.email' }] });
  });

  it('%00 in a path parameter or in the query is a 400 naming it', async () => {
    const inPath = await app.inject({ method: 'POST', url: '/echo/ab%00cd', payload: {} });
    expect(inPath.statusCode).toBe(400);
    expect(inPath.json().errors).toEqual([{ path: 'params.id', message: expect.stringContaining('NUL') }]);
    const inQuery = await app.inject({ method: 'POST', url: '/echo/x?q=%00', payload: {} });
    expect(inQuery.statusCode).toBe(400);
    expect(inQuery.json().errors[0].path).toBe('query.q');
  });

  it('a lone surrogate is refused, not stored altered; a real pair (an emoji) passes', async () => {
    const lone = await app.inject({
      method: 'POST',
      url: '/echo/x',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":["ok","\\ud800"]}',
    });
    expect(lone.statusCode).toBe(400);
    expect(lone.json().errors).toEqual([
      { path: 'body.name.1', message: expect.stringContaining('surrogate') },
    ]);
    const pair = await app.inject({ method: 'POST', url: '/echo/x', payload: { name: 'web 🚀' } });
    expect(pair.statusCode).toBe(200);
  });
});

describe('X-Request-Id', () => {
  it('a plain client id is kept and echoed; anything else is replaced by a generated one', async () => {
    const kept = await app.inject({
      method: 'POST',
      url: '/echo/x',
      headers: { 'x-request-id': 'ci-run.42:a_b' },
    });
    expect(kept.json().id).toBe('ci-run.42:a_b');
    expect(kept.headers['x-request-id']).toBe('ci-run.42:a_b');
    for (const bad of ['has space', 'line\u2028break', 'x'.repeat(129), '{"json":1}']) {
      const res = await app.inject({ method: 'POST', url: '/echo/x', headers: { 'x-request-id': bad } });
      expect(res.json().id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-request-id']).toBe(res.json().id);
    }
  });
});

describe('over-long URLs', () => {
  it('a path id longer than allowed answers problem+json', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/accounts/${'a'.repeat(600)}/mcis` });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 414, code: 'path_too_long' });
    const badUrl = await app.inject({ method: 'GET', url: '/v1/accounts/%E0%A4%A/mcis' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.headers['content-type']).toContain('application/problem+json');
  });
});
