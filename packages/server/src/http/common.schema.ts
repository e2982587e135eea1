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

export const idParam = z.string().min(1).max(100);

export const nameField = z.string().trim().min(1).max(LIMITS.nameLength);
export const descriptionField = z.string().max(LIMITS.descriptionLength);

/** Error responses every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  412: problemSchema,
  413: problemSchema,
  422: problemSchema,
} as const;
