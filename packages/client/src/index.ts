import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type { components, paths };
export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;

/**
 * A typed client of the MultiCloud Images API, generated from the committed OpenAPI document.
 * Pass a token for scripts; the dashboard relies on its session cookie instead.
 */
export function createApiClient(options: {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}): ApiClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : undefined,
    fetch: options.fetch,
  });
}
