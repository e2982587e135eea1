/** Cloud catalog model (SPEC §2) and the rules about who can use an image. */
import type { CloudDriverName } from './cloud.ts';

export const CLOUD_TYPES = ['aws', 'azure', 'google', 'openstack', 'vsphere', 'simulated'] as const;
export type CloudType = (typeof CLOUD_TYPES)[number];

export const CPU_ARCHITECTURES = ['i386', 'x86_64', 'arm64'] as const;
export type CpuArchitecture = (typeof CPU_ARCHITECTURES)[number];

export const IMAGE_VISIBILITIES = ['public', 'private'] as const;
export type ImageVisibility = (typeof IMAGE_VISIBILITIES)[number];

export const IMAGE_STATES = ['available', 'deprecated', 'unavailable'] as const;
export type ImageState = (typeof IMAGE_STATES)[number];

export interface Cloud {
  id: string;
  name: string;
  cloudType: CloudType;
  region: string;
  description: string;
  /** How the service talks to the cloud (R-CLD): `simulated`, `aws`, or `none` (catalog by hand). */
  driver: CloudDriverName;
  /** R-CLD-3: what a sync lists: owners (`amazon`, `self`, account ids) and name patterns. */
  sync: CloudSyncConfig;
  lastSyncedAt: string | null;
}

export interface CloudSyncConfig {
  owners: string[];
  nameFilters: string[];
  /** A scheduled sync every so many seconds; null → only on request. */
  intervalSeconds: number | null;
}

export interface Image {
  id: string;
  cloudId: string;
  resourceUid: string;
  name: string;
  description: string;
  osFamily: string;
  osVersion: string;
  cpuArchitecture: CpuArchitecture;
  virtualizationType: string;
  rootDeviceType: string;
  visibility: ImageVisibility;
  ownerAccountId: string | null;
  launchPermissions: string[];
  state: ImageState;
  deprecatedAt: string | null;
  replacementImageId: string | null;
  /** Why it is unavailable (`deregistered`, …) and since when (R-CLD-3); null while usable. */
  unavailableReason: string | null;
  unavailableAt: string | null;
  /** The cloud principal that owns it (AWS account id), as the cloud reported it. */
  ownerPrincipal: string | null;
  /** R-CLD-4: launch-permission principals of the cloud that no account is known by. */
  unknownPrincipals: string[];
  /** Which sync keeps the row (`cloud` or `account:<id>`); null for images registered by hand. */
  syncScope: string | null;
}

/** Image fields only syncs set; an image registered by hand leaves them at their defaults. */
export type ImageSyncFields =
  'unavailableReason' | 'unavailableAt' | 'ownerPrincipal' | 'unknownPrincipals' | 'syncScope';

export interface InstanceType {
  id: string;
  cloudId: string;
  resourceUid: string;
  name: string;
  cpuCount: number;
  memoryMb: number;
  cpuArchitectures: CpuArchitecture[];
}

/** An image as a seed describes it: what the cloud reports about it, before ids and access exist. */
export type CatalogImageFacts = Pick<
  Image,
  | 'resourceUid'
  | 'name'
  | 'description'
  | 'osFamily'
  | 'osVersion'
  | 'cpuArchitecture'
  | 'virtualizationType'
  | 'rootDeviceType'
>;

/** An instance type as a seed describes it (no ids yet). */
export type CatalogInstanceTypeFacts = Omit<InstanceType, 'id' | 'cloudId'>;

/** One cloud of the demo catalog with its instance types and images. */
export interface DemoCatalogCloud extends Pick<Cloud, 'name' | 'cloudType' | 'region' | 'description'> {
  instanceTypes: CatalogInstanceTypeFacts[];
  images: CatalogImageFacts[];
}

/**
 * The demo catalog that ships with the server (`demo-catalog.json`): written by
 * `scripts/build-demo-catalog.ts`, loaded by the first start with `SEED=demo`.
 */
export interface DemoCatalog {
  /** Where the facts come from, in a sentence (recorded in the audit trail when loaded). */
  source: string;
  generatedBy: string;
  clouds: DemoCatalogCloud[];
}

/** What a caller gives to create an image: the facts plus access and state (ids of the owner, replacement). */
export interface NewImageInput extends CatalogImageFacts {
  visibility: ImageVisibility;
  ownerAccountId?: string | null;
  launchPermissions: string[];
  state: ImageState;
  replacementImageId?: string | null;
}

/**
 * The image row a new image becomes in `cloudId` at `now`: absent references become null and an
 * image created `deprecated` is stamped with `now` (see {@link nextDeprecatedAt}).
 */
export function newImageFrom(
  cloudId: string,
  input: NewImageInput,
  now: Date,
): Omit<Image, 'id' | ImageSyncFields> {
  return {
    cloudId,
    resourceUid: input.resourceUid,
    name: input.name,
    description: input.description,
    osFamily: input.osFamily,
    osVersion: input.osVersion,
    cpuArchitecture: input.cpuArchitecture,
    virtualizationType: input.virtualizationType,
    rootDeviceType: input.rootDeviceType,
    visibility: input.visibility,
    ownerAccountId: input.ownerAccountId ?? null,
    launchPermissions: input.launchPermissions,
    state: input.state,
    deprecatedAt: input.state === 'deprecated' ? now.toISOString() : null,
    replacementImageId: input.replacementImageId ?? null,
  };
}

/** Why an account may not launch an image; `null` when it can. */
export type ImageUnusableReason = 'private_not_shared' | 'unavailable';

/**
 * Whether an account can launch an image: public, owned by the account, or the account is
 * in its launch permissions — and the image is not `unavailable` (SPEC §2, "can use").
 */
export function imageUnusableReason(
  image: Pick<Image, 'visibility' | 'ownerAccountId' | 'launchPermissions' | 'state'>,
  accountId: string,
): ImageUnusableReason | null {
  if (image.state === 'unavailable') return 'unavailable';
  if (image.visibility === 'public') return null;
  if (image.ownerAccountId === accountId) return null;
  if (image.launchPermissions.includes(accountId)) return null;
  return 'private_not_shared';
}

/** Convenience form of {@link imageUnusableReason}. */
export function canUseImage(
  image: Pick<Image, 'visibility' | 'ownerAccountId' | 'launchPermissions' | 'state'>,
  accountId: string,
): boolean {
  return imageUnusableReason(image, accountId) === null;
}

/**
 * Whether a caller who belongs to `accountIds` may see an image in a listing: public images to
 * everyone, private ones to the owner and to accounts it was shared with.
 */
export function canSeeImage(
  image: Pick<Image, 'visibility' | 'ownerAccountId' | 'launchPermissions'>,
  accountIds: readonly string[],
  isSuperuser: boolean,
): boolean {
  if (isSuperuser || image.visibility === 'public') return true;
  return accountIds.some((a) => a === image.ownerAccountId || image.launchPermissions.includes(a));
}

/**
 * State transition of an image: entering `deprecated` stamps `deprecatedAt` (unless given),
 * leaving it clears the stamp.
 */
export function nextDeprecatedAt(
  current: Pick<Image, 'state' | 'deprecatedAt'>,
  nextState: ImageState,
  now: Date,
  explicit?: string | null,
): string | null {
  if (nextState !== 'deprecated') return null;
  if (explicit !== undefined && explicit !== null) return explicit;
  if (current.state === 'deprecated' && current.deprecatedAt) return current.deprecatedAt;
  return now.toISOString();
}
