import { authorizeAccount, NotFoundError } from '@mci/core';
import { rs15Repository, serverRepository, type ServerRecord } from '@mci/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import * as deployments from '../../modules/deployment/deployment.service.ts';
import * as lifecycle from '../../modules/deployment/lifecycle.service.ts';
import {
  currentInstanceHref,
  DEPLOYMENT_VIEWS,
  hasCurrentInstance,
  INSTANCE_VIEWS,
  instanceIdParts,
  presentDeployment,
  presentInstance,
  presentServer,
  SERVER_VIEWS,
} from './deployments-presenter.ts';
import {
  allPages,
  callerOf,
  exactFilter,
  hrefs,
  idOfHref,
  idsOfHref,
  invalidParameter,
  kindOfHref,
  matchesFilters,
  paramsOf,
  parseFilters,
  parseParams,
  parseView,
  pathOf,
  RsError,
  rsName,
  rsText,
  sendCollection,
  sendCreated,
  sendNoContent,
  sendResource,
  type RsCaller,
} from './wire.ts';

type WithId = { Params: { id: string } };
type WithInstance = { Params: { c: string; id: string } };

const PAGE = 500;
const DEPLOYMENT_FILTERS = { name: { partial: true }, description: { partial: true } };
const SERVER_FILTERS = { name: { partial: true }, deployment_href: {}, cloud_href: {} };

/** Tags are each server's own: `deployment` is the one scope there is. */
const tagScope = z.enum(['deployment'], { error: 'must be deployment (tags are each server’s own)' });

const deploymentFields = z.object({
  deployment: z.object({
    name: rsName(),
    description: rsText().optional(),
    server_tag_scope: tagScope.optional(),
  }),
});
const deploymentUpdate = z.object({
  deployment: z.object({
    name: rsName().optional(),
    description: rsText().optional(),
    server_tag_scope: tagScope.optional(),
  }),
});

/** Servers have no description here; an empty one is taken, anything else refused. */
const serverDescription = rsText()
  .refine((v) => v === '', 'is not supported by this service (servers have no description)')
  .optional();

/** What API 1.5 takes on a new server's instance that the service has no notion of. */
const UNSUPPORTED_INSTANCE = [
  'ssh_key_href',
  'security_group_hrefs',
  'subnet_hrefs',
  'kernel_image_href',
  'ramdisk_image_href',
  'datacenter_href',
  'private_ip_address',
  'placement_group_href',
  'inputs',
] as const;

const serverFields = z.object({
  server: z.object({
    name: rsName(),
    description: serverDescription,
    deployment_href: z.string().optional(),
    instance: z.object({
      cloud_href: z.string(),
      server_template_href: z.string(),
      multi_cloud_image_href: z.string().optional(),
      image_href: z.string().optional(),
      instance_type_href: z.string().optional(),
      user_data: rsText(16_384).optional(),
      ...Object.fromEntries(
        UNSUPPORTED_INSTANCE.map((k) => [
          k,
          z.undefined({ error: 'is not supported by this service' }).optional(),
        ]),
      ),
    }),
  }),
});
const serverUpdate = z.object({
  server: z.object({ name: rsName().optional(), description: serverDescription }),
});

/** A server of the caller's account by its id alone (API 1.5's servers are not under deployments). */
async function serverOf(ctx: AppContext, caller: RsCaller, id: string): Promise<ServerRecord> {
  authorizeAccount(caller.principal, caller.accountId, 'account.read');
  const s = await serverRepository.findServer(ctx.db, id);
  if (!s || s.accountId !== caller.accountId) throw new NotFoundError('server', id);
  return s;
}

/** The server behind an instance href in that cloud (see the presenter for the shapes). */
async function instanceOf(ctx: AppContext, caller: RsCaller, cloudId: string, id: string) {
  const { serverId, which } = instanceIdParts(id);
  const s = await serverOf(ctx, caller, serverId).catch((e: unknown) => {
    throw e instanceof NotFoundError ? new NotFoundError('instance', id) : e;
  });
  if (s.cloudId !== cloudId || (which === 'current' && !hasCurrentInstance(s)))
    throw new NotFoundError('instance', id);
  return { s, which } as const;
}

/**
 * API 1.5 deployments (index, show, create, update, destroy), servers (index, show, create,
 * update, destroy, launch, terminate) and their instances (show, launch, terminate) over the
 * deployment and lifecycle services (R-RS). Creating a server resolves and pins its image the
 * way /v1 does (R-SRV-1..4: the template must support the cloud; an image or type named by the
 * caller must fit); launching goes through the cloud's driver (R-LCH-1).
 */
export function deploymentsRoutes(api: FastifyInstance, ctx: AppContext): void {
  const accountDeployments = (caller: RsCaller) =>
    allPages((cursor) =>
      deployments.listDeployments(ctx, caller.principal, caller.accountId, { limit: PAGE, cursor }),
    );

  // ------------------------------------------------------------ deployments

  api.get('/deployments', async (request, reply) => {
    const caller = callerOf(request);
    const params = paramsOf(request);
    const view = parseView(params, DEPLOYMENT_VIEWS);
    const filters = parseFilters(params, DEPLOYMENT_FILTERS);
    const found = (await accountDeployments(caller)).filter((d) =>
      matchesFilters(filters, (f) => (f === 'name' ? d.name : d.description)),
    );
    return sendCollection(
      reply,
      'deployment',
      found.map((d) => presentDeployment(d, view)),
    );
  });

  api.get<WithId>('/deployments/:id', async (request, reply) => {
    const caller = callerOf(request);
    const view = parseView(paramsOf(request), DEPLOYMENT_VIEWS);
    const d = await deployments.getDeployment(ctx, caller.principal, caller.accountId, request.params.id);
    return sendResource(reply, 'deployment', presentDeployment(d, view));
  });

  api.post('/deployments', async (request, reply) => {
    const caller = callerOf(request);
    const { deployment: p } = parseParams(deploymentFields, paramsOf(request));
    const d = await deployments.createDeployment(ctx, caller.principal, caller.accountId, {
      name: p.name,
      description: p.description ?? '',
    });
    return sendCreated(reply, hrefs.deployment(d.id));
  });

  api.put<WithId>('/deployments/:id', async (request, reply) => {
    const caller = callerOf(request);
    const { deployment: p } = parseParams(deploymentUpdate, paramsOf(request));
    const patch = Object.fromEntries(
      Object.entries({ name: p.name, description: p.description }).filter(([, v]) => v !== undefined),
    );
    if (Object.keys(patch).length > 0)
      await deployments.updateDeployment(ctx, caller.principal, caller.accountId, request.params.id, patch);
    else await deployments.getDeployment(ctx, caller.principal, caller.accountId, request.params.id);
    return sendNoContent(reply);
  });

  api.delete<WithId>('/deployments/:id', async (request, reply) => {
    const caller = callerOf(request);
    const { id } = request.params;
    const servers = await allPages((cursor) =>
      deployments.listServers(ctx, caller.principal, caller.accountId, id, { limit: PAGE, cursor }),
    );
    // R-DEP-1: refused while a server runs; its servers (and their tags) go with it.
    await deployments.deleteDeployment(ctx, caller.principal, caller.accountId, id);
    for (const href of [hrefs.deployment(id), ...servers.map((s) => hrefs.server(s.id))])
      await rs15Repository.removeAllTags(ctx.db, caller.accountId, href);
    return sendNoContent(reply);
  });

  // ------------------------------------------------------------ servers

  async function serverIndex(request: FastifyRequest, deploymentId?: string) {
    const caller = callerOf(request);
    const params = paramsOf(request);
    const view = parseView(params, SERVER_VIEWS);
    const filters = parseFilters(params, SERVER_FILTERS).map((f) =>
      f.field.endsWith('_href') ? { ...f, value: pathOf(f.value) } : f,
    );
    const scope = deploymentId
      ? [await deployments.getDeployment(ctx, caller.principal, caller.accountId, deploymentId)]
      : await accountDeployments(caller);
    const byDeployment = filters.filter((f) => f.field === 'deployment_href');
    // One exact cloud_href narrows the service's query; the filters below still decide.
    const cloud = kindOfHref(exactFilter(filters, 'cloud_href') ?? '');
    const cloudId = cloud?.kind === 'cloud' ? cloud.ids[0] : undefined;
    const found: ServerRecord[] = [];
    for (const d of scope) {
      if (!matchesFilters(byDeployment, () => hrefs.deployment(d.id))) continue;
      const servers = await allPages((cursor) =>
        deployments.listServers(ctx, caller.principal, caller.accountId, d.id, {
          limit: PAGE,
          cursor,
          cloudId,
        }),
      );
      found.push(
        ...servers.filter((s) =>
          matchesFilters(filters, (f) => {
            if (f === 'deployment_href') return hrefs.deployment(s.deploymentId);
            if (f === 'cloud_href') return hrefs.cloud(s.cloudId);
            return s.name;
          }),
        ),
      );
    }
    return found.map((s) => presentServer(s, caller, view));
  }

  api.get('/servers', async (request, reply) => sendCollection(reply, 'server', await serverIndex(request)));
  api.get<WithId>('/deployments/:id/servers', async (request, reply) =>
    sendCollection(reply, 'server', await serverIndex(request, request.params.id)),
  );

  async function createServer(request: FastifyRequest, pathDeploymentId?: string) {
    const caller = callerOf(request);
    const { server: p } = parseParams(serverFields, paramsOf(request));
    const at = (k: string) => `server[instance][${k}]`;
    const deploymentId =
      pathDeploymentId ??
      (p.deployment_href === undefined
        ? undefined
        : idOfHref('deployment', p.deployment_href, 'server[deployment_href]'));
    if (!deploymentId) throw invalidParameter('Missing required parameter server[deployment_href]');
    const i = p.instance;
    const cloudId = idOfHref('cloud', i.cloud_href, at('cloud_href'));
    const inCloud = (key: 'image_href' | 'instance_type_href', kind: 'image' | 'instanceType') => {
      const href = i[key];
      if (href === undefined) return undefined;
      const [cloud, id] = idsOfHref(kind, href, at(key));
      if (cloud !== cloudId)
        throw invalidParameter(
          `${at(key)} must name an ${kind === 'image' ? 'image' : 'instance type'} of ${i.cloud_href}`,
        );
      return id;
    };
    const server = await deployments.createServer(ctx, caller.principal, caller.accountId, deploymentId, {
      name: p.name,
      cloudId,
      serverTemplateId: idOfHref('serverTemplate', i.server_template_href, at('server_template_href')),
      mciId:
        i.multi_cloud_image_href === undefined
          ? undefined
          : idOfHref('mci', i.multi_cloud_image_href, at('multi_cloud_image_href')),
      imageId: inCloud('image_href', 'image'),
      instanceTypeId: inCloud('instance_type_href', 'instanceType'),
      userData: i.user_data,
    });
    return hrefs.server(server.id);
  }

  api.post('/servers', async (request, reply) => sendCreated(reply, await createServer(request)));
  api.post<WithId>('/deployments/:id/servers', async (request, reply) =>
    sendCreated(reply, await createServer(request, request.params.id)),
  );

  api.get<WithId>('/servers/:id', async (request, reply) => {
    const caller = callerOf(request);
    const view = parseView(paramsOf(request), SERVER_VIEWS);
    return sendResource(
      reply,
      'server',
      presentServer(await serverOf(ctx, caller, request.params.id), caller, view),
    );
  });

  api.put<WithId>('/servers/:id', async (request, reply) => {
    const caller = callerOf(request);
    const { server: p } = parseParams(serverUpdate, paramsOf(request));
    const s = await serverOf(ctx, caller, request.params.id);
    if (p.name !== undefined)
      await deployments.updateServer(ctx, caller.principal, caller.accountId, s.deploymentId, s.id, {
        name: p.name,
      });
    else authorizeAccount(caller.principal, caller.accountId, 'server.write');
    return sendNoContent(reply);
  });

  api.delete<WithId>('/servers/:id', async (request, reply) => {
    const caller = callerOf(request);
    const s = await serverOf(ctx, caller, request.params.id);
    await deployments.deleteServer(ctx, caller.principal, caller.accountId, s.deploymentId, s.id);
    await rs15Repository.removeAllTags(ctx.db, caller.accountId, hrefs.server(s.id));
    return sendNoContent(reply);
  });

  /** Launch: 201 with the instance that now runs (API 1.5 answers with its Location). */
  async function launch(caller: RsCaller, s: ServerRecord) {
    const launched = await lifecycle.launchServer(
      ctx,
      caller.principal,
      caller.accountId,
      s.deploymentId,
      s.id,
    );
    return currentInstanceHref(launched);
  }

  async function terminate(caller: RsCaller, s: ServerRecord) {
    await lifecycle.terminateServer(ctx, caller.principal, caller.accountId, s.deploymentId, s.id);
  }

  api.post<WithId>('/servers/:id/launch', async (request, reply) => {
    const caller = callerOf(request);
    return sendCreated(reply, await launch(caller, await serverOf(ctx, caller, request.params.id)));
  });

  api.post<WithId>('/servers/:id/terminate', async (request, reply) => {
    const caller = callerOf(request);
    await terminate(caller, await serverOf(ctx, caller, request.params.id));
    return sendNoContent(reply);
  });

  // ------------------------------------------------------------ instances

  api.get<WithInstance>('/clouds/:c/instances/:id', async (request, reply) => {
    const caller = callerOf(request);
    parseView(paramsOf(request), INSTANCE_VIEWS);
    const { s, which } = await instanceOf(ctx, caller, request.params.c, request.params.id);
    return sendResource(reply, 'instance', presentInstance(s, which, caller));
  });

  api.post<WithInstance>('/clouds/:c/instances/:id/launch', async (request, reply) => {
    const caller = callerOf(request);
    const { s, which } = await instanceOf(ctx, caller, request.params.c, request.params.id);
    if (which === 'current')
      throw new RsError(
        422,
        'ActionNotAllowed',
        'A current instance is not launched: launch the next instance',
      );
    return sendCreated(reply, await launch(caller, s));
  });

  api.post<WithInstance>('/clouds/:c/instances/:id/terminate', async (request, reply) => {
    const caller = callerOf(request);
    const { s, which } = await instanceOf(ctx, caller, request.params.c, request.params.id);
    if (which === 'next')
      throw new RsError(
        422,
        'ActionNotAllowed',
        'A next instance is not running: terminate the current instance',
      );
    await terminate(caller, s);
    return sendNoContent(reply);
  });
}
