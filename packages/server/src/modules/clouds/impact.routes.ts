import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import { imageParams } from '../catalog/catalog.schema.ts';
import { revisionParams } from '../revision/revision.schema.ts';
import * as s from './impact.schema.ts';
import * as impact from './impact.service.ts';

/** R-CLD-5: what an image's deprecation or removal hits, and the alerts of an MCI revision. */
export function impactRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/clouds/:c/images/:id/impact',
    {
      schema: {
        tags: ['catalog'],
        summary:
          'What references an image (MCI and template revisions, servers, publications) now and at each of its changes to deprecated / unavailable',
        params: imageParams,
        querystring: s.impactQuery,
        response: { 200: s.imageImpactResponse, ...errorResponses },
      },
    },
    async (req) => impact.imageImpact(ctx, principalOf(req), req.params.c, req.params.id, req.query),
  );

  app.get(
    '/v1/accounts/:a/mcis/:id/image-alerts',
    {
      schema: {
        tags: ['mcis'],
        summary: "An MCI revision's settings whose image is deprecated or unavailable, with the last change",
        params: revisionParams,
        response: { 200: s.mciImageAlertsResponse, ...errorResponses },
      },
    },
    async (req) => impact.mciImageAlerts(ctx, principalOf(req), req.params.a, req.params.id),
  );
}
