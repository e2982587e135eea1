import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, pageOf } from '../../http/common.schema.ts';
import * as groups from './groups.service.ts';
import { importPublication } from './import.service.ts';
import { importLocation, presentImport } from './marketplace.presenter.ts';
import * as s from './marketplace.schema.ts';
import * as pubs from './publication.service.ts';

/** Marketplace, publications, imports, account groups and invitations. */
export function marketplaceRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['marketplace'];
  const sharing = ['sharing'];

  app.get(
    '/v1/accounts/:a/marketplace',
    {
      schema: {
        tags,
        summary: 'What this account may import: per published lineage the newest active revision',
        params: s.accountParams,
        querystring: s.marketplaceQuery,
        response: { 200: s.publicationPage, ...errorResponses },
      },
    },
    async (req) => pubs.listMarketplace(ctx, principalOf(req), req.params.a, req.query),
  );

  app.post(
    '/v1/accounts/:a/publications',
    {
      schema: {
        tags,
        summary: 'Publish a committed revision (a template takes its unpublished MCI revisions along)',
        params: s.accountParams,
        body: s.publishBody,
        response: { 201: s.publishResultSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const result = await pubs.publish(ctx, principalOf(req), req.params.a, req.body);
      return reply
        .status(201)
        .header('location', `/v1/accounts/${req.params.a}/publications/${result.publication.id}`)
        .send(result);
    },
  );

  app.post(
    '/v1/accounts/:a/publications/preflight',
    {
      schema: {
        tags,
        summary: 'Launchability preflight: can every receiving account launch every image? Publishes nothing',
        params: s.accountParams,
        body: s.publishBody,
        response: { 200: s.preflightSchema, ...errorResponses },
      },
    },
    async (req) => pubs.preflightPublication(ctx, principalOf(req), req.params.a, req.body),
  );

  app.get(
    '/v1/accounts/:a/publications/:p/preflight',
    {
      schema: {
        tags,
        summary:
          'Re-check a publication: can its current receivers (group members now) launch every image? The cloud is asked for private images',
        params: s.publicationParams,
        response: { 200: s.recheckSchema, ...errorResponses },
      },
    },
    async (req) => pubs.recheckPublication(ctx, principalOf(req), req.params.a, req.params.p),
  );

  app.get(
    '/v1/accounts/:a/publications',
    {
      schema: {
        tags,
        summary: "This account's own publications",
        params: s.accountParams,
        querystring: s.listQuery,
        response: { 200: s.publicationPage, ...errorResponses },
      },
    },
    async (req) => pubs.listOwnPublications(ctx, principalOf(req), req.params.a, req.query),
  );

  app.get(
    '/v1/accounts/:a/publications/:p',
    {
      schema: {
        tags,
        summary: 'A publication visible to this account',
        params: s.publicationParams,
        response: { 200: s.publicationSchema, ...errorResponses },
      },
    },
    async (req) => pubs.getPublication(ctx, principalOf(req), req.params.a, req.params.p),
  );

  for (const [action, state] of [
    ['deprecate', 'deprecated'],
    ['reactivate', 'active'],
  ] as const) {
    app.post(
      `/v1/accounts/:a/publications/:p/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'deprecate'
              ? 'Deprecate (the previous active revision shows again)'
              : 'Reactivate a deprecated publication',
          params: s.publicationParams,
          response: { 200: s.publicationSchema, ...errorResponses },
        },
      },
      async (req) => pubs.setPublicationState(ctx, principalOf(req), req.params.a, req.params.p, state),
    );
  }

  app.post(
    '/v1/accounts/:a/imports',
    {
      schema: {
        tags,
        summary:
          'Import a publication as a read-only copy: answers the copied revision (201, Location of it; 200 with the existing copy if imported before)',
        params: s.accountParams,
        body: s.importBody,
        response: { 200: s.importResultSchema, 201: s.importResultSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const { a } = req.params;
      const result = await importPublication(ctx, principal, a, req.body.publicationId);
      return reply
        .status(result.created ? 201 : 200)
        .header('location', importLocation(a, result))
        .send(presentImport(principal, a, result));
    },
  );

  app.post(
    '/v1/accounts/:a/account-groups',
    {
      schema: {
        tags: sharing,
        summary: 'Create an account group (publisher)',
        params: s.accountParams,
        body: s.createGroupBody,
        response: { 201: s.groupSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const group = await groups.createGroup(ctx, principalOf(req), req.params.a, req.body);
      return reply
        .status(201)
        .header('location', `/v1/accounts/${req.params.a}/account-groups/${group.id}`)
        .send(group);
    },
  );

  app.get(
    '/v1/accounts/:a/account-groups',
    {
      schema: {
        tags: sharing,
        summary: 'Groups this account owns or belongs to',
        params: s.accountParams,
        response: { 200: pageOf(s.groupSchema), ...errorResponses },
      },
    },
    async (req) => groups.listGroups(ctx, principalOf(req), req.params.a),
  );

  app.get(
    '/v1/accounts/:a/account-groups/:g',
    {
      schema: {
        tags: sharing,
        summary: 'An account group',
        params: s.groupParams,
        response: { 200: s.groupSchema, ...errorResponses },
      },
    },
    async (req) => groups.getGroup(ctx, principalOf(req), req.params.a, req.params.g),
  );

  app.post(
    '/v1/accounts/:a/account-groups/:g/invitations',
    {
      schema: {
        tags: sharing,
        summary: 'Invite an account; the code is shown once and expires after 6 days',
        params: s.groupParams,
        body: s.inviteBody,
        response: { 201: s.invitationSchema.extend({ code: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await groups.invite(ctx, principalOf(req), req.params.a, req.params.g, req.body.accountId)),
  );

  app.get(
    '/v1/accounts/:a/account-groups/:g/invitations',
    {
      schema: {
        tags: sharing,
        summary: "A group's invitations (owner)",
        params: s.groupParams,
        response: { 200: pageOf(s.invitationSchema), ...errorResponses },
      },
    },
    async (req) => groups.listGroupInvitations(ctx, principalOf(req), req.params.a, req.params.g),
  );

  app.delete(
    '/v1/accounts/:a/account-groups/:g/invitations/:invitationId',
    {
      schema: {
        tags: sharing,
        summary: 'Cancel a pending invitation',
        params: s.invitationParams,
        response: { 200: s.invitationSchema, ...errorResponses },
      },
    },
    async (req) =>
      groups.cancelInvitation(ctx, principalOf(req), req.params.a, req.params.g, req.params.invitationId),
  );

  app.delete(
    '/v1/accounts/:a/account-groups/:g/members/:accountId',
    {
      schema: {
        tags: sharing,
        summary: 'Remove a member (stops future imports only)',
        params: s.memberParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await groups.removeMember(ctx, principalOf(req), req.params.a, req.params.g, req.params.accountId);
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/accounts/:a/invitations',
    {
      schema: {
        tags: sharing,
        summary: 'Invitations this account received',
        params: s.accountParams,
        response: { 200: pageOf(s.invitationSchema), ...errorResponses },
      },
    },
    async (req) => groups.listReceivedInvitations(ctx, principalOf(req), req.params.a),
  );

  app.post(
    '/v1/accounts/:b/invitations/:code/accept',
    {
      schema: {
        tags: sharing,
        summary: 'Accept an invitation with its code (admin of the invited account)',
        params: s.acceptParams,
        response: {
          200: z.object({ invitation: s.invitationSchema, group: s.groupSchema }),
          ...errorResponses,
        },
      },
    },
    async (req) => groups.acceptInvitation(ctx, principalOf(req), req.params.b, req.params.code),
  );
}
