import { imageUnusableReason, type Cloud, type Image, type InstanceType } from './catalog.ts';
import { InputError } from './errors.ts';
import type { MciSetting } from './mci.ts';
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

export type InheritedFrom = 'server_template' | 'mci' | 'user';

export interface InheritedSource {
  mci: InheritedFrom;
  image: InheritedFrom;
  instanceType: InheritedFrom;
}

export interface Server {
  id: string;
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
  state: ServerState;
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

/** R-SRV-6: `image <resourceUid> is unavailable in <cloud>: <reason>`. */
export function assertLaunchable(
  image: Image | undefined,
  imageId: string,
  cloud: Pick<Cloud, 'name'>,
  accountId: string,
): asserts image is Image {
  const reason = image ? imageUnusableReason(image, accountId) : 'not_found';
  if (reason) {
    throw new InputError(
      'image_unavailable',
      `image ${image?.resourceUid ?? imageId} is unavailable in ${cloud.name}: ${REASONS[reason]}`,
      { errors: [{ path: 'imageId', message: REASONS[reason] }], details: { imageId, reason } },
    );
  }
}

/**
 * R-SRV-1/2/3/6: picks the MCI for the cloud (explicit, else default, else first by position),
 * then image, instance type and user data (explicit, else that MCI's setting for the cloud),
 * and checks the result can launch. Pure: the caller supplies every image and instance type
 * the resolution may touch.
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
