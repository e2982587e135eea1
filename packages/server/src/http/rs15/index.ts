import { DomainError, NotFoundError, UnauthenticatedError } from '@mci/core';
import { identityRepository, rs15Repository } from '@mci/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { hashSecret } from '../../security/secrets.ts';
import {
  DEFAULT_AUTH_THROTTLE,
  reserveAttempt,
  throttleKeys,
  withRetryAfter,
} from '../../security/throttle.ts';
import { accountRoutes } from './accounts.ts';
import { oauthRoutes, RS_ACCOUNT_COOKIE, RS_SESSION_COOKIE } from './oauth.ts';
import { RESOURCE_ROUTES } from './resources.ts';
import { invalidParameter, parseBracketed, RsError } from './wire.ts';

export const RS_API_VERSION = '1.5';

/**
 * RightScale's API 1.5 as a second transport beside /v1 (R-RS, SPEC §9): its own body parsers,
 * authentication (OAuth access tokens or an API 1.5 session; `X-Api-Version: 1.5`; the account
 * from `X-Account` or the session) and error wording, over the same services and rules.
 * Registered under the prefix `/api`; its routes stay out of the v1 OpenAPI document.
 */
export async function rs15Plugin(api: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  api.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  registerBodyParsers(api);
  api.decorateRequest('rs', null);
  api.addHook('preHandler', async (request, reply) => {
    try {
      await authenticate(ctx, request);
    } catch (error) {
      throw withRetryAfter(reply, error);
    }
  });
  api.setErrorHandler(rsErrorHandler);
  api.setNotFoundHandler((request, reply) =>
    sendRsError(
      reply,
      new RsError(404, 'NotFound', `No route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
  oauthRoutes(api, ctx);
  accountRoutes(api, ctx);
  for (const routes of RESOURCE_ROUTES) routes(api, ctx);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** API 1.5 routes that need a signed-in user but no account (sessions, the accounts list). */
    rsNoAccount?: boolean;
  }
}

/**
 * API 1.5 clients send `Content-Type: application/json` on every call, bodiless `POST` and
 * `DELETE` included: an empty body is no parameters, not an error. Form bodies use bracketed
 * names (`server[name]=web`).
 */
function registerBodyParsers(api: FastifyInstance): void {
  api.removeContentTypeParser('application/json');
  const parseJson = (
    _req: unknown,
    body: string | Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    const text = body.toString().trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(invalidParameter('The request body is not valid JSON'), undefined);
    }
  };
  api.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  api.addContentTypeParser(/^application\/[\w.+-]+\+json$/, { parseAs: 'string' }, parseJson);
  api.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseBracketed(body as string));
  });
}

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<void> {
  const version = request.headers['x-api-version'];
  if (version !== RS_API_VERSION)
    throw invalidParameter(
      version === undefined
        ? 'Missing header X-Api-Version: send X-Api-Version: 1.5'
        : `X-Api-Version ${String(version)} is not supported: send X-Api-Version: 1.5`,
    );
  if (request.routeOptions.config.public) return;
  const principal = await principalOf(ctx, request);
  const fromHeader = request.headers['x-account'];
  const fromSession = request.cookies?.[RS_ACCOUNT_COOKIE];
  const raw = typeof fromHeader === 'string' && fromHeader !== '' ? fromHeader : fromSession;
  if (raw === undefined || raw === '') {
    if (request.routeOptions.config.rsNoAccount) {
      request.rs = { principal, accountId: '', accountNumber: 0 };
      return;
    }
    throw invalidParameter('Missing header X-Account: send the account number (GET /api/sessions/accounts)');
  }
  if (!/^\d{1,9}$/.test(raw)) throw invalidParameter(`X-Account must be an account number, not "${raw}"`);
  const accountNumber = Number(raw);
  const accountId = await rs15Repository.accountIdOfNumber(ctx.db, accountNumber);
  // A non-member learns nothing about whether the account exists.
  if (!accountId || (!principal.isSuperuser && !principal.memberships.has(accountId)))
    throw new RsError(403, 'PermissionDenied', `You do not have access to account ${accountNumber}`);
  request.rs = { principal, accountId, accountNumber };
}

async function principalOf(ctx: AppContext, request: FastifyRequest) {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <access token>"');
    const found = await identityRepository.findPrincipal(ctx.db, {
      accessTokenHash: hashSecret(match[1]),
      now: ctx.clock(),
    });
    if (found) return found;
    const rule = (ctx.authThrottle ?? DEFAULT_AUTH_THROTTLE).perClient;
    await reserveAttempt(ctx, throttleKeys.tokenClient(request.ip), rule, 'API tokens from this client');
    throw new UnauthenticatedError(
      'The access token is not valid or has expired: get a new one from POST /api/oauth2',
    );
  }
  const session = request.cookies?.[RS_SESSION_COOKIE];
  const found =
    session &&
    (await identityRepository.findPrincipal(ctx.db, { sessionHash: hashSecret(session), now: ctx.clock() }));
  if (found) return found;
  throw new UnauthenticatedError(
    'Authentication is required: send "Authorization: Bearer <access token>" (POST /api/oauth2) or sign in with POST /api/sessions',
  );
}

/** How API 1.5 names the service's resource kinds in `ResourceNotFound` errors. */
const RS_CLASS_NAMES: Record<string, string> = {
  account: 'Account',
  cloud: 'Cloud',
  image: 'Image',
  'instance type': 'InstanceType',
  MCI: 'MultiCloudImage',
  'setting for cloud': 'MultiCloudImageSetting',
  'server template': 'ServerTemplate',
  'MCI link': 'ServerTemplateMultiCloudImage',
  deployment: 'Deployment',
  server: 'Server',
  instance: 'Instance',
  publication: 'Publication',
  'account group': 'AccountGroup',
};

/** A domain error as API 1.5 words it (status, `ErrorType`, message). */
export function toRsError(error: unknown): RsError | undefined {
  if (error instanceof RsError) return error;
  if (!(error instanceof DomainError)) return undefined;
  if (error instanceof NotFoundError) {
    const what = String(error.details?.resource ?? 'resource');
    return new RsError(
      422,
      'ResourceNotFound',
      `Couldn't find ${RS_CLASS_NAMES[what] ?? what} with ID=${String(error.details?.id ?? '')}`,
    );
  }
  const fields = error.errors?.length
    ? ` (${error.errors.map((e) => `${e.path}: ${e.message}`).join('; ')})`
    : '';
  const message = `${error.message}${fields}`;
  switch (error.status) {
    case 400:
    case 413:
      return new RsError(error.status, 'InvalidParameter', message);
    case 401:
      return new RsError(401, 'Unauthorized', message);
    case 403:
      return new RsError(403, 'PermissionDenied', message);
    case 429:
      return new RsError(429, 'TooManyRequests', message);
    case 502:
      return new RsError(422, 'CloudException', message);
    default:
      // Refused rules (422), conflicts (409) and failed preconditions: API 1.5 says 422.
      return new RsError(422, 'ActionNotAllowed', message);
  }
}

function sendRsError(reply: FastifyReply, error: RsError): FastifyReply {
  return reply.status(error.status).type('text/plain; charset=utf-8').send(`${error.type}: ${error.message}`);
}

function rsErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = toRsError(error);
  if (known) return sendRsError(reply, known);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    const type = error.statusCode === 415 ? 'UnsupportedMediaType' : 'InvalidParameter';
    return sendRsError(reply, new RsError(error.statusCode, type, error.message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendRsError(
    reply,
    new RsError(500, 'InternalServerError', `An unexpected error occurred (request ${request.id})`),
  );
}
