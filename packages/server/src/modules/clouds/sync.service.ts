/**
 * The catalog sync (R-CLD-3, R-CLD-4) as a durable job (R-JOB): `POST /v1/clouds/{c}/sync` and
 * the schedule queue a `cloud_sync` job (at most one per cloud); its handler lists the cloud's
 * instance types, then the `cloud` scope (the cloud's owners and name filters), then each
 * account scope (accounts with credentials for the cloud type, with their own owners and
 * filters), page by page. Each page is one batch: one transaction that writes only the rows that
 * differ, notes the page's uids in `sync_seen`, audits what changed under the job's system actor
 * and commits the checkpoint `{scope, nextToken}` — so a killed job leaves whole pages and
 * resumes at the next one. A completed listing retires its scope's rows it did not show.
 *
 * A sync with no change in the cloud changes no catalog row (images, instance types) and writes
 * no audit entry; the job's own row, `sync_seen` (cleared at the end) and `clouds.last_synced_at`
 * are the job's bookkeeping and do change.
 */
import {
  isTransient,
  accountScope,
  CLOUD_SYNC_JOB,
  addCounts,
  authorizeAccount,
  authorizeInstallation,
  CloudError,
  describeCounts,
  DomainError,
  emptyCounts,
  NotFoundError,
  planImagePage,
  planInstanceTypes,
  planVanished,
  privateOwnerOf,
  scopeAccountId,
  type Cloud,
  type CloudDriver,
  type CloudImage,
  type CloudPage,
  type ImageStateChange,
  type Principal,
  type SyncCounts,
  type SyncScope,
} from '@mci/core';
import { catalogRepository, cloudCredentialRepository, syncRepository } from '@mci/db';
import type { AppContext } from '../../context.ts';
import {
  accountsByPrincipal,
  credentialsMissing,
  driverFor,
  noDriver,
  noteCredentialUse,
} from '../../clouds/connection.ts';
import type { CredentialsInUse } from '../../clouds/drivers.ts';
import {
  describeError,
  enqueueJobOnce,
  registerJobKind,
  registerSchedule,
  type JobRecord,
  type JobRun,
} from '../../jobs/runner.ts';
import type { UnitOfWork } from '../../unit-of-work.ts';
import { recordImageChanges } from './image-change.ts';

/**
 * Rows per batch (one transaction): a cloud page of thousands (moto answers one page of
 * everything) is written in slices, so that on PGlite, whose one connection the API shares,
 * requests are served between them, and a kill -9 loses at most one slice.
 */
export const SYNC_BATCH_ROWS = 500;

/** One listing of the sync: which scope, with which owners and name filters. */
interface ScopePlan {
  scope: SyncScope;
  owners: string[];
  nameFilters: string[];
}

/** What a committed batch leaves for the next (R-JOB-2). */
export interface SyncCheckpoint {
  /** `types` → `images` (scope by scope) → `finish` → `done`. */
  step: 'types' | 'images' | 'finish' | 'done';
  scopes: ScopePlan[];
  /** The scope being listed (index into `scopes`). */
  scopeIndex: number;
  /** The cloud's token of the next page of the current listing; null: its first page. */
  nextToken: string | null;
  /** The current listing has been fully read; its vanish step is next. */
  listed: boolean;
  page: number;
  /**
   * Images of the page at `nextToken` already written (a page is written in batches of
   * {@link SYNC_BATCH_ROWS}); a resumed job lists that page again and goes on from here.
   */
  offset?: number;
  /** Images listed so far (progress `done`). */
  images: number;
  counts: SyncCounts;
  types: { added: number; updated: number };
  /** Listings that could not be completed (non-transient errors of an account's credentials). */
  scopeErrors: { scope: string; error: string }[];
}

/** Params of a `cloud_sync` job: an account's own scope only, or (none) the whole cloud. */
export interface SyncParams {
  accountId?: string;
}

function scopeLabel(scope: string): string {
  const account = scopeAccountId(scope);
  return account ? `account ${account}` : 'cloud';
}

/** The listings of a sync (R-CLD-3/4), fixed when the job starts. */
async function planScopes(ctx: AppContext, cloud: Cloud, params: SyncParams): Promise<ScopePlan[]> {
  const credentials = await cloudCredentialRepository.listOfType(ctx.db, cloud.cloudType);
  const accountScopes = credentials
    .filter((c) => params.accountId === undefined || c.accountId === params.accountId)
    .map((c) => ({
      scope: accountScope(c.accountId),
      owners: c.syncOwners.length > 0 ? c.syncOwners : ['self'],
      nameFilters: c.syncNameFilters,
    }));
  if (params.accountId !== undefined) return accountScopes;
  const cloudScope: ScopePlan[] =
    cloud.sync.owners.length > 0
      ? [{ scope: 'cloud', owners: cloud.sync.owners, nameFilters: cloud.sync.nameFilters }]
      : [];
  return [...cloudScope, ...accountScopes];
}

/** Drivers of one job run, made once per scope / account. */
class Drivers {
  private readonly cache = new Map<
    string,
    Promise<{ driver: CloudDriver; credentials: CredentialsInUse | null }>
  >();
  constructor(
    private readonly ctx: AppContext,
    private readonly cloud: Cloud,
  ) {}
  of(accountId: string | null) {
    const key = accountId ?? '';
    let entry = this.cache.get(key);
    if (!entry) {
      entry = driverFor(this.ctx, this.ctx.db, this.cloud, accountId);
      this.cache.set(key, entry);
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }
}

/**
 * The listings' pages, each asked for one step ahead: the next page (or the next scope's first)
 * is on its way while the current one is written, and the first image page while the instance
 * types are, so the cloud's latency and the database's writes overlap. A page fetched ahead
 * fails where it is taken, as if it had been asked for then.
 */
class ImagePages {
  private readonly ahead = new Map<string, Promise<CloudPage<CloudImage>>>();
  constructor(
    private readonly drivers: Drivers,
    private readonly scopes: readonly ScopePlan[],
  ) {}

  private async fetch(index: number, token: string | null): Promise<CloudPage<CloudImage>> {
    const scope = this.scopes[index];
    const { driver } = await this.drivers.of(scopeAccountId(scope.scope));
    return driver.listImages({
      owners: scope.owners,
      nameFilters: scope.nameFilters,
      nextToken: token ?? undefined,
    });
  }

  prefetch(index: number, token: string | null): void {
    const key = `${index} ${token ?? ''}`;
    if (index >= this.scopes.length || this.ahead.has(key)) return;
    const page = this.fetch(index, token);
    page.catch(() => undefined);
    this.ahead.set(key, page);
  }

  take(index: number, token: string | null): Promise<CloudPage<CloudImage>> {
    const key = `${index} ${token ?? ''}`;
    const page = this.ahead.get(key);
    this.ahead.delete(key);
    return page ?? this.fetch(index, token);
  }
}

/** Runs `work` over items, at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

/**
 * R-CLD-4: the launch permissions of a page's private images that an account owns, read with
 * the owner's credentials, and every principal involved mapped to accounts.
 */
async function readPrivateFacts(
  ctx: AppContext,
  cloud: Cloud,
  drivers: Drivers,
  page: readonly CloudImage[],
): Promise<{ principals: Map<string, string>; launchPermissions: Map<string, string[]> }> {
  const owners = [...new Set(page.filter((i) => !i.isPublic).map((i) => i.ownerPrincipal))];
  const principals = await accountsByPrincipal(ctx.db, cloud.cloudType, owners);
  const launchPermissions = new Map<string, string[]>();
  const owned = page.filter((i) => privateOwnerOf(i, principals) !== undefined);
  await eachLimited(owned, 8, async (image) => {
    const owner = privateOwnerOf(image, principals)!;
    const { driver } = await drivers.of(owner);
    launchPermissions.set(image.resourceUid, await driver.launchPermissions(image.resourceUid));
  });
  const granted = [...new Set([...launchPermissions.values()].flat())].filter(
    (p) => p !== 'all' && !principals.has(p),
  );
  if (granted.length > 0) {
    for (const [p, a] of await accountsByPrincipal(ctx.db, cloud.cloudType, granted)) principals.set(p, a);
  }
  return { principals, launchPermissions };
}

/** Counts of written changes, told apart by what happened to the image's state. */
function countChanges(
  updates: readonly { after: { state: string }; before: { state: string } }[],
  inserts: number,
): Partial<SyncCounts> {
  let deprecated = 0;
  let retired = 0;
  let updated = 0;
  for (const u of updates) {
    if (u.after.state !== u.before.state && u.after.state === 'deprecated') deprecated += 1;
    else if (u.after.state !== u.before.state && u.after.state === 'unavailable') retired += 1;
    else updated += 1;
  }
  return { added: inserts, updated, deprecated, retired };
}

/**
 * Audits a batch's changes (R-JOB-3, under the job's actor): one entry per account whose
 * private images changed, one installation entry (account null) for the public catalog. Nothing
 * when nothing changed.
 */
function auditChanges(
  uow: UnitOfWork,
  cloud: Cloud,
  scope: string,
  what: string,
  byAccount: Map<string | null, Partial<SyncCounts>>,
): void {
  for (const [accountId, counts] of byAccount) {
    const text = describeCounts(counts);
    if (!text) continue;
    uow.audit({
      accountId,
      action: 'cloud.sync',
      targetType: 'cloud',
      targetId: cloud.id,
      summary: `sync of "${cloud.name}" (${scopeLabel(scope)}), ${what}: ${text}`,
    });
  }
}

function groupByOwner<T>(items: readonly T[], ownerOf: (item: T) => string | null): Map<string | null, T[]> {
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const key = ownerOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

async function recordChanges(uow: UnitOfWork, jobId: string, changes: readonly ImageStateChange[]) {
  if (changes.length === 0) return;
  await recordImageChanges(
    uow,
    changes.map((c) => ({ image: c.image, from: c.from, to: c.to, reason: c.reason, jobId })),
  );
}

/** The `cloud_sync` handler (R-CLD-3/4 on R-JOB-2). */
export async function runCloudSync(job: JobRecord, run: JobRun<SyncCheckpoint>) {
  const { ctx } = run;
  const cloud = job.cloudId ? await catalogRepository.findCloud(ctx.db, job.cloudId) : undefined;
  if (!cloud) throw new NotFoundError('cloud', job.cloudId ?? '');
  if (cloud.driver === 'none') throw noDriver(cloud);
  const params = job.params as SyncParams;
  const drivers = new Drivers(ctx, cloud);

  let cp: SyncCheckpoint = run.checkpoint ?? {
    step: params.accountId === undefined ? 'types' : 'images',
    scopes: await planScopes(ctx, cloud, params),
    scopeIndex: 0,
    nextToken: null,
    listed: false,
    page: 0,
    images: 0,
    counts: emptyCounts(),
    types: { added: 0, updated: 0 },
    scopeErrors: [],
  };
  if (params.accountId !== undefined && cp.scopes.length === 0)
    throw credentialsMissing(cloud.cloudType, params.accountId, cloud.name);
  const total = run.checkpoint
    ? run.progress.total
    : await syncRepository.countInScopes(
        ctx.db,
        cloud.id,
        cp.scopes.map((s) => s.scope),
      );
  const commit = (next: SyncCheckpoint, phase: string, work?: (uow: UnitOfWork) => Promise<void>) =>
    run.batch(async (uow) => {
      if (work) await work(uow);
      return {
        checkpoint: next,
        done: next.images,
        total: next.step === 'done' ? next.images : total && Math.max(total, next.images),
        phase,
      };
    });

  // 1. Instance types (the whole cloud's sync only), page by page.
  const pages = new ImagePages(drivers, cp.scopes);
  while (cp.step === 'types') {
    pages.prefetch(0, null);
    const { driver, credentials } = await drivers.of(null);
    const page = await driver.listInstanceTypes(cp.nextToken ?? undefined);
    if (credentials) await noteCredentialUse(ctx, credentials.id);
    const next: SyncCheckpoint = page.nextToken
      ? { ...cp, nextToken: page.nextToken, page: cp.page + 1 }
      : { ...cp, step: 'images', nextToken: null, page: 0 };
    const types = cp.types;
    await commit(next, `instance types, page ${cp.page + 1}`, async (uow) => {
      const existing = await syncRepository.instanceTypesByUids(
        uow.tx,
        cloud.id,
        page.items.map((t) => t.resourceUid),
      );
      const plan = planInstanceTypes(existing, page.items, cloud.id);
      await syncRepository.insertInstanceTypes(uow.tx, plan.inserts);
      await syncRepository.updateInstanceTypes(uow.tx, plan.updates);
      next.types = { added: types.added + plan.inserts.length, updated: types.updated + plan.updates.length };
      const parts = [
        plan.inserts.length > 0 ? `${plan.inserts.length} added` : '',
        plan.updates.length > 0 ? `${plan.updates.length} updated` : '',
      ].filter(Boolean);
      if (parts.length > 0)
        uow.audit({
          accountId: null,
          action: 'cloud.sync',
          targetType: 'cloud',
          targetId: cloud.id,
          summary: `sync of "${cloud.name}", instance types: ${parts.join(', ')}`,
        });
    });
    cp = next;
  }

  // 2. Each scope's listing, page by page; then its vanish step.
  while (cp.step === 'images' && cp.scopeIndex < cp.scopes.length) {
    const scope = cp.scopes[cp.scopeIndex];
    const accountId = scopeAccountId(scope.scope);
    const nextScope = (from: SyncCheckpoint): SyncCheckpoint => ({
      ...from,
      scopeIndex: from.scopeIndex + 1,
      nextToken: null,
      listed: false,
      page: 0,
    });

    if (cp.listed) {
      // The listing is complete: its rows it did not show are retired (R-CLD-3).
      const next = nextScope(cp);
      await commit(next, `retiring vanished images (${scopeLabel(scope.scope)})`, async (uow) => {
        const notSeen = await syncRepository.notSeen(uow.tx, job.id, cloud.id, scope.scope);
        const plan = planVanished(notSeen, uow.now);
        await syncRepository.updateImages(uow.tx, plan.updates);
        await recordChanges(uow, job.id, plan.stateChanges);
        const byOwner = groupByOwner(plan.updates, (u) => u.before.ownerAccountId);
        auditChanges(
          uow,
          cloud,
          scope.scope,
          'vanished images',
          new Map([...byOwner].map(([k, v]) => [k, { retired: v.length }])),
        );
        next.counts = addCounts(cp.counts, { retired: plan.updates.length });
      });
      cp = next;
      continue;
    }

    let page;
    let pageFacts;
    try {
      const { credentials } = await drivers.of(accountId);
      page = await pages.take(cp.scopeIndex, cp.nextToken);
      if (page.nextToken) pages.prefetch(cp.scopeIndex, page.nextToken);
      else pages.prefetch(cp.scopeIndex + 1, null);
      pageFacts = await readPrivateFacts(ctx, cloud, drivers, page.items);
      if (credentials) await noteCredentialUse(ctx, credentials.id);
    } catch (error) {
      // An account's listing that cannot be read (credentials refused or unreadable) is left out
      // (no vanish step for it); a transient failure or the cloud's own listing fails the run.
      if (
        accountId === null ||
        isTransient(error) ||
        !(error instanceof CloudError || error instanceof DomainError)
      )
        throw error;
      const next = {
        ...nextScope(cp),
        scopeErrors: [...cp.scopeErrors, { scope: scope.scope, error: describeError(error) }],
      };
      await commit(next, `skipped ${scopeLabel(scope.scope)}: ${describeError(error)}`);
      cp = next;
      continue;
    }

    const listedPage = page;
    const facts = pageFacts;
    const start = Math.min(cp.offset ?? 0, listedPage.items.length);
    // At least one batch, even for an empty page (or one that shrank since a crash): the listing moves on.
    for (let from = start; ; from += SYNC_BATCH_ROWS) {
      const items = listedPage.items.slice(from, from + SYNC_BATCH_ROWS);
      const lastSlice = from + SYNC_BATCH_ROWS >= listedPage.items.length;
      const next: SyncCheckpoint = lastSlice
        ? {
            ...cp,
            nextToken: listedPage.nextToken ?? null,
            listed: !listedPage.nextToken,
            page: cp.page + 1,
            offset: 0,
            images: cp.images + items.length,
          }
        : { ...cp, offset: from + items.length, images: cp.images + items.length };
      const slice =
        listedPage.items.length > SYNC_BATCH_ROWS
          ? ` (${from + items.length}/${listedPage.items.length})`
          : '';
      await commit(next, `images (${scopeLabel(scope.scope)}), page ${cp.page + 1}${slice}`, async (uow) => {
        const existing = await syncRepository.imagesByUids(
          uow.tx,
          cloud.id,
          items.map((i) => i.resourceUid),
        );
        const plan = planImagePage(existing, items, {
          cloudId: cloud.id,
          scope: scope.scope,
          now: uow.now,
          accountsByPrincipal: facts.principals,
          launchPermissions: facts.launchPermissions,
        });
        await syncRepository.insertImages(uow.tx, plan.inserts);
        await syncRepository.updateImages(uow.tx, plan.updates);
        await syncRepository.markSeen(uow.tx, job.id, scope.scope, plan.seen);
        await recordChanges(uow, job.id, plan.stateChanges);
        const byAccount = new Map<string | null, Partial<SyncCounts>>();
        const inserts = groupByOwner(plan.inserts, (i) => i.ownerAccountId);
        const updates = groupByOwner(plan.updates, (u) => u.after.ownerAccountId ?? u.before.ownerAccountId);
        for (const key of new Set([...inserts.keys(), ...updates.keys()]))
          byAccount.set(key, countChanges(updates.get(key) ?? [], inserts.get(key)?.length ?? 0));
        auditChanges(uow, cloud, scope.scope, `page ${cp.page + 1}${slice}`, byAccount);
        next.counts = addCounts(cp.counts, {
          ...countChanges(plan.updates, plan.inserts.length),
          unchanged: plan.unchanged,
          skipped: plan.skipped.length,
        });
      });
      cp = next;
      if (lastSlice) break;
    }
  }

  // 3. The end: what the job noted is dropped, the cloud's last sync time set.
  if (cp.step === 'images') {
    const next: SyncCheckpoint = { ...cp, step: 'done' };
    await commit(next, 'finished', async (uow) => {
      await syncRepository.clearSeen(uow.tx, job.id);
      if (params.accountId === undefined) await syncRepository.setLastSynced(uow.tx, cloud.id, uow.now);
    });
    cp = next;
  }
  return {
    images: cp.images,
    ...cp.counts,
    instanceTypes: cp.types,
    scopes: cp.scopes.map((s) => s.scope),
    scopeErrors: cp.scopeErrors,
  };
}

registerJobKind(CLOUD_SYNC_JOB, runCloudSync);

/** R-CLD-3: clouds with a sync interval get a sync queued when due (no duplicates: one per cloud). */
export async function queueDueSyncs(ctx: AppContext, now: Date): Promise<void> {
  for (const cloud of await syncRepository.dueForSync(ctx.db, now)) {
    await enqueueJobOnce(
      { db: ctx.db, clock: () => now },
      { kind: CLOUD_SYNC_JOB, cloudId: cloud.id, params: {}, createdBy: null },
    );
  }
}

registerSchedule(CLOUD_SYNC_JOB, queueDueSyncs);

/**
 * `POST /v1/clouds/{c}/sync` (R-CLD-3): the superuser syncs the whole cloud; an account's admin
 * syncs the account's own images (`accountId`). A sync of the cloud already queued or running is
 * answered instead of a second one (it covers the account's scope too).
 */
export async function requestSync(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  opts: { accountId?: string },
): Promise<{ job: JobRecord; created: boolean }> {
  if (opts.accountId === undefined) authorizeInstallation(principal, 'catalog.manage');
  else authorizeAccount(principal, opts.accountId, 'credentials.manage');
  const cloud = await catalogRepository.findCloud(ctx.db, cloudId);
  if (!cloud) throw new NotFoundError('cloud', cloudId);
  if (cloud.driver === 'none') throw noDriver(cloud);
  if (opts.accountId !== undefined) {
    const credentials = await cloudCredentialRepository.findByAccountAndType(
      ctx.db,
      opts.accountId,
      cloud.cloudType,
    );
    if (!credentials) throw credentialsMissing(cloud.cloudType, opts.accountId, cloud.name);
  }
  return enqueueJobOnce(ctx, {
    kind: CLOUD_SYNC_JOB,
    cloudId: cloud.id,
    accountId: opts.accountId ?? null,
    params: opts.accountId ? { accountId: opts.accountId } : {},
    createdBy: principal.userId,
  });
}
