import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, idFilter, idParam } from '../../http/common.schema.ts';
import { presentJob } from '../jobs/jobs.presenter.ts';
import { jobSchema } from '../jobs/jobs.schema.ts';
import { requestSync } from './sync.service.ts';

const tags = ['catalog'];

export function syncRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/clouds/:c/sync',
    {
      schema: {
        tags,
        summary:
          "Sync the cloud's catalog (R-CLD-3): the whole cloud (superuser), or one account's own images (`accountId`, the account's admin)",
        description:
          'Answers 202 with the `cloud_sync` job (`Location: /v1/jobs/{id}`); a sync of the cloud already queued or ' +
          'running is answered instead of a second one. Follow it with GET /v1/jobs/{id}.',
        params: z.strictObject({ c: idParam }),
        querystring: z.strictObject({
          accountId: idFilter
            .optional()
            .describe("Sync only this account's images (listed with its credentials)"),
        }),
        response: { 202: jobSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { job } = await requestSync(ctx, principalOf(req), req.params.c, {
        accountId: req.query.accountId,
      });
      return reply.status(202).header('location', `/v1/jobs/${job.id}`).send(presentJob(job));
    },
  );
}
