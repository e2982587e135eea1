import { createHash } from 'node:crypto';
import {
  CloudError,
  type CloudDriver,
  type CloudImage,
  type CloudInstance,
  type CloudInstanceType,
  type DemoCatalog,
  type ImageQuery,
  type InstanceState,
  type LaunchRequest,
  type CloudPage,
} from '@mci/core';

/** The principal that owns the public images of the simulated clouds, as AWS calls Amazon's. */
export const SIMULATED_PUBLIC_OWNER = 'amazon';

/** The 12-digit principal a simulated access key id stands for: itself when it is 12 digits. */
export function simulatedPrincipal(accessKeyId: string): string {
  if (/^\d{12}$/.test(accessKeyId)) return accessKeyId;
  const digits = BigInt(`0x${createHash('sha256').update(accessKeyId).digest('hex').slice(0, 15)}`);
  return (digits % 10n ** 12n).toString().padStart(12, '0');
}

interface SimulatedImage extends CloudImage {
  /** Principals allowed to launch it besides the owner (`all` when public). */
  launchPrincipals: string[];
}

interface SimulatedInstance extends CloudInstance {
  clientToken: string;
  /** How many more describes the instance stays in its current state before it moves on. */
  describesLeft: number;
}

/** What tests can change about the simulated clouds: latency, and failures per operation. */
export interface SimulatedBehaviour {
  /** Milliseconds every call waits before answering (default 0). */
  latencyMs?: number;
  /** Operations that fail with the given error (until removed from the map). */
  failures?: Map<keyof CloudDriver, CloudError>;
  /** Page size of listings when the query gives none (default 100). */
  pageSize?: number;
}

const NEXT_STATE: Partial<Record<InstanceState, InstanceState>> = {
  pending: 'booting',
  booting: 'running',
  stopping: 'stopped',
  'shutting-down': 'terminated',
};

/**
 * The simulated clouds (R-CLD, driver `simulated`): in process and deterministic. Every region
 * starts with the demo catalog's images (owned by `amazon`) and instance types; tests register,
 * share and deregister images and see launched instances move one state per describe
 * (`pending → booting → running`, `shutting-down → terminated`). State lives in this process
 * only: it is a stand-in for a cloud, not something several server processes share.
 */
export class SimulatedWorld {
  private readonly regions = new Map<
    string,
    {
      images: Map<string, SimulatedImage>;
      types: CloudInstanceType[];
      instances: Map<string, SimulatedInstance>;
    }
  >();
  private sequence = 0;

  constructor(
    private readonly catalog: DemoCatalog | undefined,
    readonly behaviour: SimulatedBehaviour = {},
  ) {}

  region(region: string) {
    let r = this.regions.get(region);
    if (!r) {
      const cloud = this.catalog?.clouds.find((c) => c.region === region);
      r = {
        images: new Map(
          (cloud?.images ?? []).map((i) => [
            i.resourceUid,
            {
              ...i,
              ownerPrincipal: SIMULATED_PUBLIC_OWNER,
              isPublic: true,
              cloudState: 'available',
              launchPrincipals: ['all'],
            },
          ]),
        ),
        types: (cloud?.instanceTypes ?? []).map((t) => ({ ...t, cpuArchitectures: [...t.cpuArchitectures] })),
        instances: new Map(),
      };
      this.regions.set(region, r);
    }
    return r;
  }

  /** Adds (or replaces) an image in a region, e.g. a private image of one principal. */
  registerImage(
    region: string,
    image: Omit<SimulatedImage, 'launchPrincipals'> & { launchPrincipals?: string[] },
  ) {
    this.region(region).images.set(image.resourceUid, {
      ...image,
      launchPrincipals: image.launchPrincipals ?? (image.isPublic ? ['all'] : []),
    });
  }

  deregisterImage(region: string, resourceUid: string): void {
    this.region(region).images.delete(resourceUid);
  }

  updateImage(region: string, resourceUid: string, change: Partial<SimulatedImage>): void {
    const image = this.region(region).images.get(resourceUid);
    if (!image) throw new Error(`no simulated image ${resourceUid} in ${region}`);
    Object.assign(image, change);
  }

  /** Removes an instance as if someone deleted it outside the service (R-LCH-3 reports it). */
  removeInstance(region: string, instanceId: string): void {
    this.region(region).instances.delete(instanceId);
  }

  nextInstanceId(): string {
    this.sequence += 1;
    return `i-sim${this.sequence.toString(16).padStart(13, '0')}`;
  }
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** One simulated region seen with one principal's credentials (or none: public images only). */
export class SimulatedDriver implements CloudDriver {
  readonly name = 'simulated' as const;

  constructor(
    private readonly world: SimulatedWorld,
    private readonly regionName: string,
    private readonly principal: string | null,
  ) {}

  private async call<T>(operation: keyof CloudDriver, work: () => T): Promise<T> {
    const { latencyMs = 0, failures } = this.world.behaviour;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const failure = failures?.get(operation);
    if (failure) throw failure;
    return work();
  }

  private get r() {
    return this.world.region(this.regionName);
  }

  private visible(image: SimulatedImage): boolean {
    return (
      image.isPublic ||
      (this.principal !== null &&
        (image.ownerPrincipal === this.principal || image.launchPrincipals.includes(this.principal)))
    );
  }

  private requirePrincipal(): string {
    if (this.principal === null)
      throw new CloudError('auth', 'AuthFailure', 'simulated cloud: this call needs credentials');
    return this.principal;
  }

  whoAmI() {
    return this.call('whoAmI', () => ({ principal: this.requirePrincipal() }));
  }

  listImages(query: ImageQuery): Promise<CloudPage<CloudImage>> {
    return this.call('listImages', () => {
      const names = query.nameFilters.map(patternToRegExp);
      const owners = query.owners.map((o) => (o === 'self' ? this.principal : o));
      const all = [...this.r.images.values()]
        .filter((i) => this.visible(i))
        .filter((i) => owners.length === 0 || owners.includes(i.ownerPrincipal))
        .filter((i) => names.length === 0 || names.some((n) => n.test(i.name)))
        .sort((a, b) => a.resourceUid.localeCompare(b.resourceUid));
      const start = Number(query.nextToken ?? 0);
      const size = query.pageSize ?? this.world.behaviour.pageSize ?? 100;
      const items = all.slice(start, start + size).map(({ launchPrincipals: _, ...image }) => ({ ...image }));
      return { items, nextToken: start + size < all.length ? String(start + size) : undefined };
    });
  }

  listInstanceTypes(nextToken?: string): Promise<CloudPage<CloudInstanceType>> {
    return this.call('listInstanceTypes', () => {
      const start = Number(nextToken ?? 0);
      const size = this.world.behaviour.pageSize ?? 100;
      const items = this.r.types.slice(start, start + size);
      return { items, nextToken: start + size < this.r.types.length ? String(start + size) : undefined };
    });
  }

  describeImage(resourceUid: string): Promise<CloudImage | undefined> {
    return this.call('describeImage', () => {
      const image = this.r.images.get(resourceUid);
      if (!image || !this.visible(image)) return undefined;
      const { launchPrincipals: _, ...rest } = image;
      return { ...rest };
    });
  }

  launchPermissions(resourceUid: string): Promise<string[]> {
    return this.call('launchPermissions', () => {
      const image = this.r.images.get(resourceUid);
      if (!image || image.ownerPrincipal !== this.requirePrincipal())
        throw new CloudError(
          'not_found',
          'InvalidAMIID.NotFound',
          `The image id '[${resourceUid}]' does not exist`,
        );
      return [...image.launchPrincipals];
    });
  }

  launch(request: LaunchRequest): Promise<CloudInstance> {
    return this.call('launch', () => {
      this.requirePrincipal();
      const existing = [...this.r.instances.values()].find((i) => i.clientToken === request.clientToken);
      if (existing) return this.snapshot(existing);
      const image = this.r.images.get(request.imageUid);
      if (!image || !this.visible(image))
        throw new CloudError(
          'not_found',
          'InvalidAMIID.NotFound',
          `The image id '[${request.imageUid}]' does not exist`,
        );
      if (!this.r.types.some((t) => t.resourceUid === request.instanceTypeUid))
        throw new CloudError(
          'invalid',
          'InvalidParameterValue',
          `Invalid instance type: ${request.instanceTypeUid}`,
        );
      const instance: SimulatedInstance = {
        instanceId: this.world.nextInstanceId(),
        state: 'pending',
        imageUid: request.imageUid,
        instanceTypeUid: request.instanceTypeUid,
        launchedAt: new Date(),
        clientToken: request.clientToken,
        describesLeft: 1,
      };
      this.r.instances.set(instance.instanceId, instance);
      return this.snapshot(instance);
    });
  }

  describeInstances(instanceIds: readonly string[]): Promise<CloudInstance[]> {
    return this.call('describeInstances', () =>
      instanceIds.flatMap((id) => {
        const instance = this.r.instances.get(id);
        if (!instance) return [];
        const next = NEXT_STATE[instance.state];
        if (next && --instance.describesLeft <= 0) {
          instance.state = next;
          instance.describesLeft = 1;
        }
        return [this.snapshot(instance)];
      }),
    );
  }

  terminate(instanceIds: readonly string[]): Promise<void> {
    return this.call('terminate', () => {
      for (const id of instanceIds) {
        const instance = this.r.instances.get(id);
        if (instance && instance.state !== 'terminated') {
          instance.state = 'shutting-down';
          instance.describesLeft = 1;
        }
      }
    });
  }

  private snapshot(i: SimulatedInstance): CloudInstance {
    return {
      instanceId: i.instanceId,
      state: i.state,
      imageUid: i.imageUid,
      instanceTypeUid: i.instanceTypeUid,
      launchedAt: i.launchedAt,
      reason: i.reason,
    };
  }
}
