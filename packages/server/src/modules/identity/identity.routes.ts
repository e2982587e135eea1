import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf, SESSION_COOKIE } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import * as s from './identity.schema.ts';
import * as identity from './identity.service.ts';

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
        security: [],
        body: s.loginBody,
        response: { 200: z.object({ user: s.userSchema, expiresAt: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { user, sessionSecret, expiresAt } = await identity.createSession(ctx, req.body);
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
        summary: 'Create a user (superuser or an account admin)',
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
        summary: "Add a member or replace a member's roles (admin)",
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
}
