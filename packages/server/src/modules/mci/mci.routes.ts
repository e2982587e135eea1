import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import { etagOf, expectedVersion } from '../../http/etag.ts';
import { presentRevision } from '../revision/revision.presenter.ts';
import { registerRevisionRoutes } from '../revision/revision.routes.ts';
import {
  accountParams,
  ifMatchHeader,
  mergeSummarySchema,
  revisionParams,
} from '../revision/revision.schema.ts';
import { mciRevisions } from './mci.kind.ts';
import * as s from './mci.schema.ts';
import * as mcis from './mci.service.ts';
import { mciDiffSchema } from './vc.schema.ts';
import * as vc from './vc.service.ts';

const tags = ['mcis'];
const base = '/v1/accounts/:a/mcis';

/** MultiCloud Images: the shared revision verbs, plus create, settings, lint and usage. */
export function mciRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  registerRevisionRoutes(fastify, ctx, {
    service: mciRevisions,
    path: 'mcis',
    tag: 'mcis',
    schema: s.mciSchema,
    commitBody: s.commitMciBody,
    commitSchema: s.mciSchema,
    mergeSchema: s.mciWithWarningsSchema.extend({ merge: mergeSummarySchema }),
    diffSchema: mciDiffSchema,
    diff: vc.diff,
  });

  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const present = <T extends Parameters<typeof presentRevision>[3]>(
    req: Parameters<typeof principalOf>[0],
    r: T,
  ) => presentRevision('mci', principalOf(req), r.accountId, r);

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Create an MCI (its HEAD, revision 0), optionally with settings (designer)',
        params: accountParams,
        body: s.createMciBody,
        response: { 201: s.mciWithWarningsSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const mci = await mcis.createMci(ctx, principalOf(req), req.params.a, req.body);
      return reply
        .status(201)
        .header('location', `/v1/accounts/${mci.accountId}/mcis/${mci.id}`)
        .header('etag', etagOf(mci.version))
        .send(present(req, mci));
    },
  );

  app.post(
    `${base}/:id/settings`,
    {
      schema: {
        tags,
        summary: 'Add the setting for a cloud (one per cloud)',
        params: revisionParams,
        headers: ifMatchHeader,
        body: s.settingBody,
        response: { 201: s.mciWithWarningsSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { a, id } = req.params;
      const mci = await mcis.addSetting(
        ctx,
        principalOf(req),
        a,
        id,
        req.body,
        expectedVersion(req.headers['if-match']),
      );
      return reply
        .status(201)
        .header('location', `/v1/accounts/${mci.accountId}/mcis/${mci.id}/settings/${req.body.cloudId}`)
        .header('etag', etagOf(mci.version))
        .send(present(req, mci));
    },
  );

  app.put(
    `${base}/:id/settings/:cloudId`,
    {
      schema: {
        tags,
        summary: "Replace a cloud's setting",
        params: s.settingParams,
        headers: ifMatchHeader,
        body: s.putSettingBody,
        response: { 200: s.mciWithWarningsSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { a, id, cloudId } = req.params;
      const expected = expectedVersion(req.headers['if-match']);
      const mci = await mcis.replaceSetting(ctx, principalOf(req), a, id, cloudId, req.body, expected);
      return reply.header('etag', etagOf(mci.version)).send(present(req, mci));
    },
  );

  app.delete(
    `${base}/:id/settings/:cloudId`,
    {
      schema: {
        tags,
        summary: "Remove a cloud's setting",
        params: s.settingParams,
        headers: ifMatchHeader,
        response: { 200: s.mciSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { a, id, cloudId } = req.params;
      const expected = expectedVersion(req.headers['if-match']);
      const mci = await mcis.removeSetting(ctx, principalOf(req), a, id, cloudId, expected);
      return reply.header('etag', etagOf(mci.version)).send(present(req, mci));
    },
  );

  app.get(
    `${base}/:id/lint`,
    {
      schema: {
        tags,
        summary: 'Lint warnings (never errors)',
        params: revisionParams,
        response: { 200: s.lintSchema, ...errorResponses },
      },
    },
    async (req) => mcis.lint(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.get(
    `${base}/:id/usage`,
    {
      schema: {
        tags,
        summary: 'Template revisions and servers using each revision of the lineage',
        params: revisionParams,
        response: { 200: s.usageSchema, ...errorResponses },
      },
    },
    async (req) => mcis.usage(ctx, principalOf(req), req.params.a, req.params.id),
  );
}
