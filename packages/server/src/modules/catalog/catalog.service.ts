import {
  authorizeAccount,
  authorizeInstallation,
  canSeeImage,
  decodeNameIdCursor,
  ForbiddenError,
  InputError,
  memberAccountIds,
  newImageFrom,
  nextDeprecatedAt,
  NotFoundError,
  toPage,
  type Cloud,
  type CloudDriverName,
  type CloudType,
  type CpuArchitecture,
  type CatalogImageFacts,
  type Image,
  type InstanceType,
  type Page,
  type Principal,
} from '@mci/core';
import { catalogRepository, type Executor, type NewCloud } from '@mci/db';
import type { AppContext } from '../../context.ts';
import { mutate } from '../../unit-of-work.ts';
import { recordImageChanges } from '../clouds/image-change.ts';

/** An image as a caller registers it: the cloud's facts plus access and state (transport-free). */
export type CreateImageInput = CatalogImageFacts &
  Pick<Image, 'visibility' | 'launchPermissions' | 'state'> & {
    ownerAccountId?: string;
    replacementImageId?: string;
  };

/** What may change on a registered image. */
export type PatchImageInput = Partial<
  Omit<CatalogImageFacts, 'resourceUid' | 'cpuArchitecture'> &
    Pick<Image, 'launchPermissions' | 'state' | 'replacementImageId'>
>;

/** Filters of an image list (SPEC §5 catalog), with the page. */
export type ListImagesQuery = { limit: number; cursor?: string; q?: string; usableBy?: string } & Partial<
  Pick<Image, 'resourceUid' | 'osFamily' | 'osVersion' | 'cpuArchitecture' | 'visibility' | 'state'>
>;

type PageRequest = { limit: number; cursor?: string };

async function requireCloud(db: Executor, cloudId: string): Promise<Cloud> {
  const cloud = await catalogRepository.findCloud(db, cloudId);
  if (!cloud) throw new NotFoundError('cloud', cloudId);
  return cloud;
}

/** A cloud named in a request body: unknown is a 422 naming the field (not a 404 of the URL). */
export async function requireCloudRef(db: Executor, cloudId: string, path = 'cloudId'): Promise<Cloud> {
  const cloud = await catalogRepository.findCloud(db, cloudId);
  if (!cloud) {
    throw new InputError('cloud_not_found', `cloud ${cloudId} does not exist`, {
      errors: [{ path, message: 'no such cloud' }],
    });
  }
  return cloud;
}

/** A cloud as a superuser adds it: driver and sync settings optional (transport-free). */
export type CreateCloudInput = Omit<NewCloud, 'sync'> & { sync?: Partial<Cloud['sync']> };

/** What a superuser may change on a cloud (R-CLD-3): its driver, sync settings, description. */
export type PatchCloudInput = Partial<Pick<Cloud, 'driver' | 'description'>> & {
  sync?: Partial<Cloud['sync']>;
};

/** The `aws` driver speaks to AWS only; `simulated` and `none` suit any cloud type. */
function checkDriver(cloudType: CloudType, driver: CloudDriverName | undefined): void {
  if (driver === 'aws' && cloudType !== 'aws') {
    throw new InputError('driver_mismatch', `The aws driver cannot drive a cloud of type ${cloudType}`, {
      errors: [{ path: 'driver', message: 'must be `simulated` or `none` for this cloud type' }],
    });
  }
}

export async function createCloud(
  ctx: AppContext,
  principal: Principal,
  input: CreateCloudInput,
): Promise<Cloud> {
  authorizeInstallation(principal, 'catalog.manage');
  checkDriver(input.cloudType, input.driver);
  const { sync, ...rest } = input;
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const cloud = await catalogRepository.insertCloud(tx, {
      ...rest,
      sync: {
        owners: sync?.owners ?? [],
        nameFilters: sync?.nameFilters ?? [],
        intervalSeconds: sync?.intervalSeconds ?? null,
      },
    });
    audit({
      accountId: null,
      action: 'cloud.create',
      targetType: 'cloud',
      targetId: cloud.id,
      summary: `created cloud "${cloud.name}"`,
    });
    return cloud;
  });
}

export async function listClouds(
  ctx: AppContext,
  query: PageRequest & { q?: string; cloudType?: CloudType },
): Promise<Page<Cloud>> {
  const rows = await catalogRepository.listClouds(ctx.db, {
    ...query,
    after: decodeNameIdCursor(query.cursor),
  });
  return toPage(rows, query.limit, (c) => [c.name, c.id]);
}

export async function getCloud(ctx: AppContext, cloudId: string): Promise<Cloud> {
  return requireCloud(ctx.db, cloudId);
}

function describeSync(sync: Cloud['sync']): string {
  const every = sync.intervalSeconds === null ? 'on request' : `every ${sync.intervalSeconds} s`;
  return `owners [${sync.owners.join(', ')}], names [${sync.nameFilters.join(', ')}], ${every}`;
}

/**
 * Changes a cloud's driver, sync settings (owners, name filters, interval; each kept unless
 * given) or description (superuser). An edit that changes nothing writes nothing.
 */
export async function updateCloud(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  patch: PatchCloudInput,
): Promise<Cloud> {
  authorizeInstallation(principal, 'catalog.manage');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const current = await catalogRepository.findCloudForUpdate(tx, cloudId);
    if (!current) throw new NotFoundError('cloud', cloudId);
    checkDriver(current.cloudType, patch.driver);
    const sync = { ...current.sync, ...patch.sync };
    const changes: string[] = [];
    if (patch.driver !== undefined && patch.driver !== current.driver)
      changes.push(`driver ${current.driver} → ${patch.driver}`);
    if (JSON.stringify(sync) !== JSON.stringify(current.sync))
      changes.push(`sync ${describeSync(current.sync)} → ${describeSync(sync)}`);
    if (patch.description !== undefined && patch.description !== current.description)
      changes.push('description');
    if (changes.length === 0) return current;
    const cloud = await catalogRepository.updateCloud(tx, cloudId, { ...patch, sync });
    audit({
      accountId: null,
      action: 'cloud.update',
      targetType: 'cloud',
      targetId: cloudId,
      summary: `changed cloud "${cloud.name}": ${changes.join('; ')}`,
    });
    return cloud;
  });
}

/**
 * Who may register an image: public ones are the superuser's; private ones belong to an
 * account whose designer registers them (SPEC §4).
 */
function authorizeImageOwnership(
  principal: Principal,
  image: { visibility: Image['visibility']; ownerAccountId?: string | null },
  path: string,
): void {
  if (image.visibility === 'public') {
    authorizeInstallation(principal, 'catalog.manage');
    return;
  }
  if (!image.ownerAccountId) {
    throw new InputError('owner_required', 'A private image needs an owner account', {
      errors: [{ path: `${path}ownerAccountId`, message: 'required when visibility is "private"' }],
    });
  }
  authorizeAccount(principal, image.ownerAccountId, 'image.private.manage');
}

type ImageReferences = {
  visibility: Image['visibility'];
  launchPermissions?: string[];
  replacementImageId?: string | null;
};

/**
 * Checks the references images make — launch-permission accounts and replacement images — for a
 * whole batch with one query each, naming every offending field.
 */
async function validateImageReferences(
  db: Executor,
  cloudId: string,
  items: readonly { image: ImageReferences; path: string }[],
): Promise<void> {
  const errors: { path: string; message: string }[] = [];
  const allAccounts = [...new Set(items.flatMap(({ image }) => image.launchPermissions ?? []))];
  const missing = new Set(await catalogRepository.missingAccountIds(db, allAccounts));
  for (const { image, path } of items) {
    if (image.visibility === 'public' && image.launchPermissions && image.launchPermissions.length > 0) {
      errors.push({
        path: `${path}launchPermissions`,
        message:
          'a public image can be launched by every account; launch permissions apply to private images',
      });
    }
    for (const id of image.launchPermissions ?? []) {
      if (missing.has(id))
        errors.push({ path: `${path}launchPermissions`, message: `account ${id} does not exist` });
    }
    if (image.replacementImageId) {
      const replacement = await catalogRepository.findImage(db, image.replacementImageId);
      if (!replacement || replacement.cloudId !== cloudId) {
        errors.push({
          path: `${path}replacementImageId`,
          message: `image ${image.replacementImageId} is not an image of cloud ${cloudId}`,
        });
      }
    }
  }
  if (errors.length > 0) {
    throw new InputError('invalid_image', errors.map((e) => e.message).join('; '), { errors });
  }
}

export async function createImage(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  input: CreateImageInput,
): Promise<Image> {
  authorizeImageOwnership(principal, input, '');
  return mutate(ctx, principal, async ({ tx, now, audit }) => {
    await requireCloud(tx, cloudId);
    await validateImageReferences(tx, cloudId, [{ image: input, path: '' }]);
    const image = await catalogRepository.insertImage(tx, newImageFrom(cloudId, input, now));
    audit({
      accountId: image.ownerAccountId,
      action: 'image.create',
      targetType: 'image',
      targetId: image.id,
      summary: `registered ${image.visibility} image ${image.resourceUid} (${image.name}) in cloud ${cloudId}`,
    });
    return image;
  });
}

/**
 * Registers many images of one cloud in one transaction (all or none), e.g. a catalog sync.
 * Each image is authorized and validated like a single one.
 */
export async function createImagesBulk(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  inputs: CreateImageInput[],
): Promise<{ created: number }> {
  inputs.forEach((input, i) => authorizeImageOwnership(principal, input, `images.${i}.`));
  const seen = new Map<string, number>();
  inputs.forEach((input, i) => {
    const first = seen.get(input.resourceUid);
    if (first !== undefined) {
      throw new InputError('duplicate_resource_uid', `resourceUid ${input.resourceUid} appears twice`, {
        errors: [{ path: `images.${i}.resourceUid`, message: `same as images.${first}.resourceUid` }],
      });
    }
    seen.set(input.resourceUid, i);
  });
  return mutate(ctx, principal, async ({ tx, now, audit }) => {
    await requireCloud(tx, cloudId);
    await validateImageReferences(
      tx,
      cloudId,
      inputs
        .map((image, i) => ({ image, path: `images.${i}.` }))
        .filter(({ image }) => image.launchPermissions.length > 0 || image.replacementImageId),
    );
    const created = await catalogRepository.insertImagesBulk(
      tx,
      inputs.map((input) => newImageFrom(cloudId, input, now)),
    );
    const perOwner = new Map<string | null, number>();
    for (const input of inputs)
      perOwner.set(input.ownerAccountId ?? null, (perOwner.get(input.ownerAccountId ?? null) ?? 0) + 1);
    for (const [owner, count] of perOwner) {
      audit({
        accountId: owner,
        action: 'image.bulk_create',
        targetType: 'cloud',
        targetId: cloudId,
        summary: `registered ${count} images in cloud ${cloudId}`,
      });
    }
    return { created };
  });
}

async function requireVisibleImage(
  db: Executor,
  principal: Principal,
  cloudId: string,
  imageId: string,
): Promise<Image> {
  const image = await catalogRepository.findImage(db, imageId);
  if (
    !image ||
    image.cloudId !== cloudId ||
    !canSeeImage(image, memberAccountIds(principal), principal.isSuperuser)
  ) {
    throw new NotFoundError('image', imageId);
  }
  return image;
}

export async function getImage(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  imageId: string,
): Promise<Image> {
  return requireVisibleImage(ctx.db, principal, cloudId, imageId);
}

export async function updateImage(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  imageId: string,
  patch: PatchImageInput,
): Promise<Image> {
  return mutate(ctx, principal, async (uow) => {
    const { tx, now, audit } = uow;
    const current = await requireVisibleImage(tx, principal, cloudId, imageId);
    if (
      current.visibility === 'private' &&
      !principal.isSuperuser &&
      !principal.memberships.has(current.ownerAccountId!)
    ) {
      throw new ForbiddenError(
        'not_image_owner',
        `Only account ${current.ownerAccountId} manages image ${imageId}`,
      );
    }
    authorizeImageOwnership(principal, current, '');
    await validateImageReferences(tx, cloudId, [
      { image: { visibility: current.visibility, ...patch }, path: '' },
    ]);
    if (patch.replacementImageId === imageId) {
      throw new InputError('invalid_image', 'An image cannot replace itself', {
        errors: [{ path: 'replacementImageId', message: 'must name another image' }],
      });
    }
    const state = patch.state ?? current.state;
    const { image } = await catalogRepository.updateImage(tx, imageId, {
      ...patch,
      deprecatedAt: nextDeprecatedAt(current, state, now),
    });
    audit({
      accountId: image.ownerAccountId,
      action: 'image.update',
      targetType: 'image',
      targetId: image.id,
      summary: `changed ${Object.keys(patch).join(', ')} of image ${image.resourceUid}`,
    });
    // R-CLD-5: a move to deprecated / unavailable by hand records its impact too.
    await recordImageChanges(uow, [{ image, from: current.state, to: image.state, reason: 'set by hand' }]);
    return image;
  });
}

export async function listImages(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  query: ListImagesQuery,
): Promise<Page<Image>> {
  await requireCloud(ctx.db, cloudId);
  if (query.usableBy) authorizeAccount(principal, query.usableBy, 'account.read');
  const rows = await catalogRepository.listImages(ctx.db, {
    ...query,
    cloudId,
    visibleTo: principal.isSuperuser ? undefined : memberAccountIds(principal),
    after: decodeNameIdCursor(query.cursor),
  });
  return toPage(rows, query.limit, (i) => [i.name, i.id]);
}

export async function createInstanceType(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  input: Omit<InstanceType, 'id' | 'cloudId'>,
): Promise<InstanceType> {
  authorizeInstallation(principal, 'catalog.manage');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    await requireCloud(tx, cloudId);
    const type = await catalogRepository.insertInstanceType(tx, { ...input, cloudId });
    audit({
      accountId: null,
      action: 'instance_type.create',
      targetType: 'instance_type',
      targetId: type.id,
      summary: `added instance type ${type.resourceUid} to cloud ${cloudId}`,
    });
    return type;
  });
}

export async function listInstanceTypes(
  ctx: AppContext,
  cloudId: string,
  query: PageRequest & { q?: string; cpuArchitecture?: CpuArchitecture },
): Promise<Page<InstanceType>> {
  await requireCloud(ctx.db, cloudId);
  const rows = await catalogRepository.listInstanceTypes(ctx.db, {
    ...query,
    cloudId,
    after: decodeNameIdCursor(query.cursor),
  });
  return toPage(rows, query.limit, (t) => [t.name, t.id]);
}

export async function getInstanceType(ctx: AppContext, cloudId: string, id: string): Promise<InstanceType> {
  const type = await catalogRepository.findInstanceType(ctx.db, id);
  if (!type || type.cloudId !== cloudId) throw new NotFoundError('instance type', id);
  return type;
}
