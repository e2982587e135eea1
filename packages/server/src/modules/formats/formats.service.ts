import {
  accountScope,
  authorizeAccount,
  DomainError,
  planImagePage,
  type SyncedImage,
  imageUnusableReason,
  InputError,
  parseCatalog,
  toCloudFormationMappings,
  toSimplestreams,
  type ExportSetting,
  type CatalogVariant,
  type Cloud,
  type CpuArchitecture,
  type Image,
  type InstanceType,
  type Principal,
} from '@mci/core';
import { catalogRepository, syncRepository, type Executor, type MciRecord } from '@mci/db';
import { parseDocument } from 'yaml';
import { driverFor } from '../../clouds/connection.ts';
import type { AppContext } from '../../context.ts';
import { mutateOrRehearse, type UnitOfWork } from '../../unit-of-work.ts';
import { mciRevisions } from '../mci/mci.kind.ts';
import { fillSettings, syncMciIn, type SettingInput } from '../mci/mci.service.ts';
import type { CatalogImportBody, CatalogImportResult } from './formats.schema.ts';

type Skipped = CatalogImportResult['skipped'][number];
type PlannedMci = CatalogImportResult['mcis'][number];
type PlannedSetting = PlannedMci['settings'][number];

/** The cloud type whose regions a format's entries name (CloudFormation and simplestreams: EC2). */
function cloudTypeOf(input: CatalogImportBody): Cloud['cloudType'] | undefined {
  if (input.format !== 'coreos-stream') return 'aws';
  const platform = input.platform ?? 'aws';
  return platform === 'aws' ? 'aws' : undefined;
}

/** JSON or YAML text, duplicate keys refused with their line (a JSON parser would keep the last). */
export function readDocument(document: string): unknown {
  const parsed = parseDocument(document, { uniqueKeys: true, prettyErrors: false });
  const [first] = parsed.errors;
  if (first) {
    const line = first.linePos?.[0]?.line;
    const message = `${first.message.split('\n')[0]}${line ? ` (line ${line})` : ''}`;
    throw new InputError('invalid_catalog_document', `document: ${message}`, {
      errors: [{ path: 'document', message }],
    });
  }
  try {
    return parsed.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new InputError('invalid_catalog_document', `document: ${message}`, {
      errors: [{ path: 'document', message }],
    });
  }
}

const DEFAULT_PREFIX: Record<CatalogImportBody['format'], (input: CatalogImportBody) => string | undefined> =
  {
    'cloudformation-mappings': (input) => input.mapName ?? 'AWSRegionArch2AMI',
    'coreos-stream': () => 'Fedora CoreOS',
    simplestreams: () => undefined,
  };

/** An MCI's name for a variant: `<prefix> <key>` (simplestreams products are named already). */
function nameOf(input: CatalogImportBody, variant: CatalogVariant): string {
  const prefix = input.namePrefix ?? DEFAULT_PREFIX[input.format](input);
  return prefix ? `${prefix} ${variant.key}` : variant.key;
}

/** What the catalog knows, read once per import: clouds by region, each cloud's instance types. */
class CatalogLookup {
  private typesByCloud = new Map<string, InstanceType[]>();
  /** Public images a connected cloud knows and the catalog does not yet: registered by the import. */
  readonly discovered: { cloud: Cloud; image: SyncedImage }[] = [];
  private constructor(
    private readonly ctx: AppContext,
    private readonly db: Executor,
    private readonly byRegion: Map<string, Cloud[]>,
  ) {}

  static async load(ctx: AppContext, cloudType: Cloud['cloudType'] | undefined): Promise<CatalogLookup> {
    const db = ctx.db;
    const byRegion = new Map<string, Cloud[]>();
    if (cloudType) {
      for (let after: { name: string; id: string } | undefined; ;) {
        const page = await catalogRepository.listClouds(db, { cloudType, after, limit: 500 });
        for (const c of page.slice(0, 500)) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c]);
        if (page.length <= 500) break;
        after = { name: page[499].name, id: page[499].id };
      }
    }
    return new CatalogLookup(ctx, db, byRegion);
  }

  cloudsIn(region: string): Cloud[] {
    return this.byRegion.get(region) ?? [];
  }

  async image(cloudId: string, resourceUid: string): Promise<Image | undefined> {
    const [image] = await catalogRepository.listImages(this.db, { cloudId, resourceUid, limit: 1 });
    return image;
  }

  /**
   * A public image the cloud itself knows (asked through its driver with the account's
   * credentials, or the cloud's), as a sync would write it; undefined when the cloud is kept by
   * hand, cannot be asked, or does not have it. Private images wait for a sync (R-CLD-4 needs
   * their owner's launch permissions).
   */
  async discover(cloud: Cloud, resourceUid: string, accountId: string): Promise<SyncedImage | undefined> {
    if (cloud.driver === 'none') return undefined;
    try {
      const { driver, credentials } = await driverFor(this.ctx, this.db, cloud, accountId, {
        optional: true,
      });
      const listed = await driver.describeImage(resourceUid);
      if (!listed?.isPublic) return undefined;
      const [image] = planImagePage([], [listed], {
        cloudId: cloud.id,
        scope: credentials ? accountScope(credentials.accountId) : 'cloud',
        now: this.ctx.clock(),
        accountsByPrincipal: new Map(),
        launchPermissions: new Map(),
      }).inserts;
      if (image) this.discovered.push({ cloud, image });
      return image;
    } catch (error) {
      // No credentials, or the cloud refused: the entry is reported, the import goes on.
      if (error instanceof DomainError) return undefined;
      throw error;
    }
  }

  async types(cloudId: string): Promise<InstanceType[]> {
    let types = this.typesByCloud.get(cloudId);
    if (!types) {
      types = [];
      for (let after: { name: string; id: string } | undefined; ;) {
        const page = await catalogRepository.listInstanceTypes(this.db, { cloudId, after, limit: 500 });
        types.push(...page.slice(0, 500));
        if (page.length <= 500) break;
        after = { name: page[499].name, id: page[499].id };
      }
      this.typesByCloud.set(cloudId, types);
    }
    return types;
  }
}

/**
 * One variant's settings: each entry's region to a cloud (R-FMT-1: by region name, never
 * guessed), its image id to a catalog image the account can use, and an instance type from the
 * entry, the document's hints or the caller's default for the architecture. What cannot be
 * used is reported with its reason.
 */
async function settingsOf(
  lookup: CatalogLookup,
  accountId: string,
  input: CatalogImportBody,
  variant: CatalogVariant,
  skipped: Skipped[],
): Promise<{
  settings: (SettingInput & Omit<PlannedSetting, 'change'>)[];
  architecture: CpuArchitecture | null;
}> {
  const out: (SettingInput & Omit<PlannedSetting, 'change'>)[] = [];
  let architecture = variant.cpuArchitecture;
  const skip = (path: string, region: string | null, reason: Skipped['reason'], message: string) =>
    skipped.push({ path, variant: variant.key, region, reason, message });
  for (const entry of variant.entries) {
    const clouds = lookup.cloudsIn(entry.region);
    if (clouds.length === 0) {
      skip(
        entry.path,
        entry.region,
        'unknown_region',
        `no cloud of the catalog is in region ${entry.region}`,
      );
      continue;
    }
    if (clouds.length > 1) {
      skip(
        entry.path,
        entry.region,
        'ambiguous_region',
        `several clouds are in region ${entry.region} (${clouds.map((c) => c.name).join(', ')})`,
      );
      continue;
    }
    const [cloud] = clouds;
    const found = await lookup.image(cloud.id, entry.imageId);
    const unusable = found && imageUnusableReason(found, accountId);
    // Another account's private image is not this account's to know of: not in its catalog.
    const known = unusable === 'private_not_shared' ? undefined : found;
    const image = known ?? (found ? undefined : await lookup.discover(cloud, entry.imageId, accountId));
    if (!image) {
      skip(
        entry.path,
        entry.region,
        'image_not_in_catalog',
        `${entry.imageId} is not in the catalog of ${cloud.name}: sync the cloud or register the image`,
      );
      continue;
    }
    const refused = known ? unusable : imageUnusableReason(image, accountId);
    if (refused) {
      skip(
        entry.path,
        entry.region,
        'image_not_usable',
        `${entry.imageId} in ${cloud.name} is marked ${refused}`,
      );
      continue;
    }
    const arch = variant.cpuArchitecture ?? image.cpuArchitecture;
    if (image.cpuArchitecture !== arch) {
      skip(
        entry.path,
        entry.region,
        'architecture_mismatch',
        `${entry.imageId} is ${image.cpuArchitecture}, but ${variant.key} is ${arch}`,
      );
      continue;
    }
    architecture ??= arch;
    const wanted = [
      entry.instanceType,
      ...variant.instanceTypeHints,
      input.defaultInstanceTypes?.[arch],
    ].filter((t): t is string => Boolean(t));
    const types = await lookup.types(cloud.id);
    const type = wanted
      .map((uid) => types.find((t) => t.resourceUid === uid && t.cpuArchitectures.includes(arch)))
      .find(Boolean);
    if (!type) {
      skip(
        entry.path,
        entry.region,
        'no_instance_type',
        wanted.length
          ? `none of ${wanted.slice(0, 5).join(', ')}${wanted.length > 5 ? ', …' : ''} is an ${arch} instance type of ${cloud.name}`
          : `the document names no instance type: give defaultInstanceTypes.${arch}`,
      );
      continue;
    }
    out.push({
      region: entry.region,
      cloudId: cloud.id,
      cloudName: cloud.name,
      // A discovered image gets its id when the import registers it.
      imageId: known ? known.id : discoveredId(cloud.id, image.resourceUid),
      resourceUid: image.resourceUid,
      instanceTypeId: type.id,
      instanceType: type.resourceUid,
    });
  }
  return { settings: out, architecture };
}

const discoveredId = (cloudId: string, resourceUid: string) => `discovered:${cloudId}:${resourceUid}`;

/** What a HEAD's settings become: each desired one added, replaced or kept; the rest removed. */
function settingChanges(
  head: MciRecord | undefined,
  desired: (SettingInput & Omit<PlannedSetting, 'change'>)[],
  lookupRegion: (cloudId: string) => string,
): PlannedSetting[] {
  const current = new Map((head?.settings ?? []).map((s) => [s.cloudId, s]));
  const planned: PlannedSetting[] = desired.map(({ userData: _u, ...s }) => {
    const now = current.get(s.cloudId);
    const change = !now
      ? 'add'
      : now.imageId === s.imageId && now.instanceTypeId === s.instanceTypeId
        ? 'keep'
        : 'replace';
    return { ...s, change };
  });
  const kept = new Set(desired.map((s) => s.cloudId));
  for (const s of head?.settings ?? [])
    if (!kept.has(s.cloudId))
      planned.push({
        region: lookupRegion(s.cloudId),
        cloudId: s.cloudId,
        cloudName: s.cloudName,
        imageId: s.imageId,
        resourceUid: s.imageResourceUid,
        instanceTypeId: s.instanceTypeId,
        instanceType: s.instanceTypeResourceUid,
        change: 'remove',
      });
  return planned;
}

/**
 * R-FMT-1: a published catalog document (CloudFormation Mappings, a CoreOS stream, simplestreams
 * image ids) becomes HEAD MCIs, one per variant. A dry run (the default) answers exactly what
 * applying would do and writes nothing; applying does it in one transaction and, with a commit
 * message, commits every MCI it created or changed. The same document again changes nothing; a
 * newer one changes exactly the regions whose images changed.
 */
export async function importCatalog(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: CatalogImportBody,
): Promise<CatalogImportResult> {
  authorizeAccount(principal, accountId, 'mci.write');
  const parsed = parseCatalog(input.format, readDocument(input.document), input);
  const skipped: Skipped[] = parsed.skipped.map((s) => ({
    path: s.path,
    variant: s.variant ?? null,
    region: s.region ?? null,
    reason: s.reason,
    message: s.message,
  }));
  const lookup = await CatalogLookup.load(ctx, cloudTypeOf(input));
  const plans: { variant: CatalogVariant; name: string; settings: Awaited<ReturnType<typeof settingsOf>> }[] =
    [];
  for (const variant of parsed.variants) {
    const settings = await settingsOf(lookup, accountId, input, variant, skipped);
    if (settings.settings.length === 0) {
      skipped.push({
        path: 'document',
        variant: variant.key,
        region: null,
        reason: 'no_usable_entries',
        message: `${variant.key}: no entry could be used, so no MCI is made for it`,
      });
      continue;
    }
    plans.push({ variant, name: nameOf(input, variant), settings });
  }
  const names = new Set<string>();
  for (const p of plans) {
    if (names.has(p.name))
      throw new InputError('duplicate_mci_name', `two variants would both be named "${p.name}"`, {
        errors: [{ path: 'namePrefix', message: `variants must get distinct names ("${p.name}" twice)` }],
      });
    names.add(p.name);
  }
  const regionOf = new Map<string, string>();
  for (const p of plans) for (const s of p.settings.settings) regionOf.set(s.cloudId, s.region);

  return mutateOrRehearse(ctx, principal, input.dryRun, async (uow) => {
    // Images the clouds know and the catalog did not: registered first, as a sync would.
    const ids = new Map<string, string>();
    for (const { cloud, image } of lookup.discovered) {
      const [id] = (await syncRepository.insertImages(uow.tx, [image])).values();
      ids.set(discoveredId(cloud.id, image.resourceUid), id);
      uow.audit({
        accountId,
        targetType: 'image',
        targetId: id,
        action: 'image.register',
        summary: `registered ${image.resourceUid} of ${cloud.name} (public, found in the cloud) for a catalog import`,
      });
    }
    for (const p of plans) for (const s of p.settings.settings) s.imageId = ids.get(s.imageId) ?? s.imageId;
    const mcis: PlannedMci[] = [];
    for (const p of plans) mcis.push(await applyPlan(uow, principal, accountId, input, p, regionOf));
    return { format: input.format, dryRun: input.dryRun, mcis, skipped };
  }).then((result) =>
    input.dryRun
      ? {
          ...result,
          mcis: result.mcis.map((m) => ({
            ...m,
            mciId: m.action === 'create' ? null : m.mciId,
            committedRevisionId: null,
            committedRevision: null,
          })),
        }
      : result,
  );
}

async function applyPlan(
  uow: UnitOfWork,
  principal: Principal,
  accountId: string,
  input: CatalogImportBody,
  plan: { variant: CatalogVariant; name: string; settings: Awaited<ReturnType<typeof settingsOf>> },
  regionOf: Map<string, string>,
): Promise<PlannedMci> {
  const { variant, name } = plan;
  const existing = await mciRevisions.kind.store.headNamed(uow.tx, accountId, name);
  const head = existing
    ? await mciRevisions.editableHead(uow.tx, principal, accountId, existing.id, undefined)
    : undefined;
  const desired = plan.settings.settings.map((s) => ({
    ...s,
    // The documents carry no user data: a setting keeps what its cloud's had.
    userData: head?.settings.find((h) => h.cloudId === s.cloudId)?.userData ?? null,
  }));
  const settings = settingChanges(head, desired, (cloudId) => regionOf.get(cloudId) ?? cloudId);
  const toInput = ({ cloudId, imageId, instanceTypeId, userData }: SettingInput): SettingInput => ({
    cloudId,
    imageId,
    instanceTypeId,
    userData,
  });
  let record: MciRecord;
  let action: PlannedMci['action'];
  if (!head) {
    const description = `Imported from a ${input.format} document (${variant.key})`;
    record = await mciRevisions.createIn(
      uow,
      accountId,
      { name, description, tags: [] },
      fillSettings(desired.map(toInput)),
    );
    action = 'create';
  } else {
    const { changes } = await syncMciIn(uow, head, {
      description: head.description,
      tags: head.tags,
      settings: desired.map(toInput),
    });
    record = (await mciRevisions.find(uow.tx, head.id))!;
    action = changes.length > 0 ? 'update' : 'unchanged';
  }
  let committed: MciRecord | undefined;
  if (input.commitMessage && action !== 'unchanged')
    committed = await mciRevisions.commitIn(uow, record, { message: input.commitMessage });
  return {
    variant: variant.key,
    name,
    mciId: record.id,
    action,
    version: variant.version,
    cpuArchitecture: plan.settings.architecture,
    settings,
    committedRevisionId: committed?.id ?? null,
    committedRevision: committed?.revision ?? null,
  };
}

// ---------------------------------------------------------------- export and resolve (R-FMT-2)

/** A revision's settings in the form exports need (EC2 clouds only: the formats name AWS regions). */
async function exportSettings(db: Executor, mci: MciRecord): Promise<ExportSetting[]> {
  const out: ExportSetting[] = [];
  for (const s of mci.settings) {
    const cloud = await catalogRepository.findCloud(db, s.cloudId);
    if (cloud?.cloudType !== 'aws') continue;
    out.push({
      region: cloud.region,
      imageId: s.imageResourceUid,
      instanceType: s.instanceTypeResourceUid,
      cpuArchitecture: s.cpuArchitecture as CpuArchitecture,
    });
  }
  return out;
}

/**
 * R-FMT-2: a readable MCI revision as CloudFormation `Mappings`, or its lineage's committed
 * revisions as a simplestreams `products:1.0` document (one version per revision).
 */
export async function exportMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  format: 'cloudformation-mappings' | 'simplestreams',
): Promise<unknown> {
  const mci = await mciRevisions.get(ctx, principal, accountId, id);
  if (format === 'cloudformation-mappings')
    return toCloudFormationMappings(await exportSettings(ctx.db, mci));
  const rows = await mciRevisions.kind.store.revisions(ctx.db, mci.lineageId);
  const committed = rows.filter((r) => r.revision > 0).sort((a, b) => a.revision - b.revision);
  const revisions = [];
  for (const r of committed) {
    const full = (await mciRevisions.find(ctx.db, r.id))!;
    revisions.push({
      revision: r.revision,
      label: full.commitMessage ?? undefined,
      settings: await exportSettings(ctx.db, full),
    });
  }
  const arch = revisions.flatMap((r) => r.settings)[0]?.cpuArchitecture;
  return toSimplestreams({
    contentId: `mci:${mci.accountId}:${mci.lineageId}`,
    product: `mci:${mci.lineageId}${arch ? `:${arch === 'x86_64' ? 'amd64' : arch}` : ''}`,
    updated: ctx.clock(),
    revisions,
  });
}

export interface Resolved {
  mciId: string;
  lineageId: string;
  name: string;
  revision: number;
  cloudId: string;
  region: string;
  imageId: string;
  resourceUid: string;
  instanceTypeId: string;
  instanceType: string;
  cpuArchitecture: string;
  userData: string | null;
  version: number;
}

/**
 * R-FMT-2: the image to launch for one cloud (by id, or by region), from a revision — or, given a
 * lineage id, from its newest committed revision (what infrastructure code pins to).
 */
export async function resolveMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  where: { cloudId?: string; region?: string },
): Promise<Resolved> {
  authorizeAccount(principal, accountId, 'account.read');
  if ((where.cloudId === undefined) === (where.region === undefined))
    throw new InputError('cloud_or_region', 'name the cloud: give exactly one of cloudId and region', {
      errors: [{ path: 'cloudId', message: 'give cloudId or region, not both and not neither' }],
    });
  let mci: MciRecord | undefined;
  const headOfLineage = await mciRevisions.kind.store.headId(ctx.db, id).catch(() => undefined);
  if (headOfLineage) {
    const rows = await mciRevisions.kind.store.revisions(ctx.db, id);
    const newest = rows.filter((r) => r.revision > 0).sort((a, b) => b.revision - a.revision)[0];
    const head = await mciRevisions.get(ctx, principal, accountId, headOfLineage);
    if (!newest)
      throw new InputError('not_committed', `MCI "${head.name}" has no committed revision to resolve`, {
        errors: [{ path: 'id', message: 'commit the MCI, or resolve its HEAD by its revision id' }],
      });
    mci = await mciRevisions.get(ctx, principal, accountId, newest.id);
  } else mci = await mciRevisions.get(ctx, principal, accountId, id);
  const settings = [];
  for (const s of mci.settings)
    settings.push({ s, cloud: (await catalogRepository.findCloud(ctx.db, s.cloudId))! });
  const found = settings.filter(({ s, cloud }) =>
    where.cloudId ? s.cloudId === where.cloudId : cloud.region === where.region,
  );
  const asked = where.cloudId ? `cloud ${where.cloudId}` : `region ${where.region}`;
  if (found.length === 0)
    throw new InputError('no_setting', `MCI "${mci.name}" r${mci.revision} has no setting for ${asked}`, {
      errors: [
        {
          path: where.cloudId ? 'cloudId' : 'region',
          message: `has settings for ${settings.map(({ cloud }) => `${cloud.name} (${cloud.region})`).join(', ') || 'no cloud'}`,
        },
      ],
    });
  if (found.length > 1)
    throw new InputError(
      'ambiguous_region',
      `MCI "${mci.name}" has settings for several clouds in ${asked}`,
      {
        status: 400,
        errors: [{ path: 'region', message: 'name the cloud with cloudId' }],
      },
    );
  const [{ s, cloud }] = found;
  return {
    mciId: mci.id,
    lineageId: mci.lineageId,
    name: mci.name,
    revision: mci.revision,
    cloudId: cloud.id,
    region: cloud.region,
    imageId: s.imageId,
    resourceUid: s.imageResourceUid,
    instanceTypeId: s.instanceTypeId,
    instanceType: s.instanceTypeResourceUid,
    cpuArchitecture: s.cpuArchitecture,
    userData: s.userData,
    version: mci.version,
  };
}
