import { InputError, type FieldError } from '@mci/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A client-chosen request id is kept only in this form (it ends up in every log line). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id: the client's `X-Request-Id` when it is short and plain, else a new UUID. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/** Why a string cannot be stored as text, or undefined when it can. */
function flawOf(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (!value.isWellFormed()) return 'must be valid Unicode (it contains a lone surrogate)';
  return undefined;
}

const MAX_FLAWS = 20;

/** Collects the paths of strings (keys included) that PostgreSQL's text cannot hold unchanged. */
function collectFlaws(value: unknown, path: string, into: FieldError[]): void {
  if (into.length >= MAX_FLAWS) return;
  if (typeof value === 'string') {
    const flaw = flawOf(value);
    if (flaw) into.push({ path, message: flaw });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectFlaws(item, `${path}.${i}`, into));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyFlaw = flawOf(key);
      if (keyFlaw) into.push({ path: `${path}.${JSON.stringify(key)}`, message: `key ${keyFlaw}` });
      collectFlaws(item, `${path}.${key}`, into);
    }
  }
}

/** Every NUL character or lone surrogate in a request's path parameters, query and body. */
export function textFlaws(request: Pick<FastifyRequest, 'params' | 'query' | 'body'>): FieldError[] {
  const flaws: FieldError[] = [];
  collectFlaws(request.params, 'params', flaws);
  collectFlaws(request.query, 'query', flaws);
  collectFlaws(request.body, 'body', flaws);
  return flaws;
}

/**
 * Refuses, before validation and before any database work, text that cannot be stored as it was
 * sent: a NUL character (`\u0000`, `%00`) or a lone UTF-16 surrogate. Either would be a 500 from
 * PostgreSQL or silently altered text; the client gets a 400 naming each field instead.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const flaws = textFlaws(request);
    if (flaws.length === 0) return;
    throw new InputError(
      'invalid_text',
      `Invalid request: ${flaws.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      { status: 400, errors: flaws },
    );
  });
}
