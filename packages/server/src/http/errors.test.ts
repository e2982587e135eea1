import type { Database } from '@mci/db';
import { ConflictError } from '@mci/core';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const noDatabase = { kind: 'pglite', db: {}, close: async () => undefined } as unknown as Database;

async function appWith(handler: () => unknown) {
  const app = await buildApp({ database: noDatabase, logLevel: 'silent' });
  app.get('/boom', { config: { public: true } }, async () => handler());
  await app.ready();
  return app;
}

describe('error mapping (problem+json)', () => {
  it('an unknown error is a generic 500: no message or stack leaks to the caller', async () => {
    const app = await appWith(() => {
      throw new Error('secret connection string postgres://u:p@db');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 500,
      code: 'internal_error',
      detail: 'An unexpected error occurred',
    });
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('at ');
    await app.close();
  });

  it('a domain error keeps its status, code, field errors and details', async () => {
    const app = await appWith(() => {
      throw new ConflictError('duplicate_cloud', 'cloud X already has a setting', {
        errors: [{ path: 'cloudId', message: 'taken' }],
        details: { cloudId: 'cld_x' },
      });
    });
    const res = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'req-1' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      type: 'https://multicloud-images.dev/problems/duplicate_cloud',
      title: 'Conflict',
      status: 409,
      detail: 'cloud X already has a setting',
      code: 'duplicate_cloud',
      requestId: 'req-1',
      errors: [{ path: 'cloudId', message: 'taken' }],
      cloudId: 'cld_x',
    });
    await app.close();
  });
});
