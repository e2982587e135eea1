import type {
  Cloud,
  CloudType,
  CpuArchitecture,
  Image,
  ImageState,
  ImageSyncFields,
  CloudDriverName,
  ImageVisibility,
  InstanceType,
} from '@mci/core';
import { and, asc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import { clouds, images, imageSearchText, instanceTypes, SEARCH_TEXT_SEPARATOR } from './schema.ts';

export type NewCloud = Omit<Cloud, 'id' | 'driver' | 'sync' | 'lastSyncedAt'> &
  Partial<Pick<Cloud, 'driver' | 'sync'>>;
export type NewImage = Omit<Image, 'id' | ImageSyncFields> & Partial<Pick<Image, ImageSyncFields>>;
export type NewInstanceType = Omit<InstanceType, 'id'>;

export interface ImageFilter {
  cloudId: string;
  q?: string;
  /** The cloud's own id of the image (`ami-…`): at most one row. */
  resourceUid?: string;
  osFamily?: string;
  osVersion?: string;
  cpuArchitecture?: CpuArchitecture;
  visibility?: ImageVisibility;
  state?: ImageState;
  /** Only images this account can use (public, owned or shared with it; not unavailable). */
  usableBy?: string;
  /** Unless undefined (superuser), only images public or owned by / shared with these accounts. */
  visibleTo?: string[];
  after?: { name: string; id: string };
  limit: number;
}

export function toCloud(r: typeof clouds.$inferSelect): Cloud {
  return {
    id: r.id,
    name: r.name,
    cloudType: r.cloudType as CloudType,
    region: r.region,
    description: r.description,
    driver: r.driver as CloudDriverName,
    sync: { owners: r.syncOwners, nameFilters: r.syncNameFilters, intervalSeconds: r.syncIntervalSeconds },
    lastSyncedAt: r.lastSyncedAt ? r.lastSyncedAt.toISOString() : null,
  };
}

export function toImage(r: typeof images.$inferSelect): Image {
  return {
    id: r.id,
    cloudId: r.cloudId,
    resourceUid: r.resourceUid,
    name: r.name,
    description: r.description,
    osFamily: r.osFamily,
    osVersion: r.osVersion,
    cpuArchitecture: r.cpuArchitecture as CpuArchitecture,
    virtualizationType: r.virtualizationType,
    rootDeviceType: r.rootDeviceType,
    visibility: r.visibility as ImageVisibility,
    ownerAccountId: r.ownerAccountId,
    launchPermissions: r.launchPermissions,
    state: r.state as ImageState,
    deprecatedAt: r.deprecatedAt ? r.deprecatedAt.toISOString() : null,
    replacementImageId: r.replacementImageId,
    unavailableReason: r.unavailableReason,
    unavailableAt: r.unavailableAt ? r.unavailableAt.toISOString() : null,
    ownerPrincipal: r.ownerPrincipal,
    unknownPrincipals: r.unknownPrincipals,
    syncScope: r.syncScope,
  };
}

export function toInstanceType(r: typeof instanceTypes.$inferSelect): InstanceType {
  return {
    id: r.id,
    cloudId: r.cloudId,
    resourceUid: r.resourceUid,
    name: r.name,
    cpuCount: r.cpuCount,
    memoryMb: r.memoryMb,
    cpuArchitectures: r.cpuArchitectures as CpuArchitecture[],
  };
}

/** A new cloud's driver unless given: its own type's where one exists, else kept by hand. */
export function defaultDriver(cloudType: CloudType): CloudDriverName {
  return cloudType === 'aws' || cloudType === 'simulated' ? cloudType : 'none';
}

/** Text arrays as a SQL literal parameter, so one statement inserts thousands of rows (unnest). */
function textArray(values: readonly (string | null)[]): SQL {
  return sql`${sql.param(values)}::text[]`;
}

function imageRow(image: NewImage, id: string) {
  return {
    id,
    ...image,
    deprecatedAt: image.deprecatedAt ? new Date(image.deprecatedAt) : null,
    unavailableAt: image.unavailableAt ? new Date(image.unavailableAt) : null,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** How many matches of `q` a page is sorted from before the name index is walked instead. */
export const SEARCH_SAMPLE = 5000;

/**
 * `q` as a substring of the name or the resource uid, case-insensitive. The indexed text joins
 * the two with U+001F (schema: `imageSearchText`), which a term without that character cannot
 * match across; a term with it is also checked on each field.
 */
function textMatches(q: string): SQL {
  const pattern = `%${escapeLike(q)}%`;
  const joined = sql`${imageSearchText(images)} ilike ${pattern}`;
  return q.includes(SEARCH_TEXT_SEPARATOR)
    ? sql`(${joined} and (${ilike(images.name, pattern)} or ${ilike(images.resourceUid, pattern)}))`
    : joined;
}

/**
 * The page when at most {@link SEARCH_SAMPLE} images match: the matches found through the
 * trigram index (a subquery with a LIMIT, so the planner cannot turn it into a walk of the
 * name index), their (name, id) sorted, and the page's rows read by id. Undefined when more
 * match: the caller walks the name index, where a common term soon fills a page.
 */
async function findFewMatches(
  db: Executor,
  where: SQL | undefined,
  take: number,
): Promise<Image[] | undefined> {
  const matches = db
    .select({ id: images.id, name: images.name })
    .from(images)
    .where(where)
    .limit(SEARCH_SAMPLE + 1)
    .as('matches');
  const top = await db
    .select({ id: matches.id, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(matches)
    .orderBy(asc(matches.name), asc(matches.id))
    .limit(take);
  if (top.length > 0 && top[0].total > SEARCH_SAMPLE) return undefined;
  if (top.length === 0) return [];
  const rows = await db
    .select()
    .from(images)
    .where(
      inArray(
        images.id,
        top.map((t) => t.id),
      ),
    )
    .orderBy(asc(images.name), asc(images.id));
  return rows.map(toImage);
}

/** Clouds, images and instance types: the installation's catalog. */
export const catalogRepository = {
  async insertCloud(db: Executor, input: NewCloud): Promise<Cloud> {
    return translateDbErrors(
      'cloud',
      async () => {
        const [row] = await db
          .insert(clouds)
          .values({
            id: newId('cloud'),
            name: input.name,
            cloudType: input.cloudType,
            region: input.region,
            description: input.description,
            driver: input.driver ?? defaultDriver(input.cloudType),
            syncOwners: input.sync?.owners ?? [],
            syncNameFilters: input.sync?.nameFilters ?? [],
            syncIntervalSeconds: input.sync?.intervalSeconds ?? null,
          })
          .returning();
        return toCloud(row);
      },
      { clouds_name_key: { path: 'name', message: `a cloud named "${input.name}" already exists` } },
    );
  },

  async findCloud(db: Executor, id: string): Promise<Cloud | undefined> {
    const [row] = await db.select().from(clouds).where(eq(clouds.id, id));
    return row && toCloud(row);
  },

  /** The row held FOR UPDATE, so edits of one cloud's configuration queue up. */
  async findCloudForUpdate(db: Executor, id: string): Promise<Cloud | undefined> {
    const [row] = await db.select().from(clouds).where(eq(clouds.id, id)).for('update');
    return row && toCloud(row);
  },

  /** Changes a cloud's configuration: driver, sync settings, description. */
  async updateCloud(
    db: Executor,
    id: string,
    patch: Partial<Pick<Cloud, 'driver' | 'description'>> & { sync?: Partial<Cloud['sync']> },
  ): Promise<Cloud> {
    const { sync, ...rest } = patch;
    const [row] = await db
      .update(clouds)
      .set({
        ...rest,
        ...(sync?.owners !== undefined ? { syncOwners: sync.owners } : {}),
        ...(sync?.nameFilters !== undefined ? { syncNameFilters: sync.nameFilters } : {}),
        ...(sync?.intervalSeconds !== undefined ? { syncIntervalSeconds: sync.intervalSeconds } : {}),
      })
      .where(eq(clouds.id, id))
      .returning();
    return toCloud(row);
  },

  async findCloudByName(db: Executor, name: string): Promise<Cloud | undefined> {
    const [row] = await db.select().from(clouds).where(eq(clouds.name, name));
    return row && toCloud(row);
  },

  async listClouds(
    db: Executor,
    opts: { q?: string; cloudType?: CloudType; after?: { name: string; id: string }; limit: number },
  ): Promise<Cloud[]> {
    const rows = await db
      .select()
      .from(clouds)
      .where(
        and(
          opts.q ? ilike(clouds.name, `%${escapeLike(opts.q)}%`) : undefined,
          opts.cloudType ? eq(clouds.cloudType, opts.cloudType) : undefined,
          opts.after
            ? sql`(${clouds.name}, ${clouds.id}) > (${opts.after.name}, ${opts.after.id})`
            : undefined,
        ),
      )
      .orderBy(asc(clouds.name), asc(clouds.id))
      .limit(opts.limit + 1);
    return rows.map(toCloud);
  },

  async insertImage(db: Executor, input: NewImage): Promise<Image> {
    return translateDbErrors(
      'image',
      async () => {
        const [row] = await db
          .insert(images)
          .values(imageRow(input, newId('image')))
          .returning();
        return toImage(row);
      },
      {
        images_cloud_resource_uid_key: {
          path: 'resourceUid',
          message: `an image with resourceUid ${input.resourceUid} already exists in this cloud`,
        },
      },
    );
  },

  /**
   * Inserts many images with one statement per call (arrays unnested server-side): the bulk
   * path used by imports and by the demo seed. All rows or none.
   */
  async insertImagesBulk(db: Executor, input: readonly NewImage[]): Promise<number> {
    if (input.length === 0) return 0;
    const col = <K extends keyof NewImage>(key: K) => input.map((i) => i[key] as string | null);
    return translateDbErrors(
      'image',
      async () => {
        await db.execute(sql`
          insert into images (id, cloud_id, resource_uid, name, description, os_family, os_version,
            cpu_architecture, virtualization_type, root_device_type, visibility, owner_account_id,
            launch_permissions, state, deprecated_at, replacement_image_id, sync_scope, owner_principal)
          select u.id, u.cloud_id, u.resource_uid, u.name, u.description, u.os_family, u.os_version,
            u.cpu_architecture, u.virtualization_type, u.root_device_type, u.visibility, u.owner_account_id,
            case when u.launch_permissions = '' then '{}'::text[] else string_to_array(u.launch_permissions, ',') end,
            u.state, u.deprecated_at::timestamptz, u.replacement_image_id, u.sync_scope, u.owner_principal
          from unnest(
            ${textArray(input.map(() => newId('image')))}, ${textArray(col('cloudId'))},
            ${textArray(col('resourceUid'))}, ${textArray(col('name'))}, ${textArray(col('description'))},
            ${textArray(col('osFamily'))}, ${textArray(col('osVersion'))}, ${textArray(col('cpuArchitecture'))},
            ${textArray(col('virtualizationType'))}, ${textArray(col('rootDeviceType'))},
            ${textArray(col('visibility'))}, ${textArray(col('ownerAccountId'))},
            ${textArray(input.map((i) => i.launchPermissions.join(',')))}, ${textArray(col('state'))},
            ${textArray(col('deprecatedAt'))}, ${textArray(col('replacementImageId'))},
            ${textArray(input.map((i) => i.syncScope ?? null))}, ${textArray(input.map((i) => i.ownerPrincipal ?? null))}
          ) as u(id, cloud_id, resource_uid, name, description, os_family, os_version, cpu_architecture,
                 virtualization_type, root_device_type, visibility, owner_account_id, launch_permissions,
                 state, deprecated_at, replacement_image_id, sync_scope, owner_principal)`);
        return input.length;
      },
      {
        images_cloud_resource_uid_key: {
          path: 'images',
          message: 'an image with one of these resourceUids already exists in its cloud',
        },
      },
    );
  },

  async findImage(db: Executor, id: string): Promise<Image | undefined> {
    const [row] = await db.select().from(images).where(eq(images.id, id));
    return row && toImage(row);
  },

  async findImageVersion(db: Executor, id: string): Promise<{ image: Image; updatedAt: Date } | undefined> {
    const [row] = await db.select().from(images).where(eq(images.id, id));
    return row && { image: toImage(row), updatedAt: row.updatedAt };
  },

  async updateImage(
    db: Executor,
    id: string,
    patch: Partial<Omit<Image, 'id' | 'cloudId' | 'resourceUid' | 'visibility' | 'ownerAccountId'>>,
  ): Promise<{ image: Image; updatedAt: Date }> {
    const { deprecatedAt, unavailableAt, ...rest } = patch;
    const [row] = await db
      .update(images)
      .set({
        ...rest,
        ...(deprecatedAt !== undefined ? { deprecatedAt: deprecatedAt ? new Date(deprecatedAt) : null } : {}),
        ...(unavailableAt !== undefined
          ? { unavailableAt: unavailableAt ? new Date(unavailableAt) : null }
          : {}),
        updatedAt: sql`clock_timestamp()`,
      })
      .where(eq(images.id, id))
      .returning();
    return { image: toImage(row), updatedAt: row.updatedAt };
  },

  /**
   * One keyset page of a cloud's images, filtered, in (name, id) order without OFFSET. Without
   * `q` it walks the (cloud_id, name, id) index. With `q` the shape is chosen by how many images
   * match (ADR 013): up to {@link SEARCH_SAMPLE} matches are found through the trigram index and
   * only their (name, id) sorted — rare words and pasted image ids alike —; a term that matches
   * more is common enough that walking the name index finds a page of matches soon.
   */
  async listImages(db: Executor, f: ImageFilter): Promise<Image[]> {
    const conditions: (SQL | undefined)[] = [
      eq(images.cloudId, f.cloudId),
      f.resourceUid !== undefined ? eq(images.resourceUid, f.resourceUid) : undefined,
      f.osFamily !== undefined ? eq(images.osFamily, f.osFamily) : undefined,
      f.osVersion !== undefined ? eq(images.osVersion, f.osVersion) : undefined,
      f.cpuArchitecture ? eq(images.cpuArchitecture, f.cpuArchitecture) : undefined,
      f.visibility ? eq(images.visibility, f.visibility) : undefined,
      f.state ? eq(images.state, f.state) : undefined,
      f.usableBy
        ? sql`(${images.state} <> 'unavailable' and (${images.visibility} = 'public' or ${images.ownerAccountId} = ${f.usableBy} or ${images.launchPermissions} @> array[${f.usableBy}]::text[]))`
        : undefined,
      f.visibleTo
        ? sql`(${images.visibility} = 'public' or ${images.ownerAccountId} = any(${textArray(f.visibleTo)}) or ${images.launchPermissions} && ${textArray(f.visibleTo)})`
        : undefined,
      f.after ? sql`(${images.name}, ${images.id}) > (${f.after.name}, ${f.after.id})` : undefined,
      f.q ? textMatches(f.q) : undefined,
    ];
    const where = and(...conditions);
    if (f.q) {
      const found = await findFewMatches(db, where, f.limit + 1);
      if (found) return found;
    }
    const rows = await db
      .select()
      .from(images)
      .where(where)
      .orderBy(asc(images.name), asc(images.id))
      .limit(f.limit + 1);
    return rows.map(toImage);
  },

  /** Ids among `ids` that name no account, to report bad launch permissions precisely. */
  async missingAccountIds(db: Executor, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const res = await db.execute(
      sql`select x.id from unnest(${textArray(ids)}) as x(id) where not exists (select 1 from accounts a where a.id = x.id)`,
    );
    return rowsOf<{ id: string }>(res).map((r) => r.id);
  },

  async insertInstanceType(db: Executor, input: NewInstanceType): Promise<InstanceType> {
    return translateDbErrors(
      'instance type',
      async () => {
        const [row] = await db
          .insert(instanceTypes)
          .values({ id: newId('instanceType'), ...input })
          .returning();
        return toInstanceType(row);
      },
      {
        instance_types_cloud_resource_uid_key: {
          path: 'resourceUid',
          message: `an instance type ${input.resourceUid} already exists in this cloud`,
        },
      },
    );
  },

  async insertInstanceTypesBulk(db: Executor, input: readonly NewInstanceType[]): Promise<void> {
    if (input.length === 0) return;
    await db.insert(instanceTypes).values(input.map((i) => ({ id: newId('instanceType'), ...i })));
  },

  async findInstanceType(db: Executor, id: string): Promise<InstanceType | undefined> {
    const [row] = await db.select().from(instanceTypes).where(eq(instanceTypes.id, id));
    return row && toInstanceType(row);
  },

  async listInstanceTypes(
    db: Executor,
    opts: {
      cloudId: string;
      q?: string;
      cpuArchitecture?: CpuArchitecture;
      after?: { name: string; id: string };
      limit: number;
    },
  ): Promise<InstanceType[]> {
    const rows = await db
      .select()
      .from(instanceTypes)
      .where(
        and(
          eq(instanceTypes.cloudId, opts.cloudId),
          opts.q ? ilike(instanceTypes.name, `%${escapeLike(opts.q)}%`) : undefined,
          opts.cpuArchitecture
            ? sql`${instanceTypes.cpuArchitectures} @> array[${opts.cpuArchitecture}]::text[]`
            : undefined,
          opts.after
            ? sql`(${instanceTypes.name}, ${instanceTypes.id}) > (${opts.after.name}, ${opts.after.id})`
            : undefined,
        ),
      )
      .orderBy(asc(instanceTypes.name), asc(instanceTypes.id))
      .limit(opts.limit + 1);
    return rows.map(toInstanceType);
  },
};
