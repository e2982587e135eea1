import type { Principal } from '@mci/core';
import type { RevisionBase } from '@mci/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, pageOf } from '../../http/common.schema.ts';
import { etagOf, expectedVersion } from '../../http/etag.ts';
import { presentRevision, withoutForeignAuthor } from './revision.presenter.ts';
import {
  cloneBody,
  diffQuery,
  ifMatchHeader,
  listRevisionsQuery,
  mergeBody,
  patchRevisionBody,
  revisionParams,
  revisionSummarySchema,
} from './revision.schema.ts';
import type { RevisionService } from './revision.service.ts';

/** What one kind brings to the shared routes: its path, its read schema and its own bits. */
export interface RevisionRoutes<R extends RevisionBase, V> {
  service: RevisionService<R, V>;
  /** Under the account, e.g. `mcis`, `server-templates`. */
  path: string;
  tag: string;
  /** The revision as read (with `actions`). */
  schema: z.ZodType;
  /** The commit body (templates add `commitHeadDependencies`). */
  commitBody: z.ZodType<{ message: string; commitHeadDependencies?: boolean }>;
  /** The answer of a commit (the new revision, with warnings). */
  commitSchema: z.ZodType;
  /** The answer of a merge (HEAD with warnings and a `merge` summary). */
  mergeSchema: z.ZodType;
  diffSchema: z.ZodType;
  diff(
    ctx: AppContext,
    principal: Principal,
    accountId: string,
    id: string,
    against: string,
  ): Promise<unknown>;
  /** A read of one revision (templates add marketplace notices to their HEAD). */
  get?(ctx: AppContext, principal: Principal, accountId: string, id: string): Promise<R>;
}

/**
 * Registers the verbs every revisioned kind shares — list, read, rename (If-Match), delete the
 * lineage, commit, clone, revisions, diff, merge — so MCIs and ServerTemplates answer them alike.
 */
export function registerRevisionRoutes<R extends RevisionBase, V>(
  fastify: FastifyInstance,
  ctx: AppContext,
  spec: RevisionRoutes<R, V>,
): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { service, tag } = spec;
  const kind = service.kind;
  const tags = [tag];
  const base = `/v1/accounts/:a/${spec.path}`;
  const location = (r: { accountId: string; id: string }) =>
    `/v1/accounts/${r.accountId}/${spec.path}/${r.id}`;
  const present = <T extends R>(principal: Principal, accountId: string, r: T) =>
    presentRevision(kind.name, principal, accountId, r);
  const withEtag = (reply: FastifyReply, r: R) => reply.header('etag', etagOf(r.version));

  app.get(
    base,
    {
      schema: {
        tags,
        summary: `The account's ${kind.label} revisions in name order (revision=0 for HEADs only)`,
        params: revisionParams.pick({ a: true }),
        querystring: listRevisionsQuery,
        response: { 200: pageOf(spec.schema), ...errorResponses },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const page = await service.list(ctx, principal, req.params.a, req.query);
      return { ...page, items: page.items.map((r) => present(principal, req.params.a, r)) };
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `A ${kind.label} revision (its own or one published to the account; ETag for If-Match)`,
        params: revisionParams,
        response: { 200: spec.schema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const get = spec.get ?? service.get;
      const r = await get(ctx, principal, req.params.a, req.params.id);
      return withEtag(reply, r).send(present(principal, req.params.a, r));
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Rename, describe or tag the HEAD',
        params: revisionParams,
        headers: ifMatchHeader,
        body: patchRevisionBody,
        response: { 200: spec.schema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const { a, id } = req.params;
      const expected = expectedVersion(req.headers['if-match']);
      const r = await service.update(ctx, principal, a, id, req.body, expected);
      return withEtag(reply, r).send(present(principal, a, r));
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Delete the whole ${kind.label} lineage (refused while others depend on it)`,
        params: revisionParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await service.remove(ctx, principalOf(req), req.params.a, req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/:id/commit`,
    {
      schema: {
        tags,
        summary: 'Commit HEAD as the next revision (an exact, immutable copy)',
        params: revisionParams,
        body: spec.commitBody,
        response: { 201: spec.commitSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const r = await service.commit(ctx, principal, req.params.a, req.params.id, req.body);
      return reply
        .status(201)
        .header('location', location(r))
        .send(present(principal, req.params.a, r));
    },
  );

  app.post(
    `${base}/:id/clone`,
    {
      schema: {
        tags,
        summary: 'Clone any readable revision (published ones too) into a new lineage',
        params: revisionParams,
        body: cloneBody,
        response: { 201: spec.schema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const r = await service.clone(ctx, principal, req.params.a, req.params.id, req.body);
      return reply
        .status(201)
        .header('location', location(r))
        .send(present(principal, req.params.a, r));
    },
  );

  app.get(
    `${base}/:id/revisions`,
    {
      schema: {
        tags,
        summary: 'Every revision of the lineage, newest first, with author, time and message',
        params: revisionParams,
        response: { 200: pageOf(revisionSummarySchema), ...errorResponses },
      },
    },
    async (req) => {
      const page = await service.revisions(ctx, principalOf(req), req.params.a, req.params.id);
      return { ...page, items: page.items.map(withoutForeignAuthor(req.params.a)) };
    },
  );

  app.get(
    `${base}/:id/diff`,
    {
      schema: {
        tags,
        summary: 'What this revision changes relative to `against` (any two readable revisions)',
        params: revisionParams,
        querystring: diffQuery,
        response: { 200: spec.diffSchema, ...errorResponses },
      },
    },
    async (req) => spec.diff(ctx, principalOf(req), req.params.a, req.params.id, req.query.against),
  );

  app.post(
    `${base}/:id/merge`,
    {
      schema: {
        tags,
        summary:
          'Three-way merge another revision into this HEAD (409 listing conflicts without resolutions)',
        params: revisionParams,
        headers: ifMatchHeader,
        body: mergeBody,
        response: { 200: spec.mergeSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const { a, id } = req.params;
      const r = await service.merge(
        ctx,
        principal,
        a,
        id,
        req.body,
        expectedVersion(req.headers['if-match']),
      );
      return withEtag(reply, r).send(present(principal, a, r));
    },
  );
}
