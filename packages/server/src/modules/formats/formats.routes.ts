import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, idParam } from '../../http/common.schema.ts';
import { accountParams, revisionParams } from '../revision/revision.schema.ts';
import { catalogImportBody, catalogImportResult } from './formats.schema.ts';
import { exportMci, importCatalog, resolveMci } from './formats.service.ts';

/** A document of up to 5 MB, with room for the JSON around it. */
const IMPORT_BODY_LIMIT = 6 * 1024 * 1024;

const exportQuery = z.strictObject({ format: z.enum(['cloudformation-mappings', 'simplestreams']) });

const resolveQuery = z.strictObject({
  cloudId: idParam.optional().describe('the cloud (or give region)'),
  region: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("the cloud's region, e.g. us-east-1 (or give cloudId)"),
});

const resolvedSchema = z
  .object({
    mciId: z.string(),
    lineageId: z.string(),
    name: z.string(),
    revision: z.number().int(),
    cloudId: z.string(),
    region: z.string(),
    imageId: z.string(),
    resourceUid: z.string().describe("the cloud's image id (ami-…)"),
    instanceTypeId: z.string(),
    instanceType: z.string().describe("the cloud's instance type name"),
    cpuArchitecture: z.string(),
    userData: z.string().nullable(),
  })
  .meta({ id: 'ResolvedImage' });

/** Open catalog formats in and out (SPEC §10): import with a preview, export, resolve. */
export function formatRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/accounts/:a/catalog-imports',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['mcis'],
        summary:
          'Import a CloudFormation map, CoreOS stream or simplestreams index as MCIs (dryRun by default: a preview)',
        params: accountParams,
        body: catalogImportBody,
        response: { 200: catalogImportResult, ...errorResponses },
      },
    },
    async (req) => importCatalog(ctx, principalOf(req), req.params.a, req.body),
  );

  app.get(
    '/v1/accounts/:a/mcis/:id/export',
    {
      schema: {
        tags: ['mcis'],
        summary: 'An MCI revision as CloudFormation Mappings, or its committed revisions as simplestreams',
        params: revisionParams,
        querystring: exportQuery,
        response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
      },
    },
    async (req) =>
      (await exportMci(ctx, principalOf(req), req.params.a, req.params.id, req.query.format)) as Record<
        string,
        unknown
      >,
  );

  app.get(
    '/v1/accounts/:a/mcis/:id/resolve',
    {
      schema: {
        tags: ['mcis'],
        summary:
          "The image to launch in one cloud (cloudId or region); on a lineage id, its newest committed revision's",
        params: revisionParams,
        querystring: resolveQuery,
        response: {
          200: resolvedSchema,
          304: z.null().describe('Not Modified (If-None-Match)'),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { version, ...resolved } = await resolveMci(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.query,
      );
      // A committed revision asked for by id never changes (the one exception to no-store under
      // /v1); a HEAD or a lineage's newest may, so clients revalidate those with the ETag.
      const fixed = resolved.mciId === req.params.id && resolved.revision > 0;
      reply.header('etag', `"${resolved.mciId}.${version}"`);
      reply.header('cache-control', fixed ? 'private, max-age=86400, immutable' : 'private, no-cache');
      if (req.headers['if-none-match'] === `"${resolved.mciId}.${version}"`)
        return reply.status(304).send(null);
      return resolved;
    },
  );
}
