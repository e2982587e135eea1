import { authorizeAccount, isAllowed, isIdle, NotFoundError, type InheritedFrom } from '@mci/core';
import { rs15Repository, serverRepository, type DeploymentRecord, type ServerRecord } from '@mci/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import * as deployments from '../../modules/deployment/deployment.service.ts';
import * as lifecycle from '../../modules/deployment/lifecycle.service.ts';
import {
  actionsOf,
  allPages,
  callerOf,
  hrefs,
  idOfHref,
  idsOfHref,
  invalidParameter,
  linksOf,
  matchesFilters,
  paramsOf,
  parseFilters,
  parseParams,
  parseView,
  pathOf,
  rsName,
  rsText,
  rubyTime,
  sendCollection,
  sendCreated,
  sendNoContent,
  sendResource,
  type RsCaller,
} from './wire.ts';

type WithId = { Params: { id: string } };
type WithInstance = { Params: { c: string; id: string } };

const PAGE = 500;
const DEPLOYMENT_VIEWS = ['default', 'inputs', 'inputs_2_0'] as const;
const SERVER_VIEWS = ['default', 'instance_detail'] as const;
const DEPLOYMENT_FILTERS = { name: { partial: true }, description: { partial: true } };
const SERVER_FILTERS = { name: { partial: true }, deployment_href: {}, cloud_href: {} };

/**
 * Instances are the two faces of a server API 1.5 shows: the next one (what a launch starts, the
 * pinned definition) and, while one runs, the current one. Both are named after the server:
 * `/api/clouds/:c/instances/<server id>` and `…/<server id>-current`.
 */
const CURRENT = '-current';
const nextInstanceHref = (s: ServerRecord) => `${hrefs.cloud(s.cloudId)}/instances/${s.id}`;
const currentInstanceHref = (s: ServerRecord) => `${hrefs.cloud(s.cloudId)}/instances/${s.id}${CURRENT}`;

/** API 1.5's word for where a value came from (`multi_cloud_image`, `server_template`, `user`). */
const SOURCE_WORDS: Record<InheritedFrom, string> = {
  mci: 'multi_cloud_image',
  server_template: 'server_template',
  user: 'user',
};

const deploymentFields = z.object({
  deployment: z.object({
    name: rsName(),
    description: rsText().optional(),
    // One scope exists here: tags are the server's own.
    server_tag_scope: z.enum(['deployment', 'account']).optional(),
  }),
});
const deploymentUpdate = z.object({
  deployment: z.object({
    name: rsName().optional(),
    description: rsText().optional(),
    server_tag_scope: z.enum(['deployment', 'account']).optional(),
  }),
});

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
    description: rsText().optional(),
    deployment_href: z.string().optional(),
    instance: z
      .object({
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
      })
      .passthrough(),
  }),
});
const serverUpdate = z.object({
  server: z.object({ name: rsName().optional(), description: rsText().optional() }),
});

export function presentDeployment(d: DeploymentRecord, view: string) {
  const self = hrefs.deployment(d.id);
  return {
    name: d.name,
    description: d.description,
    server_tag_scope: 'deployment',
    // The service has no inputs (no RightScripts); the input views say so with an empty list.
    inputs: view === 'default' ? undefined : [],
    links: linksOf(self, { servers: `${self}/servers` }),
    actions: [],
  };
}

/** The next instance (view=instance_detail) or the current one: what it launches with and from where. */
export function presentInstance(s: ServerRecord, which: 'next' | 'current') {
  const spec = which === 'current' && s.running ? s.running : s;
  const source = (key: keyof ServerRecord['inheritedSource']) =>
    which === 'next' ? SOURCE_WORDS[s.inheritedSource[key]] : undefined;
  const links = [
    ...linksOf(which === 'next' ? nextInstanceHref(s) : currentInstanceHref(s), {
      cloud: hrefs.cloud(s.cloudId),
      deployment: hrefs.deployment(s.deploymentId),
      server_template: hrefs.serverTemplate(s.serverTemplateId),
    }),
    withSource({ rel: 'multi_cloud_image', href: hrefs.mci(s.mciId) }, source('mci')),
    withSource({ rel: 'image', href: hrefs.image(s.cloudId, spec.imageId) }, source('image')),
    withSource(
      { rel: 'instance_type', href: hrefs.instanceType(s.cloudId, spec.instanceTypeId) },
      source('instanceType'),
    ),
    { rel: 'parent', href: hrefs.server(s.id) },
  ];
  return {
    name: s.name,
    state: which === 'next' ? 'inactive' : s.state,
    resource_uid: which === 'current' ? (s.providerInstanceId ?? undefined) : undefined,
    user_data: spec.userData ?? undefined,
    created_at: rubyTime(which === 'current' ? (s.launchedAt ?? s.createdAt) : s.createdAt),
    updated_at: rubyTime(which === 'current' ? (s.stateChangedAt ?? s.updatedAt) : s.updatedAt),
    links,
    actions: actionsOf([which === 'current' && 'terminate']),
  };
}

function withSource(link: { rel: string; href: string }, source: string | undefined) {
  return source ? { ...link, inherited_source: source } : link;
}

export function presentServer(s: ServerRecord, caller: RsCaller, view: string) {
  const canAct = isAllowed(caller.principal, caller.accountId, 'server.write');
  const running = !isIdle(s.state);
  return {
    name: s.name,
    state: s.state,
    created_at: rubyTime(s.createdAt),
    updated_at: rubyTime(s.updatedAt),
    next_instance: view === 'instance_detail' ? presentInstance(s, 'next') : undefined,
    current_instance: view === 'instance_detail' && running ? presentInstance(s, 'current') : undefined,
    links: linksOf(hrefs.server(s.id), {
      deployment: hrefs.deployment(s.deploymentId),
      current_instance: running ? currentInstanceHref(s) : undefined,
      next_instance: nextInstanceHref(s),
    }),
    actions: actionsOf([
      canAct && !running && 'launch',
      canAct && running && s.state !== 'terminating' && 'terminate',
    ]),
  };
}

/** A server of the caller's account by its id alone (API 1.5's servers are not under deployments). */
async function serverOf(ctx: AppContext, caller: RsCaller, id: string): Promise<ServerRecord> {
  authorizeAccount(caller.principal, caller.accountId, 'account.read');
  const s = await serverRepository.findServer(ctx.db, id);
  if (!s || s.accountId !== caller.accountId) throw new NotFoundError('server', id);
  return s;
}

/** The server behind an instance href (`…/instances/<server id>[-current]`) in that cloud. */
async function instanceOf(ctx: AppContext, caller: RsCaller, cloudId: string, id: string) {
  const which = id.endsWith(CURRENT) ? 'current' : 'next';
  const serverId = which === 'current' ? id.slice(0, -CURRENT.length) : id;
  const s = await serverOf(ctx, caller, serverId).catch(() => {
    throw new NotFoundError('instance', id);
  });
  if (s.cloudId !== cloudId || (which === 'current' && isIdle(s.state)))
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
    const found: ServerRecord[] = [];
    for (const d of scope) {
      const servers = await allPages((cursor) =>
        deployments.listServers(ctx, caller.principal, caller.accountId, d.id, { limit: PAGE, cursor }),
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
    parseView(paramsOf(request), ['default', 'extended', 'full']);
    const { s, which } = await instanceOf(ctx, caller, request.params.c, request.params.id);
    return sendResource(reply, 'instance', presentInstance(s, which));
  });

  api.post<WithInstance>('/clouds/:c/instances/:id/launch', async (request, reply) => {
    const caller = callerOf(request);
    const { s, which } = await instanceOf(ctx, caller, request.params.c, request.params.id);
    if (which === 'current') throw new NotFoundError('instance', request.params.id);
    return sendCreated(reply, await launch(caller, s));
  });

  api.post<WithInstance>('/clouds/:c/instances/:id/terminate', async (request, reply) => {
    const caller = callerOf(request);
    const { s } = await instanceOf(ctx, caller, request.params.c, request.params.id);
    await terminate(caller, s);
    return sendNoContent(reply);
  });
}
