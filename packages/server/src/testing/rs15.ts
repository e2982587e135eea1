import { expect } from 'vitest';
import { rs15Repository } from '@mci/db';
import type { Harness } from './harness.ts';

export interface RsResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The raw body (plain text `ErrorType: message` for errors). */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  data: any;
}

export interface RsClient {
  accountNumber: number;
  /**
   * Sends an API 1.5 call the way rsc does: `X-Api-Version: 1.5`, `X-Account`, the access token,
   * `Content-Type: application/json` on every call; `params` go in the query string for GET and
   * in the JSON body otherwise (`{ multi_cloud_image: { name } }` or bracketed names).
   */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    params?: Record<string, unknown>,
    opts?: { headers?: Record<string, string>; form?: boolean },
  ): Promise<RsResponse>;
}

/** The API 1.5 number of a service account (X-Account). */
export async function accountNumberOf(h: Harness, accountId: string): Promise<number> {
  const n = (await rs15Repository.numbersOfAccounts(h.ctx.db, [accountId])).get(accountId);
  if (n === undefined) throw new Error(`account ${accountId} has no API 1.5 number`);
  return n;
}

function toQuery(params: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(params).flatMap(([key, value]) => {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (Array.isArray(value))
      return value.map((v) => `${encodeURIComponent(`${name}[]`)}=${encodeURIComponent(String(v))}`);
    if (value && typeof value === 'object') return toQuery(value as Record<string, unknown>, name);
    return [`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`];
  });
}

/** Signs in to API 1.5 with `apiToken` as the refresh token (POST /api/oauth2) for `accountId`. */
export async function rsClient(h: Harness, apiToken: string, accountId: string): Promise<RsClient> {
  const accountNumber = await accountNumberOf(h, accountId);
  const auth = await h.app.inject({
    method: 'POST',
    url: '/api/oauth2',
    headers: { 'x-api-version': '1.5', 'content-type': 'application/json' },
    payload: JSON.stringify({ grant_type: 'refresh_token', refresh_token: apiToken }),
  });
  if (auth.statusCode !== 200) throw new Error(`oauth2: ${auth.statusCode} ${auth.body}`);
  const accessToken = (JSON.parse(auth.body) as { access_token: string }).access_token;
  return {
    accountNumber,
    async call(method, path, params = {}, opts = {}) {
      const query = method === 'GET' ? toQuery(params).join('&') : '';
      const url = query ? `${path}?${query}` : path;
      const payload =
        method === 'GET'
          ? undefined
          : opts.form
            ? toQuery(params).join('&')
            : Object.keys(params).length
              ? JSON.stringify(params)
              : undefined;
      const res = await h.app.inject({
        method,
        url,
        headers: {
          'x-api-version': '1.5',
          'x-account': String(accountNumber),
          authorization: `Bearer ${accessToken}`,
          'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json',
          ...opts.headers,
        },
        payload,
      });
      let data: unknown;
      try {
        data = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        data = undefined;
      }
      return { status: res.statusCode, headers: res.headers, body: res.body, data };
    },
  };
}

/** A creation the API 1.5 way: 201, an empty body and a host-relative `Location` of that shape. */
export function expectCreated(res: RsResponse, shape: RegExp): string {
  expect(res.status, res.body).toBe(201);
  const location = String(res.headers.location ?? '');
  expect(location).toMatch(shape);
  expect(res.body).toBe('');
  return location;
}

/** A refusal the API 1.5 way: its status and plain text `ErrorType: message`. */
export function expectRsError(res: RsResponse, status: number, type: string, text?: RegExp): void {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  expect(res.body).toMatch(new RegExp(`^${type}: `));
  if (text) expect(res.body).toMatch(text);
}
