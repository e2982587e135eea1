/**
 * RightScale API 1.5 on the wire (R-RS): its parameters (bracketed form fields, JSON bodies and
 * query strings alike), `filter[]=` and `view=`, its media types, host-relative hrefs, `links`
 * and `actions`, Ruby-style timestamps, and its errors (plain text `ErrorType: message`).
 * Every resource file of the facade speaks through these, so the clients see one dialect.
 */
import type { Principal } from '@mci/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import qs from 'qs';
import { z } from 'zod';

/** An API 1.5 error: its status and the error type it is worded with (`ResourceNotFound: …`). */
export class RsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'RsError';
  }
}

export const invalidParameter = (message: string) => new RsError(400, 'InvalidParameter', message);

/** API 1.5 answers a missing (or unreadable) resource with 422, naming its class and id. */
export const resourceNotFound = (kind: string, id: string) =>
  new RsError(422, 'ResourceNotFound', `Couldn't find ${kind} with ID=${id}`);

/** Who calls and in which account: set by the facade's authentication hook on every route. */
export interface RsCaller {
  principal: Principal;
  /** The service's account id the call acts in. */
  accountId: string;
  /** Its API 1.5 number (`X-Account`). */
  accountNumber: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    rs: RsCaller | null;
  }
}

export function callerOf(request: FastifyRequest): RsCaller {
  if (!request.rs) throw new RsError(401, 'Unauthorized', 'Authentication is required');
  return request.rs;
}

// ---------------------------------------------------------------- parameters

/** Nested parameters as API 1.5 clients send them: `a[b][c]=v`, `filter[]=x`, or a JSON body. */
export type RsParams = Record<string, unknown>;

const QS_OPTIONS = { depth: 6, arrayLimit: 1000, parameterLimit: 2000, allowDots: false } as const;

/** Parses a query string or form body with bracketed names into nested objects and arrays. */
export function parseBracketed(text: string): RsParams {
  return qs.parse(text, QS_OPTIONS) as RsParams;
}

/** All parameters of a request: the query string's, then the body's (JSON or form) over them. */
export function paramsOf(request: FastifyRequest): RsParams {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  const query = at >= 0 ? parseBracketed(url.slice(at + 1)) : {};
  const body = request.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) return { ...query, ...(body as RsParams) };
  return query;
}

/** `multi_cloud_image.name` → `multi_cloud_image[name]`, the way API 1.5 names a parameter. */
export function bracketPath(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return (head ?? '') + rest.map((p) => `[${p}]`).join('');
}

/** The value at a parameter path (zod's issues do not carry the input). */
function valueAt(params: RsParams, path: readonly PropertyKey[]): unknown {
  let at: unknown = params;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/**
 * Checks parameters against an endpoint's zod schema; a violation is a 400 `InvalidParameter`
 * naming each parameter the API 1.5 way and saying what is wrong with it.
 */
export function parseParams<S extends z.ZodType>(schema: S, params: RsParams): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = bracketPath(issue.path);
    const missing = issue.code === 'invalid_type' && valueAt(params, issue.path) === undefined;
    return missing ? `Missing required parameter ${name}` : `${name || 'parameters'}: ${issue.message}`;
  });
  throw invalidParameter(lines.join('; '));
}

/** A text parameter (clients send every value as a string; numbers are taken as their text). */
export const rsText = (max = 4096) =>
  z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().max(max));

/** A non-blank text parameter. */
export const rsName = (max = 255) =>
  z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : v),
    z.string().trim().min(1, 'must not be blank').max(max),
  );

/** A boolean parameter as clients send it: true/false, "true"/"false", "1"/"0". */
export const rsBoolean = z.preprocess((v) => {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return v;
}, z.boolean());

/** A list parameter: `x[]=a&x[]=b`, a JSON array, or one value. */
export const rsList = <T extends z.ZodType>(item: T, max = 1000) =>
  z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item).max(max));

// ---------------------------------------------------------------- filters and views

export type FilterSpec = Record<string, { partial?: boolean }>;

export interface RsFilter {
  field: string;
  /** `<>`: the resource must not match. */
  negate: boolean;
  value: string;
  partial: boolean;
}

/**
 * `filter[]=name==web` and `filter[]=name<>web`: only the fields the index names, 400 naming
 * the filter otherwise. Fields marked `partial` match a part of the value, case-insensitively.
 */
export function parseFilters(params: RsParams, spec: FilterSpec): RsFilter[] {
  const raw = params.filter;
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : typeof raw === 'object' && raw ? Object.values(raw) : [raw];
  return list.map((entry) => {
    if (typeof entry !== 'string') throw invalidParameter('filter must be a list of "field==value"');
    const match = /^([a-z_]+)(==|<>)(.*)$/s.exec(entry);
    if (!match) throw invalidParameter(`filter "${entry}" must have the form field==value or field<>value`);
    const [, field, op, value] = match;
    const known = spec[field];
    if (!known) {
      const names = Object.keys(spec);
      throw invalidParameter(
        `filter "${field}" is not supported here; supported: ${names.length ? names.join(', ') : 'none'}`,
      );
    }
    return { field, negate: op === '<>', value, partial: known.partial ?? false };
  });
}

/** Whether a resource passes every filter; `valueOf` reads the resource's field as text. */
export function matchesFilters(
  filters: readonly RsFilter[],
  valueOf: (field: string) => string | number | boolean | null | undefined,
): boolean {
  return filters.every((f) => {
    const raw = valueOf(f.field);
    const actual = raw === null || raw === undefined ? '' : String(raw);
    const hit = f.partial ? actual.toLowerCase().includes(f.value.toLowerCase()) : actual === f.value;
    return f.negate ? !hit : hit;
  });
}

/** The one `==` value of a field's filters, when there is exactly one (to narrow a query). */
export function exactFilter(filters: readonly RsFilter[], field: string): string | undefined {
  const found = filters.filter((f) => f.field === field && !f.negate && !f.partial);
  return found.length === 1 ? found[0].value : undefined;
}

/** The one positive partial filter on a field (narrows a name query), if there is exactly one. */
export function partialFilter(filters: readonly RsFilter[], field: string): string | undefined {
  const found = filters.filter((f) => f.field === field && !f.negate);
  return found.length === 1 && found[0].value !== '' ? found[0].value : undefined;
}

/** `view=`: one of the views the action has (API 1.5 answers 400 for another). */
export function parseView<V extends string>(params: RsParams, views: readonly V[]): V {
  const view = params.view;
  if (view === undefined || view === '') return views[0];
  if (typeof view === 'string' && (views as readonly string[]).includes(view)) return view as V;
  throw invalidParameter(`view must be one of ${views.join(', ')}`);
}

// ---------------------------------------------------------------- hrefs

/** Host-relative hrefs of every resource the facade serves. */
export const hrefs = {
  account: (n: number) => `/api/accounts/${n}`,
  session: () => '/api/sessions',
  user: (id: string) => `/api/users/${id}`,
  cloud: (id: string) => `/api/clouds/${id}`,
  image: (cloudId: string, id: string) => `/api/clouds/${cloudId}/images/${id}`,
  instanceType: (cloudId: string, id: string) => `/api/clouds/${cloudId}/instance_types/${id}`,
  mci: (id: string) => `/api/multi_cloud_images/${id}`,
  /** A setting is named by its cloud within its MCI (one setting per cloud, R-MCI-2). */
  mciSetting: (mciId: string, cloudId: string) => `/api/multi_cloud_images/${mciId}/settings/${cloudId}`,
  serverTemplate: (id: string) => `/api/server_templates/${id}`,
  serverTemplateMci: (linkId: string) => `/api/server_template_multi_cloud_images/${linkId}`,
  publication: (id: string) => `/api/publications/${id}`,
  accountGroup: (id: string) => `/api/account_groups/${id}`,
  deployment: (id: string) => `/api/deployments/${id}`,
  server: (id: string) => `/api/servers/${id}`,
} as const;

const HREF_SHAPES = {
  cloud: /^\/api\/clouds\/([^/?#]+)$/,
  image: /^\/api\/clouds\/([^/?#]+)\/images\/([^/?#]+)$/,
  instanceType: /^\/api\/clouds\/([^/?#]+)\/instance_types\/([^/?#]+)$/,
  mci: /^\/api\/multi_cloud_images\/([^/?#]+)$/,
  mciSetting: /^\/api\/multi_cloud_images\/([^/?#]+)\/settings\/([^/?#]+)$/,
  serverTemplate: /^\/api\/server_templates\/([^/?#]+)$/,
  serverTemplateMci: /^\/api\/server_template_multi_cloud_images\/([^/?#]+)$/,
  publication: /^\/api\/publications\/([^/?#]+)$/,
  accountGroup: /^\/api\/account_groups\/([^/?#]+)$/,
  deployment: /^\/api\/deployments\/([^/?#]+)$/,
  server: /^\/api\/servers\/([^/?#]+)$/,
  account: /^\/api\/accounts\/(\d+)$/,
} as const;

export type HrefKind = keyof typeof HREF_SHAPES;

/** The path of an href, host-relative or absolute (`https://host/api/…` → `/api/…`). */
export function pathOf(href: string): string {
  if (href.startsWith('/')) return href;
  try {
    return new URL(href).pathname;
  } catch {
    return href;
  }
}

/**
 * The ids in an href of the given kind (`/api/clouds/c1/images/i1` → ['c1', 'i1']), or a 400
 * naming the parameter when the href has another shape.
 */
export function idsOfHref(kind: HrefKind, href: unknown, param: string): string[] {
  const shape = HREF_SHAPES[kind];
  const match = typeof href === 'string' ? shape.exec(pathOf(href.trim())) : null;
  if (!match) throw invalidParameter(`${param} must be an href like ${exampleHref(kind)}`);
  return match.slice(1).map(decodeURIComponent);
}

export function idOfHref(kind: HrefKind, href: unknown, param: string): string {
  return idsOfHref(kind, href, param).at(-1) as string;
}

/** Which kind an href names, if any (tags take hrefs of any resource). */
export function kindOfHref(href: string): { kind: HrefKind; ids: string[] } | undefined {
  const path = pathOf(href);
  for (const [kind, shape] of Object.entries(HREF_SHAPES)) {
    const match = shape.exec(path);
    if (match) return { kind: kind as HrefKind, ids: match.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

function exampleHref(kind: HrefKind): string {
  return HREF_SHAPES[kind].source
    .replace(/^\^|\$$/g, '')
    .replace(/\\\//g, '/')
    .replace(/\(\[\^\/\?#\]\+\)/g, ':id')
    .replace(/\(\\d\+\)/g, ':id');
}

// ---------------------------------------------------------------- presenting

export interface RsLink {
  rel: string;
  href: string;
  inherited_source?: string;
}

/** `links`: `self` first, then each relation that has an href. */
export function linksOf(self: string, rels: Record<string, string | null | undefined> = {}): RsLink[] {
  const out: RsLink[] = [{ rel: 'self', href: self }];
  for (const [rel, href] of Object.entries(rels)) if (href) out.push({ rel, href });
  return out;
}

/** `actions`: the contextual actions the caller may take on the resource right now. */
export function actionsOf(names: readonly (string | false | null | undefined)[]): { rel: string }[] {
  return names.filter((n): n is string => Boolean(n)).map((rel) => ({ rel }));
}

/** Ruby's `Time#to_s` in UTC, as API 1.5 writes timestamps: `2019/06/07 04:51:02 +0000`. */
export function rubyTime(value: Date | string): string;
export function rubyTime(value: Date | string | null | undefined): string | undefined;
export function rubyTime(value: Date | string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const d = typeof value === 'string' ? new Date(value) : value;
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

/** The media type of a resource or of a collection of them. */
export function mediaType(type: string, collection = false): string {
  return `application/vnd.rightscale.${type}+json${collection ? ';type=collection' : ''}`;
}

/** Leaves out attributes that are undefined (API 1.5 omits what a resource does not have). */
function compact<T extends object>(body: T): T {
  return JSON.parse(JSON.stringify(body)) as T;
}

export function sendResource(reply: FastifyReply, type: string, body: object): FastifyReply {
  return reply.type(mediaType(type)).send(Buffer.from(JSON.stringify(compact(body))));
}

export function sendCollection(reply: FastifyReply, type: string, items: readonly object[]): FastifyReply {
  return reply.type(mediaType(type, true)).send(Buffer.from(JSON.stringify(items.map(compact))));
}

/** `201 Created` with a host-relative `Location` and no body (create, clone, commit, import). */
export function sendCreated(reply: FastifyReply, href: string): FastifyReply {
  return reply.status(201).header('location', href).type('text/plain').send('');
}

/** `204 No Content` (update, destroy, make_default, launch…). */
export function sendNoContent(reply: FastifyReply): FastifyReply {
  return reply.status(204).send();
}

/** Every page of a keyset-paged service list (API 1.5 indexes are not paged), up to `max` rows. */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  max = 10_000,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { items, nextCursor } = await page(cursor);
    out.push(...items);
    if (!nextCursor) return out;
    if (out.length >= max)
      throw invalidParameter(`more than ${max} resources match: narrow the index with filter[]`);
    cursor = nextCursor;
  }
}
