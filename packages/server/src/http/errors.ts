import { DomainError, type FieldError } from '@mci/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** An RFC 9457 problem for this request (every error of the service has this shape). */
export function problem(
  request: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  extra: { errors?: FieldError[]; details?: Record<string, unknown> } = {},
): Problem {
  return {
    type: `https://multicloud-images.dev/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    requestId: request.id,
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.details ?? {}),
  };
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.status(body.status).type('application/problem+json').send(body);
}

/** Fastify's own client errors (bad JSON, body too large, wrong content type) by code. */
const FASTIFY_CODES: Record<string, { code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'malformed_json',
    detail: 'The request declares JSON but its body is empty',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', detail: 'The request body is larger than allowed' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    detail: 'Send the request body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_content_length',
    detail: 'The Content-Length header does not match the body',
  },
};

/** Renders a domain error's transport-free `details.hint` as this transport words it. */
export type HintRenderer = (hint: Record<string, unknown>, request: FastifyRequest) => string | undefined;

/**
 * The one mapping from errors to HTTP problems: domain errors keep their status and code, schema
 * violations become 400 with one entry per field, and anything unknown is a generic 500 whose
 * stack goes only to the log. A transport (the v1 plugin) passes how it words hints.
 */
export function problemHandler(renderHint?: HintRenderer) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof DomainError) {
      const { hint, ...details } = error.details ?? {};
      const rendered =
        hint && typeof hint === 'object' && renderHint
          ? renderHint(hint as Record<string, unknown>, request)
          : undefined;
      return sendProblem(
        reply,
        problem(request, error.status, error.code, error.message, {
          errors: error.errors,
          details: rendered ? { ...details, hint: rendered } : details,
        }),
      );
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const errors = error.validation.map((v) => ({
        path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'is invalid',
      }));
      const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      return sendProblem(
        reply,
        problem(request, 400, 'validation_failed', `Invalid request: ${summary}`, { errors }),
      );
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
      return sendProblem(reply, problem(request, 500, 'internal_error', 'An unexpected error occurred'));
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known && error.statusCode && error.statusCode < 500) {
      return sendProblem(reply, problem(request, error.statusCode, known.code, known.detail));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const code = (error.code ?? 'bad_request').toLowerCase().replace(/^fst_err_/, '');
      return sendProblem(reply, problem(request, error.statusCode, code, error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem(request, 500, 'internal_error', 'An unexpected error occurred'));
  };
}

/**
 * Errors fastify's router raises before any route or hook runs (a path parameter longer than
 * allowed, a URL that does not decode): problem+json like every other error.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  return sendProblem(
    reply,
    tooLong
      ? problem(request, 414, 'path_too_long', 'A path segment of the URL is longer than any id')
      : problem(request, 400, 'bad_url', 'The URL does not decode to a valid path'),
  );
}

/** The root's error and not-found handlers (transports set their own error handler inside). */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(problemHandler());

  app.setNotFoundHandler((request, reply) => {
    // The dashboard routes in the browser: an unknown page (not the API) gets its index.html.
    const path = request.url.split('?')[0];
    if (
      request.method === 'GET' &&
      !path.startsWith('/v1/') &&
      (request.headers.accept ?? '').includes('text/html') &&
      typeof (reply as { sendFile?: unknown }).sendFile === 'function'
    ) {
      return (reply as unknown as { sendFile(file: string): FastifyReply }).sendFile('index.html');
    }
    return sendProblem(reply, problem(request, 404, 'route_not_found', `No route ${request.method} ${path}`));
  });
}
