/**
 * The catalog sync's rules (R-CLD-3, R-CLD-4), pure: given the catalog rows a page of the
 * cloud's listing touches and that page, what to insert, what to update (only rows whose
 * compared fields differ — a sync with no change in the cloud changes no row), and which images
 * move to `deprecated` or `unavailable`; the vanish step of a completed listing; the same for
 * instance types. The server's sync job reads the rows and the cloud, and writes what this
 * plans, one page per batch.
 */
import type { CpuArchitecture, Image, ImageState, InstanceType } from './catalog.ts';
import type { CloudImage, CloudInstanceType } from './cloud.ts';

/** A listing of a sync: the cloud's own owners and filters, or one account's credentials. */
export type SyncScope = 'cloud' | `account:${string}`;

export function accountScope(accountId: string): SyncScope {
  return `account:${accountId}`;
}

/** The account of an `account:<id>` scope; null for `cloud`. */
export function scopeAccountId(scope: string): string | null {
  return scope.startsWith('account:') ? scope.slice('account:'.length) : null;
}

/** The unavailable reason of an image the cloud no longer lists. */
export const DEREGISTERED = 'deregistered';
/** The reason of an image the cloud lists in a state other than `available` (`cloud state failed`). */
const CLOUD_STATE_REASON = 'cloud state ';
export const DEPRECATION_PASSED = 'deprecation time passed';

/** An image row as a sync writes it: everything but the id and the replacement (kept by hand). */
export type SyncedImage = Omit<Image, 'id' | 'replacementImageId'>;

/** The fields a sync compares and writes; any difference is an update. */
export const SYNCED_IMAGE_FIELDS = [
  'name',
  'description',
  'osFamily',
  'osVersion',
  'cpuArchitecture',
  'virtualizationType',
  'rootDeviceType',
  'visibility',
  'ownerAccountId',
  'launchPermissions',
  'state',
  'deprecatedAt',
  'unavailableReason',
  'unavailableAt',
  'ownerPrincipal',
  'unknownPrincipals',
  'syncScope',
] as const satisfies readonly (keyof SyncedImage)[];
export type SyncedImageField = (typeof SYNCED_IMAGE_FIELDS)[number];

export interface SyncPageContext {
  cloudId: string;
  scope: SyncScope;
  now: Date;
  /** R-CLD-2: principal → account id, for the owners and the launch-permission principals. */
  accountsByPrincipal: ReadonlyMap<string, string>;
  /**
   * R-CLD-4: the launch-permission principals the cloud reported for the page's private images
   * that an account owns (read with that account's credentials), by resource uid.
   */
  launchPermissions: ReadonlyMap<string, readonly string[]>;
}

/** An image's move to `deprecated` or `unavailable` (R-CLD-5 records it with its impact). */
export interface ImageStateChange {
  image: Image;
  from: ImageState;
  to: ImageState;
  reason: string;
}

export interface ImageUpdate {
  id: string;
  before: Image;
  after: SyncedImage;
  /** The compared fields that differ. */
  changed: SyncedImageField[];
}

export interface ImagePagePlan {
  inserts: SyncedImage[];
  updates: ImageUpdate[];
  unchanged: number;
  /** Images the listing showed that this scope does not keep, with why (counted, not written). */
  skipped: { resourceUid: string; reason: string }[];
  /** Moves of existing images to `deprecated` / `unavailable` among the updates. */
  stateChanges: ImageStateChange[];
  /** The resource uids the listing showed (all of them: the vanish step compares with these). */
  seen: string[];
}

/**
 * R-CLD-4: the account that owns a listed image as a private image of that account: the image is
 * not public and its owner principal is an account's. Undefined otherwise.
 * @rule R-CLD-4
 */
export function privateOwnerOf(
  image: Pick<CloudImage, 'isPublic' | 'ownerPrincipal'>,
  accountsByPrincipal: ReadonlyMap<string, string>,
): string | undefined {
  return image.isPublic ? undefined : accountsByPrincipal.get(image.ownerPrincipal);
}

/**
 * R-CLD-2: launch-permission principals the cloud reports, matched against the principals the
 * accounts are known by: the accounts allowed (the owner itself and `all` left out) and the
 * principals no account is, kept apart to be shown as unknown. Both sorted, without repeats.
 * @rule R-CLD-2
 */
export function accountsOfPrincipals(
  principals: readonly string[],
  accountsByPrincipal: ReadonlyMap<string, string>,
  owner: { owner?: string; ownerPrincipal?: string } = {},
): { accountIds: string[]; unknownPrincipals: string[] } {
  const accounts: string[] = [];
  const unknown: string[] = [];
  for (const principal of principals) {
    if (principal === 'all' || principal === owner.ownerPrincipal) continue;
    const account = accountsByPrincipal.get(principal);
    if (account === undefined) unknown.push(principal);
    else if (account !== owner.owner) accounts.push(account);
  }
  return { accountIds: sortedUnique(accounts), unknownPrincipals: sortedUnique(unknown) };
}

/** Unavailable reasons a sync sets (and so may lift when the cloud lists the image as usable again). */
function isSyncReason(reason: string | null): boolean {
  return reason === DEREGISTERED || (reason?.startsWith(CLOUD_STATE_REASON) ?? false);
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/**
 * What the catalog row of a listed image should be (R-CLD-3/4): the cloud's facts; private and
 * owned by an account → that account's, with the launch permissions mapped to accounts (unknown
 * principals kept apart); state from the cloud's state and deprecation time, keeping a by-hand
 * deprecation and an unavailability the sync did not set. Undefined when the scope cannot keep
 * it (a private image whose owner no account is).
 * @rule R-CLD-3
 * @rule R-CLD-4
 */
export function desiredImage(
  listed: CloudImage,
  existing: Image | undefined,
  ctx: SyncPageContext,
): SyncedImage | { skip: string } {
  const owner = privateOwnerOf(listed, ctx.accountsByPrincipal);
  if (!listed.isPublic && !owner)
    return { skip: `private image of principal ${listed.ownerPrincipal}, which no account is` };

  let launchPermissions: string[] = [];
  let unknownPrincipals: string[] = [];
  if (owner) {
    const mapped = accountsOfPrincipals(
      ctx.launchPermissions.get(listed.resourceUid) ?? [],
      ctx.accountsByPrincipal,
      { owner, ownerPrincipal: listed.ownerPrincipal },
    );
    launchPermissions = mapped.accountIds;
    unknownPrincipals = mapped.unknownPrincipals;
  }

  let state: ImageState = 'available';
  let deprecatedAt: string | null = null;
  let unavailableReason: string | null = null;
  let unavailableAt: string | null = null;
  const deprecation = listed.deprecationTime;
  if (listed.cloudState !== 'available') {
    state = 'unavailable';
    unavailableReason = `${CLOUD_STATE_REASON}${listed.cloudState}`;
  } else if (deprecation && deprecation.getTime() <= ctx.now.getTime()) {
    state = 'deprecated';
    deprecatedAt = deprecation.toISOString();
  } else if (existing?.state === 'deprecated') {
    // Deprecated by hand (the cloud has no passed deprecation time): kept, with its replacement.
    state = 'deprecated';
    deprecatedAt = existing.deprecatedAt;
  } else if (existing?.state === 'unavailable' && !isSyncReason(existing.unavailableReason)) {
    // Made unavailable by hand or by a launch for a reason the listing cannot lift.
    state = 'unavailable';
    unavailableReason = existing.unavailableReason;
    unavailableAt = existing.unavailableAt;
  }
  if (state === 'unavailable' && unavailableAt === null) {
    // Since when: kept while it stays unavailable for the same reason.
    unavailableAt =
      existing?.state === 'unavailable' && existing.unavailableReason === unavailableReason
        ? existing.unavailableAt
        : ctx.now.toISOString();
  }

  return {
    cloudId: ctx.cloudId,
    resourceUid: listed.resourceUid,
    name: listed.name,
    description: listed.description,
    osFamily: listed.osFamily,
    osVersion: listed.osVersion,
    cpuArchitecture: listed.cpuArchitecture,
    virtualizationType: listed.virtualizationType,
    rootDeviceType: listed.rootDeviceType,
    visibility: listed.isPublic ? 'public' : 'private',
    ownerAccountId: owner ?? null,
    launchPermissions,
    state,
    deprecatedAt,
    unavailableReason,
    unavailableAt,
    ownerPrincipal: listed.ownerPrincipal,
    unknownPrincipals,
    syncScope: ctx.scope,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = [...(a as string[])].sort();
    const y = [...(b as string[])].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (typeof a === 'string' && typeof b === 'string' && a !== b) {
    // Timestamps compare as instants (the database may spell them differently).
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (/^\d{4}-\d\d-\d\dT/.test(a) && /^\d{4}-\d\d-\d\dT/.test(b) && !isNaN(ta) && ta === tb) return true;
  }
  return a === b;
}

/** The compared fields in which a row differs from what the sync wants it to be. */
export function changedFields(before: Image, after: SyncedImage): SyncedImageField[] {
  return SYNCED_IMAGE_FIELDS.filter((f) => !sameValue(before[f], after[f]));
}

/**
 * Whether a listing of `scope` takes over a row another scope (or nobody) keeps: a row
 * registered by hand that the cloud lists, a row its own scope has retired (`unavailable`), or a
 * private image found by its owner's own listing. Otherwise the row stays its scope's and this
 * listing only notes it as seen.
 * @rule R-CLD-3
 */
export function takesOver(existing: Image, scope: SyncScope, owner: string | null): boolean {
  if (existing.syncScope === scope || existing.syncScope === null) return true;
  if (existing.state === 'unavailable' && isSyncReason(existing.unavailableReason)) return true;
  return owner !== null && scope === accountScope(owner);
}

function stateChangeOf(before: Image, after: SyncedImage, id: string): ImageStateChange | undefined {
  if (before.state === after.state || after.state === 'available') return undefined;
  const reason = after.state === 'deprecated' ? DEPRECATION_PASSED : (after.unavailableReason ?? '');
  return {
    image: { ...after, id, replacementImageId: before.replacementImageId },
    from: before.state,
    to: after.state,
    reason,
  };
}

/**
 * Plans one page of a scope's listing against the rows with the same resource uids in the cloud
 * (any scope): inserts, updates where a compared field differs, and the state changes among them.
 * @rule R-CLD-3
 * @rule R-CLD-4
 */
export function planImagePage(
  existingRows: readonly Image[],
  page: readonly CloudImage[],
  ctx: SyncPageContext,
): ImagePagePlan {
  const byUid = new Map(existingRows.map((r) => [r.resourceUid, r]));
  const plan: ImagePagePlan = {
    inserts: [],
    updates: [],
    unchanged: 0,
    skipped: [],
    stateChanges: [],
    seen: [],
  };
  const planned = new Set<string>();
  for (const listed of page) {
    if (planned.has(listed.resourceUid)) continue;
    planned.add(listed.resourceUid);
    plan.seen.push(listed.resourceUid);
    const existing = byUid.get(listed.resourceUid);
    const desired = desiredImage(listed, existing, ctx);
    if ('skip' in desired) {
      plan.skipped.push({ resourceUid: listed.resourceUid, reason: desired.skip });
      continue;
    }
    if (!existing) {
      plan.inserts.push(desired);
      continue;
    }
    if (!takesOver(existing, ctx.scope, desired.ownerAccountId)) {
      plan.unchanged += 1;
      continue;
    }
    const changed = changedFields(existing, desired);
    if (changed.length === 0) {
      plan.unchanged += 1;
      continue;
    }
    plan.updates.push({ id: existing.id, before: existing, after: desired, changed });
    const change = stateChangeOf(existing, desired, existing.id);
    if (change) plan.stateChanges.push(change);
  }
  return plan;
}

/**
 * The vanish step of a completed listing (R-CLD-3): the scope's rows that the listing did not
 * show become `unavailable`, reason `deregistered`, since now — never deleted. Rows already
 * unavailable stay as they are.
 * @rule R-CLD-3
 */
export function planVanished(
  notSeen: readonly Image[],
  now: Date,
): { updates: ImageUpdate[]; stateChanges: ImageStateChange[] } {
  const updates: ImageUpdate[] = [];
  const stateChanges: ImageStateChange[] = [];
  for (const row of notSeen) {
    if (row.state === 'unavailable') continue;
    const { id: _id, replacementImageId: _r, ...rest } = row;
    const after: SyncedImage = {
      ...rest,
      state: 'unavailable',
      unavailableReason: DEREGISTERED,
      unavailableAt: now.toISOString(),
    };
    updates.push({ id: row.id, before: row, after, changed: changedFields(row, after) });
    stateChanges.push({
      image: { ...row, ...after },
      from: row.state,
      to: 'unavailable',
      reason: DEREGISTERED,
    });
  }
  return { updates, stateChanges };
}

export type SyncedInstanceType = Omit<InstanceType, 'id'>;

/**
 * Plans a page of instance types (R-CLD-3): new ones inserted, changed ones updated (name, CPUs,
 * memory, architectures), the rest untouched.
 * @rule R-CLD-3
 */
export function planInstanceTypes(
  existingRows: readonly InstanceType[],
  page: readonly CloudInstanceType[],
  cloudId: string,
): {
  inserts: SyncedInstanceType[];
  updates: { id: string; after: SyncedInstanceType }[];
  unchanged: number;
} {
  const byUid = new Map(existingRows.map((r) => [r.resourceUid, r]));
  const inserts: SyncedInstanceType[] = [];
  const updates: { id: string; after: SyncedInstanceType }[] = [];
  let unchanged = 0;
  const planned = new Set<string>();
  for (const t of page) {
    if (planned.has(t.resourceUid)) continue;
    planned.add(t.resourceUid);
    const after: SyncedInstanceType = {
      cloudId,
      resourceUid: t.resourceUid,
      name: t.name,
      cpuCount: t.cpuCount,
      memoryMb: t.memoryMb,
      cpuArchitectures: sortedUnique(t.cpuArchitectures) as CpuArchitecture[],
    };
    const existing = byUid.get(t.resourceUid);
    if (!existing) inserts.push(after);
    else if (
      existing.name !== after.name ||
      existing.cpuCount !== after.cpuCount ||
      existing.memoryMb !== after.memoryMb ||
      !sameValue(existing.cpuArchitectures, after.cpuArchitectures)
    )
      updates.push({ id: existing.id, after });
    else unchanged += 1;
  }
  return { inserts, updates, unchanged };
}

/** Counts of a sync (per batch, per scope and for the job): what the audit and the result show. */
export interface SyncCounts {
  added: number;
  updated: number;
  unchanged: number;
  retired: number;
  deprecated: number;
  skipped: number;
}

export function emptyCounts(): SyncCounts {
  return { added: 0, updated: 0, unchanged: 0, retired: 0, deprecated: 0, skipped: 0 };
}

export function addCounts(a: SyncCounts, b: Partial<SyncCounts>): SyncCounts {
  return {
    added: a.added + (b.added ?? 0),
    updated: a.updated + (b.updated ?? 0),
    unchanged: a.unchanged + (b.unchanged ?? 0),
    retired: a.retired + (b.retired ?? 0),
    deprecated: a.deprecated + (b.deprecated ?? 0),
    skipped: a.skipped + (b.skipped ?? 0),
  };
}

/** `3 added, 1 updated, 2 retired` — the non-zero changes, for an audit summary; '' when none. */
export function describeCounts(c: Partial<SyncCounts>): string {
  return (
    [
      ['added', c.added],
      ['updated', c.updated],
      ['deprecated', c.deprecated],
      ['retired', c.retired],
    ] as const
  )
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([w, n]) => `${n} ${w}`)
    .join(', ');
}
