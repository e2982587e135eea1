import { UnauthenticatedError, type Principal } from '@mci/core';
import { identityRepository } from '@mci/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { hashSecret } from '../security/secrets.ts';
import { DEFAULT_AUTH_THROTTLE, reserveAttempt, throttleKeys, withRetryAfter } from '../security/throttle.ts';

export const SESSION_COOKIE = 'mci_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes reachable without credentials: health, login, the OpenAPI document (and /docs, the UI). */
    public?: boolean;
  }
}

/**
 * Resolves the caller from `Authorization: Bearer <token>` or the session cookie before any
 * handler of the scope it is registered in runs (a transport plugin); routes not marked
 * `public` get a 401 without one. Health, the API docs and the dashboard live outside.
 */
export function registerAuthentication(scope: FastifyInstance, ctx: AppContext): void {
  if (!scope.hasRequestDecorator('principal')) scope.decorateRequest('principal', null);
  scope.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    try {
      request.principal = await resolvePrincipal(request, ctx);
    } catch (error) {
      throw withRetryAfter(reply, error);
    }
    if (!request.principal) throw new UnauthenticatedError();
  });
}

async function resolvePrincipal(request: FastifyRequest, ctx: AppContext): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
    const found = await identityRepository.findPrincipal(ctx.db, {
      tokenHash: hashSecret(match[1]),
      now: ctx.clock(),
    });
    if (found) return found;
    // Unknown tokens count against the client; past the limit they answer 429 instead of 401.
    // A valid token is never refused: tokens are 256-bit, and a client sharing an address with a
    // guesser (NAT, CI runners) keeps working (ADR 009).
    const rule = (ctx.authThrottle ?? DEFAULT_AUTH_THROTTLE).perClient;
    await reserveAttempt(ctx, throttleKeys.tokenClient(request.ip), rule, 'API tokens from this client');
    throw new UnauthenticatedError('The API token is not valid');
  }
  const session = request.cookies[SESSION_COOKIE];
  if (session) {
    return (
      (await identityRepository.findPrincipal(ctx.db, {
        sessionHash: hashSecret(session),
        now: ctx.clock(),
      })) ?? null
    );
  }
  return null;
}

/** The authenticated caller of a non-public route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError();
  return request.principal;
}
