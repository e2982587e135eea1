import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import * as s from './jobs.schema.ts';
import { getJob, listJobs } from './jobs.service.ts';

const tags = ['jobs'];

/** R-JOB-1: durable jobs (syncs, reconciles), read-only: they are started by the resources they work on. */
export function jobRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/jobs',
    {
      schema: {
        tags,
        summary: "Jobs newest first: an account's, a cloud's (the superuser: all)",
        querystring: s.listJobsQuery,
        response: { 200: s.jobPage, ...errorResponses },
      },
    },
    async (req) => listJobs(ctx, principalOf(req), req.query),
  );

  app.get(
    '/v1/jobs/:id',
    {
      schema: {
        tags,
        summary: 'A job: state, progress, phase, error and result',
        params: s.jobParams,
        response: { 200: s.jobSchema, ...errorResponses },
      },
    },
    async (req) => getJob(ctx, principalOf(req), req.params.id),
  );
}
