import { CPU_ARCHITECTURES, type Cloud, type CloudType, type Image, type InstanceType } from '@mci/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import * as catalog from '../../modules/catalog/catalog.service.ts';
import {
  allPages,
  callerOf,
  exactFilter,
  hrefs,
  linksOf,
  matchesFilters,
  paramsOf,
  parseFilters,
  parseView,
  partialFilter,
  sendCollection,
  sendResource,
  type RsFilter,
} from './wire.ts';

type WithCloud = { Params: { c: string } };
type WithCloudAndId = { Params: { c: string; id: string } };

const PAGE = 500;

/** API 1.5's words for the service's cloud types (`aws` is `amazon` there). */
const RS_CLOUD_TYPES: Record<CloudType, string> = {
  aws: 'amazon',
  azure: 'azure_v2',
  google: 'google',
  openstack: 'open_stack_v3',
  vsphere: 'vscale',
  simulated: 'simulated',
};

const CLOUD_FILTERS = { name: { partial: true }, description: { partial: true }, cloud_type: {} };

const IMAGE_FILTERS = {
  resource_uid: {},
  name: { partial: true },
  description: { partial: true },
  os_platform: { partial: true },
  image_type: {},
  cpu_architecture: { partial: true },
  visibility: {},
};

const INSTANCE_TYPE_FILTERS = {
  resource_uid: {},
  name: { partial: true },
  description: { partial: true },
  cpu_architecture: { partial: true },
};

export function presentCloud(cloud: Cloud) {
  const self = hrefs.cloud(cloud.id);
  return {
    name: cloud.name,
    display_name: cloud.name,
    description: cloud.description,
    cloud_type: RS_CLOUD_TYPES[cloud.cloudType],
    links: linksOf(self, {
      images: `${self}/images`,
      instance_types: `${self}/instance_types`,
    }),
  };
}

/** `Linux` / `Windows`, as API 1.5's `os_platform` says it. */
const osPlatformOf = (image: Image) =>
  image.osFamily.toLowerCase() === 'windows' ? 'Windows' : image.osFamily ? 'Linux' : undefined;

export function presentImage(image: Image) {
  return {
    resource_uid: image.resourceUid,
    name: image.name,
    description: image.description,
    os_platform: osPlatformOf(image),
    image_type: 'machine',
    visibility: image.visibility,
    virtualization_type: image.virtualizationType || undefined,
    cpu_architecture: image.cpuArchitecture,
    root_device_storage: image.rootDeviceType || undefined,
    links: linksOf(hrefs.image(image.cloudId, image.id), { cloud: hrefs.cloud(image.cloudId) }),
    actions: [],
  };
}

export function presentInstanceType(type: InstanceType) {
  return {
    resource_uid: type.resourceUid,
    name: type.name,
    description: `${type.cpuCount} vCPU, ${type.memoryMb} MB`,
    // API 1.5 declares memory as a string (MB) and the architecture as one string.
    memory: String(type.memoryMb),
    cpu_count: type.cpuCount,
    cpu_architecture: type.cpuArchitectures.join(', '),
    links: linksOf(hrefs.instanceType(type.cloudId, type.id), { cloud: hrefs.cloud(type.cloudId) }),
    actions: [],
  };
}

/** An exact `cpu_architecture==` the catalog knows, to narrow the query (partial matching stays). */
function architectureOf(filters: readonly RsFilter[]) {
  const value = exactFilter(
    filters.map((f) => ({ ...f, partial: false })),
    'cpu_architecture',
  );
  return CPU_ARCHITECTURES.find((a) => a === value);
}

/**
 * API 1.5 clouds, images and instance types (index, show) over the catalog service (R-RS).
 * The catalog is the installation's: every member reads it; images only where visible (R-CAT).
 * Exact filters the catalog indexes (`resource_uid`, `cpu_architecture`, a name) narrow the query;
 * the rest are matched here, on the narrowed rows.
 */
export function catalogRoutes(api: FastifyInstance, ctx: AppContext): void {
  api.get('/clouds', async (request, reply) => {
    callerOf(request);
    const params = paramsOf(request);
    parseView(params, ['default', 'extended']);
    const filters = parseFilters(params, CLOUD_FILTERS);
    const clouds = await allPages((cursor) =>
      catalog.listClouds(ctx, { limit: PAGE, cursor, q: partialFilter(filters, 'name') }),
    );
    const found = clouds
      .map(presentCloud)
      .filter((c) => matchesFilters(filters, (field) => c[field as keyof typeof c] as string));
    return sendCollection(reply, 'cloud', found);
  });

  api.get<WithCloud>('/clouds/:c', async (request, reply) => {
    callerOf(request);
    parseView(paramsOf(request), ['default', 'extended']);
    return sendResource(reply, 'cloud', presentCloud(await catalog.getCloud(ctx, request.params.c)));
  });

  api.get<WithCloud>('/clouds/:c/images', async (request, reply) => {
    const { principal } = callerOf(request);
    const params = paramsOf(request);
    parseView(params, ['default']);
    const filters = parseFilters(params, IMAGE_FILTERS);
    const images = await allPages((cursor) =>
      catalog.listImages(ctx, principal, request.params.c, {
        limit: PAGE,
        cursor,
        resourceUid: exactFilter(filters, 'resource_uid'),
        cpuArchitecture: architectureOf(filters),
        q: partialFilter(filters, 'name'),
      }),
    );
    const found = images
      .map(presentImage)
      .filter((i) => matchesFilters(filters, (field) => i[field as keyof typeof i] as string));
    return sendCollection(reply, 'image', found);
  });

  api.get<WithCloudAndId>('/clouds/:c/images/:id', async (request, reply) => {
    const { principal } = callerOf(request);
    parseView(paramsOf(request), ['default']);
    const image = await catalog.getImage(ctx, principal, request.params.c, request.params.id);
    return sendResource(reply, 'image', presentImage(image));
  });

  api.get<WithCloud>('/clouds/:c/instance_types', async (request, reply) => {
    callerOf(request);
    const params = paramsOf(request);
    parseView(params, ['default']);
    const filters = parseFilters(params, INSTANCE_TYPE_FILTERS);
    const types = await allPages((cursor) =>
      catalog.listInstanceTypes(ctx, request.params.c, {
        limit: PAGE,
        cursor,
        cpuArchitecture: architectureOf(filters),
        q: partialFilter(filters, 'name'),
      }),
    );
    const found = types
      .map(presentInstanceType)
      .filter((t) => matchesFilters(filters, (field) => t[field as keyof typeof t] as string));
    return sendCollection(reply, 'instance_type', found);
  });

  api.get<WithCloudAndId>('/clouds/:c/instance_types/:id', async (request, reply) => {
    callerOf(request);
    parseView(paramsOf(request), ['default']);
    const type = await catalog.getInstanceType(ctx, request.params.c, request.params.id);
    return sendResource(reply, 'instance_type', presentInstanceType(type));
  });
}
