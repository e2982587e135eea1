import { isAllowed, type Principal } from './access.ts';
import { imageUnusableReason, type Cloud, type Image, type InstanceType } from './catalog.ts';
import { ConflictError, InputError } from './errors.ts';
import { hasStoppedInstance, type ServerLifecycle } from './lifecycle.ts';
import type { MciSetting, Warning } from './mci.ts';
import { chooseMciForCloud, supportedClouds, type LinkWithSettings } from './template.ts';

export const SERVER_STATES = [
  'inactive',
  'pending',
  'booting',
  'operational',
  'terminating',
  'stopped',
] as const;
export type ServerState = (typeof SERVER_STATES)[number];

/** States in which nothing runs: a change needs no next launch, and the server may be launched. */
export const IDLE_STATES: readonly ServerState[] = ['inactive', 'stopped'];

export function isIdle(state: ServerState): boolean {
  return IDLE_STATES.includes(state);
}

export type InheritedFrom = 'server_template' | 'mci' | 'user';

export interface InheritedSource {
  mci: InheritedFrom;
  image: InheritedFrom;
  instanceType: InheritedFrom;
}

/** What a server is: where it runs and what it launches with (pinned at creation, R-SRV-4). */
export interface ServerDefinition {
  deploymentId: string;
  accountId: string;
  name: string;
  cloudId: string;
  serverTemplateId: string;
  mciId: string;
  imageId: string;
  instanceTypeId: string;
  userData: string | null;
  inheritedSource: InheritedSource;
}

/**
 * A server: its definition plus its lifecycle (SPEC §7), which only launch, terminate and the
 * reconciler change (R-LCH-4: clients never set `state`).
 */
export interface Server extends ServerDefinition, ServerLifecycle {
  id: string;
}

export interface ResolutionLink extends LinkWithSettings {
  settings: readonly MciSetting[];
}

/** What the caller asked for explicitly; anything missing is inherited. */
export interface ServerRequest {
  cloudId: string;
  mciId?: string;
  imageId?: string;
  instanceTypeId?: string;
  userData?: string | null;
}

export interface ResolvedServer {
  mciId: string;
  imageId: string;
  instanceTypeId: string;
  userData: string | null;
  inheritedSource: InheritedSource;
}

const REASONS = {
  private_not_shared: 'the image is private to another account and not shared with this account',
  unavailable: 'the image is marked unavailable',
  not_found: 'the image no longer exists',
} as const;

/**
 * R-SRV-6: `image <resourceUid> is unavailable in <cloud>: <reason>`.
 * @rule R-SRV-6
 */
export function assertLaunchable(
  image: Image | undefined,
  imageId: string,
  cloud: Pick<Cloud, 'name'>,
  accountId: string,
): asserts image is Image {
  const reason = image ? imageUnusableReason(image, accountId) : 'not_found';
  if (reason) {
    const sentence =
      reason === 'unavailable' && image?.unavailableReason
        ? unavailableSentence(image.unavailableReason)
        : REASONS[reason];
    throw new InputError(
      'image_unavailable',
      `image ${image?.resourceUid ?? imageId} is unavailable in ${cloud.name}: ${sentence}`,
      {
        errors: [{ path: 'imageId', message: sentence }],
        details: {
          imageId,
          reason,
          ...(image?.unavailableReason ? { unavailableReason: image.unavailableReason } : {}),
        },
      },
    );
  }
}

/** Why an unavailable image is, in words: the cloud deregistered it, or the recorded reason. */
export function unavailableSentence(unavailableReason: string): string {
  return unavailableReason === 'deregistered'
    ? 'the image was deregistered from the cloud'
    : `the image is marked unavailable (${unavailableReason})`;
}

/**
 * R-SRV-1/2/3/6: picks the MCI for the cloud (explicit, else default, else first by position),
 * then image, instance type and user data (explicit, else that MCI's setting for the cloud),
 * and checks the result can launch. Pure: the caller supplies every image and instance type
 * the resolution may touch. Resolution happens once, at creation (R-SRV-4): the result is pinned.
 * @rule R-SRV-1
 * @rule R-SRV-2
 * @rule R-SRV-4
 */
export function resolveServerImage(input: {
  accountId: string;
  cloud: Pick<Cloud, 'id' | 'name'>;
  links: readonly ResolutionLink[];
  request: ServerRequest;
  cloudsById: ReadonlyMap<string, Pick<Cloud, 'id' | 'name'>>;
  images: ReadonlyMap<string, Image>;
  instanceTypes: ReadonlyMap<string, InstanceType>;
}): ResolvedServer {
  const { cloud, links, request } = input;
  const supported = supportedClouds(links, input.cloudsById);
  if (!supported.some((c) => c.cloudId === cloud.id)) {
    throw new InputError(
      'cloud_not_supported',
      `The template does not support cloud ${cloud.name}; it supports: ${supported.map((c) => c.cloudName).join(', ') || 'no cloud (its MCIs have no settings)'}`,
      {
        errors: [{ path: 'cloudId', message: 'not supported by the template' }],
        details: { supportedClouds: supported.map((c) => ({ id: c.cloudId, name: c.cloudName })) },
      },
    );
  }
  let link: ResolutionLink | undefined;
  if (request.mciId) {
    link = links.find((l) => l.mciId === request.mciId);
    if (!link) {
      throw new InputError('mci_not_linked', `MCI ${request.mciId} is not linked to this template`, {
        errors: [{ path: 'mciId', message: 'must be one of the template’s linked MCIs' }],
      });
    }
    if (!link.settings.some((s) => s.cloudId === cloud.id)) {
      throw new InputError(
        'mci_cloud_not_supported',
        `MCI ${request.mciId} has no setting for cloud ${cloud.name}`,
        {
          errors: [{ path: 'mciId', message: `has no setting for ${cloud.name}` }],
        },
      );
    }
  } else {
    link = chooseMciForCloud(links, cloud.id)!;
  }
  const setting = link.settings.find((s) => s.cloudId === cloud.id)!;
  return resolveFromSetting(input, setting, link.mciId, request.mciId ? 'user' : 'server_template');
}

/**
 * R-SRV-3/5: image, instance type and user data from an MCI's setting unless given explicitly;
 * explicit ones must be in the cloud, usable, and fit the image's architecture.
 * @rule R-SRV-3
 */
export function resolveFromSetting(
  input: {
    accountId: string;
    cloud: Pick<Cloud, 'id' | 'name'>;
    request: Omit<ServerRequest, 'cloudId' | 'mciId'>;
    images: ReadonlyMap<string, Image>;
    instanceTypes: ReadonlyMap<string, InstanceType>;
  },
  setting: MciSetting,
  mciId: string,
  mciSource: InheritedFrom,
): ResolvedServer {
  const { cloud, request } = input;
  const imageId = request.imageId ?? setting.imageId;
  const image = input.images.get(imageId);
  if (request.imageId && (!image || image.cloudId !== cloud.id)) {
    throw new InputError(
      'image_cloud_mismatch',
      `image ${request.imageId} is not an image of cloud ${cloud.name}`,
      {
        errors: [{ path: 'imageId', message: `not in cloud ${cloud.name}` }],
      },
    );
  }
  assertLaunchable(image, imageId, cloud, input.accountId);
  const instanceTypeId = request.instanceTypeId ?? setting.instanceTypeId;
  const type = input.instanceTypes.get(instanceTypeId);
  if (request.instanceTypeId && (!type || type.cloudId !== cloud.id)) {
    throw new InputError(
      'instance_type_cloud_mismatch',
      `instance type ${request.instanceTypeId} is not in cloud ${cloud.name}`,
      { errors: [{ path: 'instanceTypeId', message: `not in cloud ${cloud.name}` }] },
    );
  }
  if (type && !type.cpuArchitectures.includes(image.cpuArchitecture)) {
    throw new InputError(
      'architecture_mismatch',
      `instance type ${type.resourceUid} (${type.cpuArchitectures.join(', ')}) cannot run image ${image.resourceUid} (${image.cpuArchitecture})`,
      {
        errors: [
          {
            path: request.instanceTypeId ? 'instanceTypeId' : 'imageId',
            message: 'architectures do not fit',
          },
        ],
      },
    );
  }
  return {
    mciId,
    imageId,
    instanceTypeId,
    userData: request.userData !== undefined ? request.userData : setting.userData,
    inheritedSource: {
      mci: mciSource,
      image: request.imageId ? 'user' : 'mci',
      instanceType: request.instanceTypeId ? 'user' : 'mci',
    },
  };
}

/** What a server is pinned to, and by whom each part was chosen. */
export type ServerPin = Pick<
  Server,
  'name' | 'cloudId' | 'mciId' | 'imageId' | 'instanceTypeId' | 'userData' | 'inheritedSource' | 'state'
>;

/** A change to an existing server: rename, or what its next launch uses (never its state: R-LCH-4). */
export interface ServerPatch {
  name?: string;
  mciId?: string;
  imageId?: string;
  instanceTypeId?: string;
  userData?: string | null;
}

/**
 * R-SRV-5: points an existing server at another MCI (which must have a setting for the server's
 * cloud; image and instance type are re-resolved from it unless given) or at any usable image or
 * instance type of its cloud, even one no MCI names. Changes to what launches, made while the
 * server runs, apply at its next launch: the result warns `applies_next_launch`; what runs now
 * (`running`, R-LCH-4) is not part of the pin and stays as launched.
 * Pure: `mci` is the MCI `patch.mciId` names; images and instance types are those it may touch.
 * @rule R-SRV-5
 */
export function repointServer(input: {
  accountId: string;
  cloud: Pick<Cloud, 'id' | 'name'>;
  current: ServerPin;
  patch: ServerPatch;
  mci?: { id: string; name: string; settings: readonly MciSetting[] };
  images: ReadonlyMap<string, Image>;
  instanceTypes: ReadonlyMap<string, InstanceType>;
}): { next: ServerPin; warnings: Warning[] } {
  const { cloud, current, patch } = input;
  let next: ServerPin = { ...current };
  const launchChange = Boolean(
    patch.mciId || patch.imageId || patch.instanceTypeId || patch.userData !== undefined,
  );
  if (patch.mciId) {
    const mci = input.mci;
    if (!mci || mci.id !== patch.mciId) throw new Error(`repointServer needs MCI ${patch.mciId}`);
    const setting = mci.settings.find((s) => s.cloudId === current.cloudId);
    if (!setting) {
      throw new InputError(
        'mci_cloud_not_supported',
        `MCI "${mci.name}" has no setting for cloud ${cloud.name}`,
        {
          errors: [{ path: 'mciId', message: `has no setting for ${cloud.name}` }],
        },
      );
    }
    next = { ...next, ...resolveFromSetting({ ...input, request: patch }, setting, mci.id, 'user') };
  } else if (launchChange) {
    const pinned: MciSetting = {
      cloudId: current.cloudId,
      imageId: current.imageId,
      instanceTypeId: current.instanceTypeId,
      userData: current.userData,
    };
    const resolved = resolveFromSetting(
      { ...input, request: patch },
      pinned,
      current.mciId,
      current.inheritedSource.mci,
    );
    next = {
      ...next,
      ...resolved,
      inheritedSource: {
        mci: current.inheritedSource.mci,
        image: patch.imageId ? 'user' : current.inheritedSource.image,
        instanceType: patch.instanceTypeId ? 'user' : current.inheritedSource.instanceType,
      },
    };
  }
  if (patch.name) next.name = patch.name;
  const warnings: Warning[] =
    launchChange && !isIdle(current.state)
      ? [
          {
            code: 'applies_next_launch',
            message: `server "${next.name}" is ${current.state}: the change applies at its next launch`,
          },
        ]
      : [];
  return { next, warnings };
}

/**
 * R-DEP-1 (docs/RULES.md): a deployment is deleted with its servers only while every server is
 * idle (inactive or stopped); otherwise 409 listing the running servers.
 * @rule R-DEP-1
 */
export function assertDeploymentDeletable(
  deployment: { name: string },
  servers: readonly Pick<Server, 'name' | 'state'>[],
): void {
  const running = servers.filter((s) => !isIdle(s.state));
  if (running.length > 0) {
    throw new ConflictError(
      'deployment_has_running_servers',
      `Deployment "${deployment.name}" has running servers: ${running.map((s) => `${s.name} (${s.state})`).join(', ')}; terminate them first`,
      { details: { servers: running.map((s) => ({ name: s.name, state: s.state })) } },
    );
  }
}

/** What a caller may do to a server; the API returns it as `actions`. */
export const SERVER_ACTIONS = ['edit', 'repoint', 'launch', 'terminate', 'delete'] as const;
export type ServerAction = (typeof SERVER_ACTIONS)[number];

const RUNNING_STATES: readonly ServerState[] = ['pending', 'booting', 'operational'];

/**
 * The actions the caller may take on a server of `accountId`, from their roles (SPEC §4: an
 * `actor` creates, launches and terminates servers) and its state: an idle server can be
 * launched, a pending, booting or operational one (or one stopped in the cloud whose instance
 * still exists) terminated, but not while its launch waits for the cloud; an idle one removed;
 * renaming, re-pointing (R-SRV-5)
 * and removing need only the role. The service still enforces each rule.
 */
export function serverActions(
  principal: Principal,
  accountId: string,
  server: Pick<Server, 'accountId' | 'state'> & Partial<Pick<Server, 'providerInstanceId' | 'running'>>,
): ServerAction[] {
  if (server.accountId !== accountId || !isAllowed(principal, accountId, 'server.write')) return [];
  const actions: ServerAction[] = ['edit', 'repoint'];
  if (isIdle(server.state)) actions.push('launch');
  // A launch still waiting for the cloud's answer (pending, no instance yet) cannot be terminated.
  const launchInFlight = server.state === 'pending' && server.providerInstanceId === null;
  if (
    (RUNNING_STATES.includes(server.state) && !launchInFlight) ||
    hasStoppedInstance({ ...server, providerInstanceId: server.providerInstanceId ?? null })
  )
    actions.push('terminate');
  // A server is removed only while nothing runs (terminate it first, as R-DEP-1 for deployments).
  if (isIdle(server.state)) actions.push('delete');
  return actions;
}
