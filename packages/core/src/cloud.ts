/**
 * The port every cloud driver implements (SPEC §6–7): list and describe images, read launch
 * permissions, list instance types, tell who the credentials belong to, and launch, describe and
 * terminate instances. Drivers live in the server package (`simulated`, `aws`); core only knows
 * this shape, so the sync and lifecycle rules are pure functions over it.
 */
import type { CpuArchitecture } from './catalog.ts';

export const CLOUD_DRIVERS = ['none', 'simulated', 'aws'] as const;
/** `none`: the catalog is kept by hand and nothing is launched. */
export type CloudDriverName = (typeof CLOUD_DRIVERS)[number];

/** An image as the cloud reports it. */
export interface CloudImage {
  resourceUid: string;
  name: string;
  description: string;
  /** The principal that owns the image (AWS account id, or an alias such as `amazon`). */
  ownerPrincipal: string;
  isPublic: boolean;
  cpuArchitecture: CpuArchitecture;
  virtualizationType: string;
  rootDeviceType: string;
  osFamily: string;
  osVersion: string;
  /** When the cloud deprecates (or deprecated) the image; undefined when it never does. */
  deprecationTime?: Date;
  /** The cloud's own state word (`available`, `pending`, `failed`, `deregistered` …). */
  cloudState: string;
}

export interface CloudInstanceType {
  resourceUid: string;
  name: string;
  cpuCount: number;
  memoryMb: number;
  cpuArchitectures: CpuArchitecture[];
}

/** The states an instance can be in, as drivers normalise them. */
export const INSTANCE_STATES = [
  'pending',
  'booting',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export interface CloudInstance {
  instanceId: string;
  state: InstanceState;
  imageUid: string;
  instanceTypeUid: string;
  launchedAt?: Date;
  /** The cloud's reason for the state, when it gives one (`Client.UserInitiatedShutdown` …). */
  reason?: string;
}

export interface CloudPage<T> {
  items: T[];
  /** Present when the cloud has more: pass it back to get the next page. */
  nextToken?: string;
}

export interface ImageQuery {
  /** Owner filters as the cloud takes them (`amazon`, `self`, account ids). Empty: no filter. */
  owners: readonly string[];
  /** Name patterns with `*` and `?`. Empty: every name. */
  nameFilters: readonly string[];
  nextToken?: string;
  /** Page size asked for; the cloud may return fewer (or, like moto, ignore it). */
  pageSize?: number;
}

export interface LaunchRequest {
  imageUid: string;
  instanceTypeUid: string;
  userData: string | null;
  /** Idempotency token: the same token never starts a second instance. */
  clientToken: string;
  /** A name tag for the instance (the server's name). */
  name: string;
}

/** A refusal or failure reported by a cloud, worded by the cloud. */
export class CloudError extends Error {
  constructor(
    /**
     * `auth` (credentials refused), `not_found`, `throttled`, `unavailable` (cannot reach it, timeout),
     * `invalid` (the cloud refused the request's content), `unsupported`.
     */
    readonly kind: 'auth' | 'not_found' | 'throttled' | 'unavailable' | 'invalid' | 'unsupported',
    /** The cloud's own error code (`AuthFailure`, `InvalidAMIID.NotFound`, …). */
    readonly cloudCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}

export interface CloudDriver {
  readonly name: CloudDriverName;
  /** R-CLD-2: the principal the credentials belong to (AWS account id). */
  whoAmI(): Promise<{ principal: string }>;
  listImages(query: ImageQuery): Promise<CloudPage<CloudImage>>;
  listInstanceTypes(nextToken?: string): Promise<CloudPage<CloudInstanceType>>;
  /** One image by id, or undefined when the cloud no longer has it (deregistered). */
  describeImage(resourceUid: string): Promise<CloudImage | undefined>;
  /**
   * R-CLD-4: the principals allowed to launch a private image (`all` when it is public). Only the
   * owner may read them.
   */
  launchPermissions(resourceUid: string): Promise<string[]>;
  launch(request: LaunchRequest): Promise<CloudInstance>;
  /** The instances that still exist among the ids asked for (a vanished one is absent). */
  describeInstances(instanceIds: readonly string[]): Promise<CloudInstance[]>;
  terminate(instanceIds: readonly string[]): Promise<void>;
}
