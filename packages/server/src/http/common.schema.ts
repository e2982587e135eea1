import { LIMITS } from '@mci/core';
import { z } from 'zod';

/** RFC 9457 problem details, as every error of this API is sent. */
export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable snake_case error code to branch on'),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

/** `limit` and `cursor`, taken by every list (SPEC §5). */
export const pageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(LIMITS.pageSizeMax)
    .default(LIMITS.pageSizeDefault)
    .describe(`Page size, 1–${LIMITS.pageSizeMax}`),
  cursor: z.string().max(1000).optional().describe('nextCursor from the previous page'),
};

/** `{items, nextCursor}`: the shape of every list response. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * An id in a path, query or body. The ids this service mints are `<kind>_<ULID>`; the document
 * says ids are URL-safe words, and anything else simply names nothing (404, or 422 in a body).
 */
const ID_PATTERN = '^[A-Za-z0-9_-]+$';
export const idParam = z.string().min(1).max(100).meta({ pattern: ID_PATTERN });

/**
 * An id that filters a list. Checked, not only documented: a filter that names nothing would
 * answer an empty page, which hides a malformed value; a malformed one is a 400 instead.
 */
export const idFilter = z
  .string()
  .min(1)
  .max(100)
  .regex(new RegExp(ID_PATTERN), 'is not an id of this service');

/**
 * What JavaScript's `trim()` removes (WhiteSpace and LineTerminator of ECMA-262), spelled out so
 * that every regex dialect reading the OpenAPI document agrees with the server.
 */
const TRIMMED = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** JSON Schema `pattern` of a text that is not blank: it holds a character `trim()` keeps. */
export const NOT_BLANK_PATTERN = `[^${TRIMMED}]`;

/**
 * Required text: trimmed, then 1–`max` characters. The document says it may not be blank, as
 * the server checks it (a `minLength` of 1 alone would let whitespace pass as valid).
 */
export function requiredText(max: number) {
  return z.string().trim().min(1).max(max).meta({ pattern: NOT_BLANK_PATTERN });
}

/** An array whose items must not repeat, documented as `uniqueItems`. */
export function distinct<T extends z.ZodType>(items: z.ZodArray<T>, message: string) {
  return items.refine((list) => new Set(list).size === list.length, message).meta({ uniqueItems: true });
}

/** A PATCH body that must name at least one field, documented as `minProperties: 1`. */
export function atLeastOneField<T extends z.ZodObject>(body: T) {
  return body
    .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
    .meta({ minProperties: 1 });
}

/** The largest revision number (and other counter) a column of PostgreSQL's `integer` holds. */
export const MAX_INT32 = 2_147_483_647;

export const nameField = requiredText(LIMITS.nameLength);
export const descriptionField = z.string().max(LIMITS.descriptionLength);

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** One documented error status: a problem, sent as application/problem+json. */
function problemResponse(description: string) {
  return { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema } } };
}

/**
 * Error responses every route may give, for the OpenAPI document and the serializer (the content
 * form makes fastify serialize by the problem media type, and the document say it). Statuses come
 * from the one error handler (domain errors, validation, fastify's own client errors), the router
 * (414 for an over-long path segment), the start-up gate (503) and the rate limiter (429).
 */
export const errorResponses = {
  400: problemResponse(
    'Bad Request: the request is malformed or fails validation (`errors` names each field)',
  ),
  401: problemResponse('Unauthorized: no valid session or API token'),
  403: problemResponse('Forbidden: the caller may not do this'),
  404: problemResponse('Not Found'),
  409: problemResponse('Conflict with the current state'),
  412: problemResponse('Precondition Failed: the If-Match ETag is not the current one'),
  413: problemResponse('Content Too Large: the request body is larger than allowed'),
  414: problemResponse('URI Too Long: a path segment is longer than any id'),
  415: problemResponse('Unsupported Media Type: send the body as application/json'),
  422: problemResponse('Unprocessable Content: the request is well-formed but breaks a rule'),
  429: problemResponse('Too Many Requests: wait for Retry-After seconds'),
  503: problemResponse('Service Unavailable: the service is starting'),
} as const;
