/**
 * Deployments, servers and their instances as API 1.5 media types (R-RS): the attributes of rsc's
 * Go structs (`Deployment`, `Server`, `Instance`) that the service can fill truthfully, with
 * `links` and the contextual `actions` the caller may take now (from core's `serverActions`).
 */
import {
  hasStoppedInstance,
  isIdle,
  launchView,
  serverActions,
  type InheritedFrom,
  type ServerState,
} from '@mci/core';
import type { DeploymentRecord, ServerRecord } from '@mci/db';
import { actionsOf, hrefs, linksOf, rubyTime, type RsCaller, type RsLink } from './wire.ts';

export type DeploymentView = 'default' | 'inputs' | 'inputs_2_0';
export const DEPLOYMENT_VIEWS: readonly DeploymentView[] = ['default', 'inputs', 'inputs_2_0'];
export type ServerView = 'default' | 'instance_detail';
export const SERVER_VIEWS: readonly ServerView[] = ['default', 'instance_detail'];
/** An instance shows the same attributes in every view (the service has none of the extras). */
export const INSTANCE_VIEWS = ['default', 'extended', 'full'] as const;

/**
 * A server's two instances are named after the server in its cloud: the next one (what a launch
 * starts) is `/api/clouds/:cloud/instances/:server`, the one that runs now (while one does)
 * `/api/clouds/:cloud/instances/:server-current`. Server ids (`srv_<ulid>`) never contain `-`.
 */
const CURRENT = '-current';
type Placed = Pick<ServerRecord, 'id' | 'cloudId'>;
export const nextInstanceHref = (s: Placed) => `${hrefs.cloud(s.cloudId)}/instances/${s.id}`;
export const currentInstanceHref = (s: Placed) => `${nextInstanceHref(s)}${CURRENT}`;
export type InstanceFace = 'next' | 'current';

/** The server and face an instance id names (`srv_…` or `srv_…-current`). */
export function instanceIdParts(id: string): { serverId: string; which: InstanceFace } {
  return id.endsWith(CURRENT)
    ? { serverId: id.slice(0, -CURRENT.length), which: 'current' }
    : { serverId: id, which: 'next' };
}

/** Whether the server has an instance in the cloud now (a stopped one counts: it can be terminated). */
export const hasCurrentInstance = (s: ServerRecord) => !isIdle(s.state) || hasStoppedInstance(s);

/**
 * API 1.5's server states for the service's: the same words, except a server whose instance the
 * cloud stopped and lost (`stopped`, nothing left to terminate), which API 1.5 calls `terminated`.
 */
const STATE_WORDS: Record<ServerState, string> = {
  inactive: 'inactive',
  pending: 'pending',
  booting: 'booting',
  operational: 'operational',
  terminating: 'terminating',
  stopped: 'stopped',
};
export const serverStateOf = (s: ServerRecord) =>
  s.state === 'stopped' && !hasStoppedInstance(s) ? 'terminated' : STATE_WORDS[s.state];

/** Where an inherited value came from, as a link's `inherited_source`; a value the user named has none. */
const SOURCE_WORDS: Record<InheritedFrom, string | undefined> = {
  mci: 'multi_cloud_image',
  server_template: 'server_template',
  user: undefined,
};

function withSource(rel: string, href: string, from?: InheritedFrom): RsLink {
  const source = from && SOURCE_WORDS[from];
  return source ? { rel, href, inherited_source: source } : { rel, href };
}

export function presentDeployment(d: DeploymentRecord, view: DeploymentView = 'default') {
  const self = hrefs.deployment(d.id);
  return {
    name: d.name,
    description: d.description,
    // Tags are each server's own; no account-wide scope exists.
    server_tag_scope: 'deployment',
    // The service has no inputs (no RightScripts); the input views say so with an empty list.
    inputs: view === 'default' ? undefined : [],
    links: linksOf(self, { servers: `${self}/servers` }),
    actions: [],
  };
}

/**
 * The next instance (what a launch starts: the pinned MCI, image, type and user data, with where
 * each was inherited from) or the current one (what was launched; its MCI only while the next
 * launch would use the same image and type, as the running instance does not record it).
 */
export function presentInstance(s: ServerRecord, which: InstanceFace, caller: RsCaller) {
  const allowed = serverActions(caller.principal, caller.accountId, s);
  const { current, next, nextDiffers } = launchView(s);
  const spec = which === 'current' && current ? current : next;
  const from = which === 'next' ? s.inheritedSource : undefined;
  const showMci = which === 'next' || !nextDiffers;
  return {
    name: s.name,
    state: which === 'next' ? 'inactive' : serverStateOf(s),
    resource_uid: which === 'current' ? (s.providerInstanceId ?? undefined) : undefined,
    user_data: spec.userData ?? undefined,
    created_at: rubyTime(which === 'current' ? (s.launchedAt ?? s.createdAt) : s.createdAt),
    updated_at: rubyTime(which === 'current' ? (s.stateChangedAt ?? s.updatedAt) : s.updatedAt),
    links: [
      ...linksOf(which === 'next' ? nextInstanceHref(s) : currentInstanceHref(s), {
        cloud: hrefs.cloud(s.cloudId),
        parent: hrefs.server(s.id),
        deployment: hrefs.deployment(s.deploymentId),
        server_template: hrefs.serverTemplate(s.serverTemplateId),
      }),
      ...(showMci ? [withSource('multi_cloud_image', hrefs.mci(s.mciId), from?.mci)] : []),
      withSource('image', hrefs.image(s.cloudId, spec.imageId), from?.image),
      withSource('instance_type', hrefs.instanceType(s.cloudId, spec.instanceTypeId), from?.instanceType),
    ],
    actions: actionsOf([
      which === 'next' && allowed.includes('launch') && 'launch',
      which === 'current' && allowed.includes('terminate') && 'terminate',
    ]),
  };
}

/** A server; `instance_detail` embeds its next instance and, while one exists, its current one. */
export function presentServer(s: ServerRecord, caller: RsCaller, view: ServerView = 'default') {
  const allowed = serverActions(caller.principal, caller.accountId, s);
  const current = hasCurrentInstance(s);
  const detail = view === 'instance_detail';
  return {
    name: s.name,
    state: serverStateOf(s),
    created_at: rubyTime(s.createdAt),
    updated_at: rubyTime(s.updatedAt),
    next_instance: detail ? presentInstance(s, 'next', caller) : undefined,
    current_instance: detail && current ? presentInstance(s, 'current', caller) : undefined,
    links: linksOf(hrefs.server(s.id), {
      deployment: hrefs.deployment(s.deploymentId),
      current_instance: current ? currentInstanceHref(s) : undefined,
      next_instance: nextInstanceHref(s),
    }),
    actions: actionsOf([
      allowed.includes('launch') && 'launch',
      allowed.includes('terminate') && 'terminate',
    ]),
  };
}
