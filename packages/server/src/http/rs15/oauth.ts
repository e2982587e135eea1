import { UnauthenticatedError } from '@mci/core';
import { rs15Repository } from '@mci/db';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { createSession } from '../../modules/identity/identity.service.ts';
import { hashSecret, newSecret } from '../../security/secrets.ts';
import {
  DEFAULT_AUTH_THROTTLE,
  reserveAttempt,
  throttleKeys,
  withRetryAfter,
} from '../../security/throttle.ts';
import {
  callerOf,
  hrefs,
  idOfHref,
  linksOf,
  paramsOf,
  parseParams,
  rsName,
  rsText,
  sendNoContent,
  sendResource,
} from './wire.ts';

/** API 1.5 access tokens live two hours, as RightScale's did; the refresh token is an API token. */
export const RS_ACCESS_TOKEN_TTL_SECONDS = 7200;
export const RS_SESSION_COOKIE = 'rs_session';
/** The account a session acts in (from `account_href`); `X-Account` overrides it per call. */
export const RS_ACCOUNT_COOKIE = 'rs_account';

const oauthBody = z.object({
  grant_type: z.literal('refresh_token', { message: 'must be refresh_token' }),
  refresh_token: rsText(512).pipe(z.string().min(1, 'must not be blank')),
});

const sessionBody = z.object({
  email: rsName(320),
  password: rsText(1024),
  account_href: rsText(255),
});

/**
 * `POST /api/oauth2` (refresh-token grant, JSON or form body) → exactly `{access_token,
 * expires_in, token_type}`; `POST /api/sessions` (email, password, account_href) → 204 with the
 * session cookies; `GET /api/sessions` shows the session (clients call it to check sign-in).
 */
export function oauthRoutes(api: FastifyInstance, ctx: AppContext): void {
  api.post('/oauth2', { config: { public: true } }, async (request, reply) => {
    const body = parseParams(oauthBody, paramsOf(request));
    const apiTokenId = await rs15Repository.apiTokenIdOfHash(ctx.db, hashSecret(body.refresh_token));
    if (!apiTokenId) {
      try {
        const rule = (ctx.authThrottle ?? DEFAULT_AUTH_THROTTLE).perClient;
        await reserveAttempt(ctx, throttleKeys.tokenClient(request.ip), rule, 'API tokens from this client');
      } catch (error) {
        throw withRetryAfter(reply, error);
      }
      throw new UnauthenticatedError('The refresh token is not valid (it must be an API token of the user)');
    }
    const accessToken = newSecret('rsat_');
    const now = ctx.clock();
    await rs15Repository.insertAccessToken(ctx.db, {
      tokenHash: hashSecret(accessToken),
      apiTokenId,
      expiresAt: new Date(now.getTime() + RS_ACCESS_TOKEN_TTL_SECONDS * 1000),
      now,
    });
    return reply
      .header('cache-control', 'no-store')
      .type('application/json')
      .send({ access_token: accessToken, expires_in: RS_ACCESS_TOKEN_TTL_SECONDS, token_type: 'bearer' });
  });

  api.post('/sessions', { config: { public: true } }, async (request, reply) => {
    const body = parseParams(sessionBody, paramsOf(request));
    const accountNumber = Number(idOfHref('account', body.account_href, 'account_href'));
    const session = await createSession(ctx, body, { ip: request.ip });
    const cookie = { path: '/api', httpOnly: true, sameSite: 'strict' as const, secure: ctx.cookieSecure };
    reply.setCookie(RS_SESSION_COOKIE, session.sessionSecret, { ...cookie, expires: session.expiresAt });
    reply.setCookie(RS_ACCOUNT_COOKIE, String(accountNumber), { ...cookie, expires: session.expiresAt });
    return sendNoContent(reply);
  });

  api.get('/sessions', { config: { rsNoAccount: true } }, async (request, reply) => {
    const caller = callerOf(request);
    return sendResource(reply, 'session', {
      message: 'You have successfully logged into the RightScale API.',
      links: linksOf(hrefs.session(), {
        account: caller.accountNumber ? hrefs.account(caller.accountNumber) : undefined,
        user: hrefs.user(caller.principal.userId),
        accounts: '/api/sessions/accounts',
      }).slice(1),
    });
  });
}
