import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, pageOf } from '../../http/common.schema.ts';
import { etagOf, expectedVersion } from '../../http/etag.ts';
import * as s from './mci.schema.ts';
import * as mcis from './mci.service.ts';
import * as vcs from './vc.schema.ts';
import * as vc from './vc.service.ts';

const tags = ['mcis'];
const base = '/v1/accounts/:a/mcis';
const ifMatchHeader = z.looseObject({
  'if-match': z.string().optional().describe('ETag of a read (412 if stale)'),
});

/** MultiCloud Images: HEAD edits, settings, commit, clone, revisions, lint, usage. */
export function mciRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Create an MCI (its HEAD, revision 0), optionally with settings (designer)',
        params: s.accountParams,
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
        .send(mci);
    },
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary: "The account's MCI revisions in name order (revision=0 for HEADs only)",
        params: s.accountParams,
        querystring: s.listMcisQuery,
        response: { 200: s.mciPage, ...errorResponses },
      },
    },
    async (req) => mcis.listMcis(ctx, principalOf(req), req.params.a, req.query),
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'An MCI revision with its settings (ETag for If-Match)',
        params: s.mciParams,
        response: { 200: s.mciSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const mci = await mcis.getMci(ctx, principalOf(req), req.params.a, req.params.id);
      return reply.header('etag', etagOf(mci.version)).send(mci);
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Rename, describe or tag the HEAD',
        params: s.mciParams,
        headers: ifMatchHeader,
        body: s.patchMciBody,
        response: { 200: s.mciSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const mci = await mcis.updateMci(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.body,
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(mci.version)).send(mci);
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Delete the whole lineage (refused while a template links it)',
        params: s.mciParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await mcis.deleteMci(ctx, principalOf(req), req.params.a, req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/:id/settings`,
    {
      schema: {
        tags,
        summary: 'Add the setting for a cloud (one per cloud)',
        params: s.mciParams,
        headers: ifMatchHeader,
        body: s.settingBody,
        response: { 201: s.mciWithWarningsSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const mci = await mcis.addSetting(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.body,
        expectedVersion(req.headers['if-match']),
      );
      return reply
        .status(201)
        .header('location', `/v1/accounts/${mci.accountId}/mcis/${mci.id}/settings/${req.body.cloudId}`)
        .header('etag', etagOf(mci.version))
        .send(mci);
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
      const mci = await mcis.replaceSetting(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        { ...req.body, cloudId: req.params.cloudId },
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(mci.version)).send(mci);
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
      const mci = await mcis.removeSetting(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.params.cloudId,
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(mci.version)).send(mci);
    },
  );

  app.post(
    `${base}/:id/commit`,
    {
      schema: {
        tags,
        summary: 'Commit HEAD as the next revision (an exact, immutable copy)',
        params: s.mciParams,
        body: s.commitBody,
        response: { 201: s.mciSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const mci = await mcis.commitMci(ctx, principalOf(req), req.params.a, req.params.id, req.body.message);
      return reply.status(201).header('location', `/v1/accounts/${mci.accountId}/mcis/${mci.id}`).send(mci);
    },
  );

  app.post(
    `${base}/:id/clone`,
    {
      schema: {
        tags,
        summary: 'Clone any readable revision into a new lineage',
        params: s.mciParams,
        body: s.cloneBody,
        response: { 201: s.mciSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const mci = await mcis.cloneMci(ctx, principalOf(req), req.params.a, req.params.id, req.body);
      return reply.status(201).header('location', `/v1/accounts/${mci.accountId}/mcis/${mci.id}`).send(mci);
    },
  );

  app.get(
    `${base}/:id/revisions`,
    {
      schema: {
        tags,
        summary: 'Every revision of the lineage, newest first, with author, time and message',
        params: s.mciParams,
        response: { 200: pageOf(s.revisionSummarySchema), ...errorResponses },
      },
    },
    async (req) => mcis.listRevisions(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.get(
    `${base}/:id/lint`,
    {
      schema: {
        tags,
        summary: 'Lint warnings (never errors)',
        params: s.mciParams,
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
        params: s.mciParams,
        response: { 200: s.usageSchema, ...errorResponses },
      },
    },
    async (req) => mcis.usage(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.get(
    `${base}/:id/diff`,
    {
      schema: {
        tags,
        summary: 'What this revision changes relative to `against` (any two readable revisions)',
        params: s.mciParams,
        querystring: vcs.diffQuery,
        response: { 200: vcs.mciDiffSchema, ...errorResponses },
      },
    },
    async (req) => vc.diff(ctx, principalOf(req), req.params.a, req.params.id, req.query.against),
  );

  app.post(
    `${base}/:id/merge`,
    {
      schema: {
        tags,
        summary:
          'Three-way merge another revision into this HEAD (409 listing conflicts without resolutions)',
        params: s.mciParams,
        headers: ifMatchHeader,
        body: vcs.mergeBody,
        response: {
          200: s.mciWithWarningsSchema.extend({ merge: vcs.mergeSummarySchema }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const mci = await vc.merge(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.body,
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(mci.version)).send(mci);
    },
  );
}
