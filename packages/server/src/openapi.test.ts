import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';

describe('the OpenAPI document (SPEC §5)', () => {
  it('is OpenAPI 3.1 and matches the committed openapi.json (run `npm run gen` after changing a schema)', async () => {
    const doc = (await openApiDocument()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    const committed = JSON.parse(await readFile(new URL('../openapi.json', import.meta.url), 'utf8'));
    expect(JSON.parse(JSON.stringify(doc))).toEqual(committed);
  });

  it('describes every endpoint of SPEC §5 built so far', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    for (const op of [
      'GET /v1/me',
      'POST /v1/session',
      'DELETE /v1/session',
      'POST /v1/users',
      'POST /v1/users/{id}/tokens',
      'POST /v1/accounts',
      'GET /v1/accounts',
      'GET /v1/accounts/{a}/members',
      'PUT /v1/accounts/{a}/members/{userId}',
      'DELETE /v1/accounts/{a}/members/{userId}',
      'POST /v1/clouds',
      'GET /v1/clouds',
      'GET /v1/clouds/{c}/images',
      'POST /v1/clouds/{c}/images',
      'GET /v1/clouds/{c}/images/{id}',
      'PATCH /v1/clouds/{c}/images/{id}',
      'POST /v1/clouds/{c}/instance-types',
      'GET /v1/clouds/{c}/instance-types',
      'GET /v1/accounts/{a}/audit',
    ]) {
      expect(ops).toContain(op);
    }
  });

  it('documents every error answer as application/problem+json, as it is sent (RFC 9457)', async () => {
    type Responses = Record<string, { content?: Record<string, unknown> }>;
    const doc = (await openApiDocument()) as {
      paths: Record<string, Record<string, { responses: Responses }>>;
    };
    const wrong: string[] = [];
    let errors = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          errors++;
          const types = Object.keys(response.content ?? {});
          if (types.length !== 1 || types[0] !== 'application/problem+json')
            wrong.push(`${method.toUpperCase()} ${path} ${status}: ${types.join(', ') || 'no content'}`);
        }
      }
    }
    expect(errors).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  it('documents the statuses every operation can answer (414, 415, 429, 503 and 401 included)', async () => {
    const doc = (await openApiDocument()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const status of ['400', '401', '404', '414', '415', '429', '503']) {
          if (!(status in op.responses)) missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
