import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, pageOf } from '../../http/common.schema.ts';
import { etagOf, expectedVersion } from '../../http/etag.ts';
import { accountParams, cloneBody, revisionSummarySchema } from '../mci/mci.schema.ts';
import * as s from './template.schema.ts';
import * as templates from './template.service.ts';
import * as vcs from './vc.schema.ts';
import * as vc from './vc.service.ts';
import { diffQuery, mergeBody, mergeSummarySchema } from '../mci/vc.schema.ts';

const tags = ['server-templates'];
const base = '/v1/accounts/:a/server-templates';
const ifMatchHeader = z.looseObject({ 'if-match': z.string().optional() });

/** ServerTemplates: HEAD edits, MCI links, supported clouds, commit, clone, revisions. */
export function templateRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const location = (t: { accountId: string; id: string }) =>
    `/v1/accounts/${t.accountId}/server-templates/${t.id}`;

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
      return reply.status(201).header('location', location(t)).header('etag', etagOf(t.version)).send(t);
    },
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary: "The account's template revisions in name order",
        params: accountParams,
        querystring: s.listTemplatesQuery,
        response: { 200: s.templatePage, ...errorResponses },
      },
    },
    async (req) => templates.listTemplates(ctx, principalOf(req), req.params.a, req.query),
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'A template revision with its MCI links',
        params: s.templateParams,
        response: { 200: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await templates.getTemplate(ctx, principalOf(req), req.params.a, req.params.id);
      return reply.header('etag', etagOf(t.version)).send(t);
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Rename, describe or tag the HEAD',
        params: s.templateParams,
        headers: ifMatchHeader,
        body: s.patchTemplateBody,
        response: { 200: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await templates.updateTemplate(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.body,
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(t.version)).send(t);
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Delete the template lineage',
        params: s.templateParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await templates.deleteTemplate(ctx, principalOf(req), req.params.a, req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/:id/mcis`,
    {
      schema: {
        tags,
        summary: 'Link an MCI revision (HEAD or committed; one per MCI lineage)',
        params: s.templateParams,
        headers: ifMatchHeader,
        body: s.linkBody,
        response: { 201: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { template, linkId } = await templates.addLink(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.body.mciId,
        expectedVersion(req.headers['if-match']),
      );
      return reply
        .status(201)
        .header('location', `${location(template)}/mcis/${linkId}`)
        .header('etag', etagOf(template.version))
        .send(template);
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
      const t = await templates.changeLink(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.params.linkId,
        req.body.mciId,
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(t.version)).send(t);
    },
  );

  app.post(
    `${base}/:id/mcis/:linkId/make-default`,
    {
      schema: {
        tags,
        summary: 'Make this link the default MCI',
        params: s.linkParams,
        response: { 200: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await templates.makeDefault(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.params.linkId,
      );
      return reply.header('etag', etagOf(t.version)).send(t);
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
      const t = await templates.removeLink(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.params.linkId,
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(t.version)).send(t);
    },
  );

  app.get(
    `${base}/:id/clouds`,
    {
      schema: {
        tags,
        summary: 'Supported clouds, each with the MCI that would serve it',
        params: s.templateParams,
        response: { 200: pageOf(s.supportedCloudSchema), ...errorResponses },
      },
    },
    async (req) => templates.templateClouds(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.post(
    `${base}/:id/commit`,
    {
      schema: {
        tags,
        summary: 'Commit the HEAD (optionally committing linked HEAD MCIs first)',
        params: s.templateParams,
        body: s.commitTemplateBody,
        response: { 201: s.templateWithWarningsSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await templates.commitTemplate(ctx, principalOf(req), req.params.a, req.params.id, req.body);
      return reply.status(201).header('location', location(t)).send(t);
    },
  );

  app.post(
    `${base}/:id/clone`,
    {
      schema: {
        tags,
        summary: 'Clone a revision into a new lineage',
        params: s.templateParams,
        body: cloneBody,
        response: { 201: s.templateSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await templates.cloneTemplate(ctx, principalOf(req), req.params.a, req.params.id, req.body);
      return reply.status(201).header('location', location(t)).send(t);
    },
  );

  app.get(
    `${base}/:id/revisions`,
    {
      schema: {
        tags,
        summary: 'Every revision of the lineage, newest first',
        params: s.templateParams,
        response: { 200: pageOf(revisionSummarySchema), ...errorResponses },
      },
    },
    async (req) => templates.templateRevisions(ctx, principalOf(req), req.params.a, req.params.id),
  );

  app.get(
    `${base}/:id/diff`,
    {
      schema: {
        tags,
        summary: 'What this revision changes relative to `against`',
        params: s.templateParams,
        querystring: diffQuery,
        response: { 200: vcs.templateDiffSchema, ...errorResponses },
      },
    },
    async (req) => vc.diff(ctx, principalOf(req), req.params.a, req.params.id, req.query.against),
  );

  app.post(
    `${base}/:id/merge`,
    {
      schema: {
        tags,
        summary: 'Three-way merge another revision into this HEAD; links merge keyed by MCI lineage',
        params: s.templateParams,
        headers: ifMatchHeader,
        body: mergeBody,
        response: { 200: s.templateSchema.extend({ merge: mergeSummarySchema }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await vc.merge(
        ctx,
        principalOf(req),
        req.params.a,
        req.params.id,
        req.body,
        expectedVersion(req.headers['if-match']),
      );
      return reply.header('etag', etagOf(t.version)).send(t);
    },
  );
}
