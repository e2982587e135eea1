import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { TemplateRecord } from '@mci/db';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, pageOf } from '../../http/common.schema.ts';
import { etagOf, expectedVersion } from '../../http/etag.ts';
import { presentRevision } from '../revision/revision.presenter.ts';
import { registerRevisionRoutes } from '../revision/revision.routes.ts';
import {
  accountParams,
  ifMatchHeader,
  mergeSummarySchema,
  revisionParams,
} from '../revision/revision.schema.ts';
import { applyTemplateDocument } from './apply.service.ts';
import { templateRevisions } from './template.kind.ts';
import * as s from './template.schema.ts';
import * as templates from './template.service.ts';
import * as vcs from './vc.schema.ts';
import * as vc from './vc.service.ts';

const tags = ['server-templates'];
const base = '/v1/accounts/:a/server-templates';

/** ServerTemplates: the shared revision verbs, plus create, MCI links and supported clouds. */
export function templateRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  registerRevisionRoutes(fastify, ctx, {
    service: templateRevisions,
    path: 'server-templates',
    tag: 'server-templates',
    schema: s.templateSchema,
    commitBody: s.commitTemplateBody,
    commitSchema: s.templateWithWarningsSchema,
    mergeSchema: s.templateWithWarningsSchema.extend({ merge: mergeSummarySchema }),
    diffSchema: vcs.templateDiffSchema,
    diff: vc.diff,
    get: templates.getTemplate,
  });

  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const location = (t: { accountId: string; id: string }) =>
    `/v1/accounts/${t.accountId}/server-templates/${t.id}`;
  const present = (req: FastifyRequest, t: TemplateRecord) =>
    presentRevision('server_template', principalOf(req), t.accountId, t);

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Create a ServerTemplate HEAD, optionally linking MCIs (the first is the default)',
        params: accountParams,
        body: s.createTemplateBody,
        response: { 201: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await templates.createTemplate(ctx, principalOf(req), req.params.a, req.body);
      return reply
        .status(201)
        .header('location', location(t))
        .header('etag', etagOf(t.version))
        .send(present(req, t));
    },
  );

  app.post(
    `${base}/apply`,
    {
      schema: {
        tags,
        summary:
          'Apply a template document (template push): the named HEAD, its inline HEAD MCIs and its links, all or nothing',
        params: accountParams,
        headers: ifMatchHeader,
        body: s.applyTemplateBody,
        response: { 200: s.applyTemplateResult, 201: s.applyTemplateResult, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { dryRun, ...doc } = req.body;
      const expected = expectedVersion(req.headers['if-match']);
      const result = await applyTemplateDocument(ctx, principalOf(req), req.params.a, doc, {
        dryRun,
        expected,
      });
      const template = result.template && present(req, result.template);
      if (template) reply.header('etag', etagOf(template.version)).header('location', location(template));
      return reply.status(result.created && !dryRun ? 201 : 200).send({ ...result, template });
    },
  );

  app.post(
    `${base}/:id/mcis`,
    {
      schema: {
        tags,
        summary: 'Link an MCI revision (HEAD or committed; one per MCI lineage); answers the link',
        params: revisionParams,
        headers: ifMatchHeader,
        body: s.linkBody,
        response: { 201: s.linkSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { a, id } = req.params;
      const expected = expectedVersion(req.headers['if-match']);
      const { template, link } = await templates.addLink(
        ctx,
        principalOf(req),
        a,
        id,
        req.body.mciId,
        expected,
      );
      return reply
        .status(201)
        .header('location', `${location(template)}/mcis/${link.id}`)
        .header('etag', etagOf(template.version))
        .send(link);
    },
  );

  app.patch(
    `${base}/:id/mcis/:linkId`,
    {
      schema: {
        tags,
        summary: "Change a link's revision within its MCI lineage",
        params: s.linkParams,
        headers: ifMatchHeader,
        body: s.linkBody,
        response: { 200: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { a, id, linkId } = req.params;
      const expected = expectedVersion(req.headers['if-match']);
      const t = await templates.changeLink(ctx, principalOf(req), a, id, linkId, req.body.mciId, expected);
      return reply.header('etag', etagOf(t.version)).send(present(req, t));
    },
  );

  app.post(
    `${base}/:id/mcis/:linkId/make-default`,
    {
      schema: {
        tags,
        summary: 'Make this link the default MCI',
        params: s.linkParams,
        headers: ifMatchHeader,
        response: { 200: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { a, id, linkId } = req.params;
      const expected = expectedVersion(req.headers['if-match']);
      const t = await templates.makeDefault(ctx, principalOf(req), a, id, linkId, expected);
      return reply.header('etag', etagOf(t.version)).send(present(req, t));
    },
  );

  app.delete(
    `${base}/:id/mcis/:linkId`,
    {
      schema: {
        tags,
        summary: 'Unlink an MCI (not the default while others exist, not the last)',
        params: s.linkParams,
        headers: ifMatchHeader,
        response: { 200: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { a, id, linkId } = req.params;
      const expected = expectedVersion(req.headers['if-match']);
      const t = await templates.removeLink(ctx, principalOf(req), a, id, linkId, expected);
      return reply.header('etag', etagOf(t.version)).send(present(req, t));
    },
  );

  app.get(
    `${base}/:id/clouds`,
    {
      schema: {
        tags,
        summary: 'Supported clouds, each with the MCI that would serve it',
        params: revisionParams,
        response: { 200: pageOf(s.supportedCloudSchema), ...errorResponses },
      },
    },
    async (req) => templates.templateClouds(ctx, principalOf(req), req.params.a, req.params.id),
  );
}
