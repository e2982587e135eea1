import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf, SESSION_COOKIE } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import * as s from './identity.schema.ts';
import * as identity from './identity.service.ts';
import { withRetryAfter } from '../../security/throttle.ts';

const tags = ['identity'];

/** Identity and accounts: /v1/me, /v1/session, /v1/users, /v1/accounts and members. */
export function identityRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/me',
    {
      schema: {
        tags,
        summary: 'The caller and the accounts it belongs to',
        response: { 200: s.meSchema, ...errorResponses },
      },
    },
    async (req) => identity.getMe(ctx, principalOf(req)),
  );

  app.post(
    '/v1/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in with email and password (sets an HttpOnly session cookie)',
        description:
          'Failed sign-ins are limited per email address and per client; past the limit the answer is ' +
          '429 `too_many_attempts` with `Retry-After` (seconds) until the block ends. An unknown address ' +
          'and a wrong password get the same 401.',
        security: [],
        body: s.loginBody,
        response: { 200: z.object({ user: s.userSchema, expiresAt: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { user, sessionSecret, expiresAt } = await identity
        .createSession(ctx, req.body, { ip: req.ip })
        .catch((error: unknown) => {
          throw withRetryAfter(reply, error);
        });
      reply.setCookie(SESSION_COOKIE, sessionSecret, {
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.cookieSecure,
        path: '/',
        expires: expiresAt,
      });
      return { user, expiresAt: expiresAt.toISOString() };
    },
  );

  app.delete(
    '/v1/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign out',
        security: [],
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await identity.deleteSession(ctx, req.cookies[SESSION_COOKIE]);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/users',
    {
      schema: {
        tags,
        summary: 'Create a user (superuser); account admins invite by email instead',
        body: s.createUserBody,
        response: { 201: s.userSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const user = await identity.createUser(ctx, principalOf(req), req.body);
      return reply.status(201).header('location', `/v1/users/${user.id}`).send(user);
    },
  );

  app.get(
    '/v1/users',
    {
      schema: {
        tags,
        summary: 'List users (superuser)',
        querystring: s.listQuery,
        response: { 200: s.userPage, ...errorResponses },
      },
    },
    async (req) => identity.listUsers(ctx, principalOf(req), req.query),
  );

  app.get(
    '/v1/users/:id',
    {
      schema: {
        tags,
        summary: 'A user (self or superuser)',
        params: s.userParams,
        response: { 200: s.userSchema, ...errorResponses },
      },
    },
    async (req) => identity.getUser(ctx, principalOf(req), req.params.id),
  );

  app.post(
    '/v1/users/:id/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; the token is shown once',
        params: s.userParams,
        body: s.createTokenBody,
        response: { 201: s.tokenCreatedSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const token = await identity.createToken(ctx, principalOf(req), req.params.id, req.body.name);
      return reply.status(201).header('location', `/v1/users/${token.userId}/tokens/${token.id}`).send(token);
    },
  );

  app.get(
    '/v1/users/:id/tokens',
    {
      schema: {
        tags,
        summary: "A user's API tokens with their last use (self or superuser); never the secrets",
        params: s.userParams,
        querystring: s.listQuery,
        response: { 200: s.tokenPage, ...errorResponses },
      },
    },
    async (req) => identity.listTokens(ctx, principalOf(req), req.params.id, req.query),
  );

  app.delete(
    '/v1/users/:id/tokens/:tokenId',
    {
      schema: {
        tags,
        summary: 'Revoke an API token (self or superuser); it stops authenticating at once',
        params: s.tokenParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await identity.revokeToken(ctx, principalOf(req), req.params.id, req.params.tokenId);
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/me/member-invitations',
    {
      schema: {
        tags,
        summary: "Open invitations to join accounts, addressed to the caller's email",
        querystring: s.listQuery,
        response: { 200: s.memberInvitationPage, ...errorResponses },
      },
    },
    async (req) => identity.listMyInvitations(ctx, principalOf(req), req.query),
  );

  app.post(
    '/v1/me/member-invitations/:id/accept',
    {
      schema: {
        tags,
        summary: 'Accept an invitation: the caller becomes a member with its roles',
        params: s.myInvitationParams,
        response: { 200: s.memberSchema, ...errorResponses },
      },
    },
    async (req) => identity.acceptMyInvitation(ctx, principalOf(req), req.params.id),
  );

  app.post(
    '/v1/me/member-invitations/:id/decline',
    {
      schema: {
        tags,
        summary: 'Decline an invitation',
        params: s.myInvitationParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await identity.declineMyInvitation(ctx, principalOf(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/accounts',
    {
      schema: {
        tags,
        summary: 'Create an account (superuser)',
        body: s.createAccountBody,
        response: { 201: s.accountSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const account = await identity.createAccount(ctx, principalOf(req), req.body);
      return reply.status(201).header('location', `/v1/accounts/${account.id}`).send(account);
    },
  );

  app.get(
    '/v1/accounts',
    {
      schema: {
        tags,
        summary: 'Accounts the caller belongs to (all, for the superuser)',
        querystring: s.listQuery,
        response: { 200: s.accountPage, ...errorResponses },
      },
    },
    async (req) => identity.listAccounts(ctx, principalOf(req), req.query),
  );

  app.get(
    '/v1/accounts/:a',
    {
      schema: {
        tags,
        summary: 'An account',
        params: s.accountParams,
        response: { 200: s.accountSchema, ...errorResponses },
      },
    },
    async (req) => identity.getAccount(ctx, principalOf(req), req.params.a),
  );

  app.get(
    '/v1/accounts/:a/members',
    {
      schema: {
        tags,
        summary: "An account's members and their roles",
        params: s.accountParams,
        querystring: s.listQuery,
        response: { 200: s.memberPage, ...errorResponses },
      },
    },
    async (req) => identity.listMembers(ctx, principalOf(req), req.params.a, req.query),
  );

  app.put(
    '/v1/accounts/:a/members/:userId',
    {
      schema: {
        tags,
        summary: "Replace a member's roles (admin); the superuser may also add any user directly",
        description:
          'An account admin changes existing members only (404 `not_found` for anyone else); people ' +
          'join through a member invitation they accept.',
        params: s.memberParams,
        body: s.putMemberBody,
        response: { 200: s.memberSchema, ...errorResponses },
      },
    },
    async (req) => identity.putMember(ctx, principalOf(req), req.params.a, req.params.userId, req.body.roles),
  );

  app.delete(
    '/v1/accounts/:a/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member (admin)',
        params: s.memberParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await identity.deleteMember(ctx, principalOf(req), req.params.a, req.params.userId);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/accounts/:a/member-invitations',
    {
      schema: {
        tags,
        summary: 'Invite an email address to the account with roles (admin)',
        description:
          'The answer is the same whether or not the address has a user: the user signing in with ' +
          'it sees the invitation at GET /v1/me/member-invitations and accepts or declines it. ' +
          `Open for ${identity.MEMBER_INVITATION_TTL_DAYS} days.`,
        params: s.accountParams,
        body: s.createMemberInvitationBody,
        response: { 201: s.memberInvitationSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const invitation = await identity.createMemberInvitation(ctx, principalOf(req), req.params.a, req.body);
      return reply
        .status(201)
        .header('location', `/v1/accounts/${req.params.a}/member-invitations/${invitation.id}`)
        .send(invitation);
    },
  );

  app.get(
    '/v1/accounts/:a/member-invitations',
    {
      schema: {
        tags,
        summary: "The account's open member invitations (admin)",
        params: s.accountParams,
        querystring: s.listQuery,
        response: { 200: s.memberInvitationPage, ...errorResponses },
      },
    },
    async (req) => identity.listMemberInvitations(ctx, principalOf(req), req.params.a, req.query),
  );

  app.get(
    '/v1/accounts/:a/member-invitations/:id',
    {
      schema: {
        tags,
        summary: 'A member invitation of the account (admin)',
        params: s.memberInvitationParams,
        response: { 200: s.memberInvitationSchema, ...errorResponses },
      },
    },
    async (req) => identity.getMemberInvitation(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.delete(
    '/v1/accounts/:a/member-invitations/:id',
    {
      schema: {
        tags,
        summary: 'Cancel an open member invitation (admin)',
        params: s.memberInvitationParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await identity.cancelMemberInvitation(ctx, principalOf(req), req.params.a, req.params.id);
      return reply.status(204).send();
    },
  );
}
