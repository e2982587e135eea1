import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import { presentServer } from './deployment.presenter.ts';
import * as s from './deployment.schema.ts';
import * as deployments from './deployment.service.ts';
import * as lifecycle from './lifecycle.service.ts';

const tags = ['deployments'];
const base = '/v1/accounts/:a/deployments';

/** Deployments and their servers. */
export function deploymentRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Create a deployment (designer)',
        params: s.accountParams,
        body: s.createDeploymentBody,
        response: { 201: s.deploymentSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const d = await deployments.createDeployment(ctx, principalOf(req), req.params.a, req.body);
      return reply.status(201).header('location', `/v1/accounts/${d.accountId}/deployments/${d.id}`).send(d);
    },
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary: "The account's deployments",
        params: s.accountParams,
        querystring: s.listQuery,
        response: { 200: s.deploymentPage, ...errorResponses },
      },
    },
    async (req) => deployments.listDeployments(ctx, principalOf(req), req.params.a, req.query),
  );

  app.get(
    `${base}/:d`,
    {
      schema: {
        tags,
        summary: 'A deployment',
        params: s.deploymentParams,
        response: { 200: s.deploymentSchema, ...errorResponses },
      },
    },
    async (req) => deployments.getDeployment(ctx, principalOf(req), req.params.a, req.params.d),
  );

  app.patch(
    `${base}/:d`,
    {
      schema: {
        tags,
        summary: 'Rename or describe a deployment',
        params: s.deploymentParams,
        body: s.patchDeploymentBody,
        response: { 200: s.deploymentSchema, ...errorResponses },
      },
    },
    async (req) => deployments.updateDeployment(ctx, principalOf(req), req.params.a, req.params.d, req.body),
  );

  app.delete(
    `${base}/:d`,
    {
      schema: {
        tags,
        summary: 'Delete a deployment whose servers are all idle',
        params: s.deploymentParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deployments.deleteDeployment(ctx, principalOf(req), req.params.a, req.params.d);
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/:d/servers`,
    {
      schema: {
        tags,
        summary: 'Add a server: the cloud picks the MCI, image and instance type it inherits (pinned now)',
        params: s.deploymentParams,
        body: s.createServerBody,
        response: { 201: s.serverSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const server = await deployments.createServer(ctx, principal, req.params.a, req.params.d, req.body);
      return reply
        .status(201)
        .header(
          'location',
          `/v1/accounts/${server.accountId}/deployments/${server.deploymentId}/servers/${server.id}`,
        )
        .send(presentServer(principal, req.params.a, server));
    },
  );

  app.get(
    `${base}/:d/servers`,
    {
      schema: {
        tags,
        summary: "A deployment's servers",
        params: s.deploymentParams,
        querystring: s.listServersQuery,
        response: { 200: s.serverPage, ...errorResponses },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const page = await deployments.listServers(ctx, principal, req.params.a, req.params.d, req.query);
      return { ...page, items: page.items.map((server) => presentServer(principal, req.params.a, server)) };
    },
  );

  app.get(
    `${base}/:d/servers/:s`,
    {
      schema: {
        tags,
        summary: 'A server with what it inherited and from where',
        params: s.serverParams,
        response: { 200: s.serverSchema, ...errorResponses },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const server = await deployments.getServer(ctx, principal, req.params.a, req.params.d, req.params.s);
      return presentServer(principal, req.params.a, server);
    },
  );

  app.patch(
    `${base}/:d/servers/:s`,
    {
      schema: {
        tags,
        summary:
          'Rename, or point the server at another MCI or image of its cloud (a running server: at its next launch)',
        params: s.serverParams,
        body: s.patchServerBody,
        response: { 200: s.serverWithWarningsSchema, ...errorResponses },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const { a, d } = req.params;
      const { warnings, ...server } = await deployments.updateServer(
        ctx,
        principal,
        a,
        d,
        req.params.s,
        req.body,
      );
      return { ...presentServer(principal, a, server), warnings };
    },
  );

  const lifecycleRoutes = [
    {
      path: 'launch',
      run: lifecycle.launchServer,
      summary:
        'Launch the server in its cloud (actor; R-LCH-1): inactive or stopped → pending → booting → operational',
    },
    {
      path: 'terminate',
      run: lifecycle.terminateServer,
      summary:
        'Terminate the server’s instance (actor; R-LCH-2): → terminating → inactive; repeating is harmless',
    },
    {
      path: 'refresh',
      run: lifecycle.refreshServer,
      summary:
        'Ask the cloud about the server’s instance now (R-LCH-3; the reconciler does it in the background)',
    },
  ] as const;
  for (const { path, run, summary } of lifecycleRoutes) {
    app.post(
      `${base}/:d/servers/:s/${path}`,
      {
        schema: {
          tags,
          summary,
          params: s.serverParams,
          response: { 200: s.serverSchema, ...errorResponses },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        const { a, d } = req.params;
        return presentServer(principal, a, await run(ctx, principal, a, d, req.params.s));
      },
    );
  }

  app.delete(
    `${base}/:d/servers/:s`,
    {
      schema: {
        tags,
        summary: 'Remove a server',
        params: s.serverParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deployments.deleteServer(ctx, principalOf(req), req.params.a, req.params.d, req.params.s);
      return reply.status(204).send();
    },
  );
}
