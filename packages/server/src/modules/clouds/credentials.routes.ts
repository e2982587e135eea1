import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import * as s from './credentials.schema.ts';
import * as credentials from './credentials.service.ts';

const tags = ['clouds'];
const NEVER_RETURNED = 'The secret is stored encrypted and never returned by any read.';

/** R-CLD-1/2: an account's cloud credentials (role `admin`). */
export function credentialRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/accounts/:a/cloud-credentials',
    {
      schema: {
        tags,
        summary: 'Register credentials for a cloud type (admin); one set per cloud type',
        description:
          'The cloud is asked who the keys belong to (its answer is the principal, R-CLD-2); a refusal ' +
          `is a 422 credentials_invalid with the cloud's message and nothing is stored. ${NEVER_RETURNED}`,
        params: s.credentialListParams,
        body: s.createCredentialBody,
        response: { 201: s.credentialSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = await credentials.createCredential(ctx, principalOf(req), req.params.a, req.body);
      return reply
        .status(201)
        .header('location', `/v1/accounts/${req.params.a}/cloud-credentials/${view.id}`)
        .send(view);
    },
  );

  app.get(
    '/v1/accounts/:a/cloud-credentials',
    {
      schema: {
        tags,
        summary: "The account's cloud credentials, without secrets (admin)",
        params: s.credentialListParams,
        querystring: s.listCredentialsQuery,
        response: { 200: s.credentialPage, ...errorResponses },
      },
    },
    async (req) => credentials.listCredentials(ctx, principalOf(req), req.params.a, req.query),
  );

  app.get(
    '/v1/accounts/:a/cloud-credentials/:id',
    {
      schema: {
        tags,
        summary: 'Cloud credentials: fingerprint, principal, last use and error (admin)',
        params: s.credentialParams,
        response: { 200: s.credentialSchema, ...errorResponses },
      },
    },
    async (req) => credentials.getCredential(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.put(
    '/v1/accounts/:a/cloud-credentials/:id',
    {
      schema: {
        tags,
        summary: 'Rotate: replace the keys (admin), validated with the cloud like new ones',
        description:
          'Fields left out keep their values; `null` clears roleArn or endpoint. Repairs credentials ' +
          `that became unreadable after a SECRET_KEY change. ${NEVER_RETURNED}`,
        params: s.credentialParams,
        body: s.rotateCredentialBody,
        response: { 200: s.credentialSchema, ...errorResponses },
      },
    },
    async (req) => credentials.rotateCredential(ctx, principalOf(req), req.params.a, req.params.id, req.body),
  );

  app.patch(
    '/v1/accounts/:a/cloud-credentials/:id',
    {
      schema: {
        tags,
        summary: "Change what the account's own image listing asks for: owners, name filters (admin)",
        params: s.credentialParams,
        body: s.patchCredentialBody,
        response: { 200: s.credentialSchema, ...errorResponses },
      },
    },
    async (req) =>
      credentials.updateCredentialSync(ctx, principalOf(req), req.params.a, req.params.id, req.body),
  );

  app.post(
    '/v1/accounts/:a/cloud-credentials/:id/check',
    {
      schema: {
        tags,
        summary: 'Check stored credentials with the cloud and read the principal again (admin)',
        description:
          '409 credentials_unreadable when they were stored under another SECRET_KEY; 422 ' +
          "credentials_invalid with the cloud's message when it refuses them (kept as the last error).",
        params: s.credentialParams,
        response: { 200: s.credentialSchema, ...errorResponses },
      },
    },
    async (req) => credentials.checkCredential(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.delete(
    '/v1/accounts/:a/cloud-credentials/:id',
    {
      schema: {
        tags,
        summary: 'Delete credentials (admin): syncs and launches needing them stop with credentials_missing',
        params: s.credentialParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await credentials.deleteCredential(ctx, principalOf(req), req.params.a, req.params.id);
      return reply.status(204).send();
    },
  );
}
