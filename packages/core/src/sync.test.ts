import { describe, expect, it } from 'vitest';
import type { Image } from './catalog.ts';
import type { CloudImage } from './cloud.ts';
import {
  accountsOfPrincipals,
  accountScope,
  describeCounts,
  planImagePage,
  planInstanceTypes,
  planVanished,
  scopeAccountId,
  type SyncPageContext,
} from './sync.ts';

const now = new Date('2026-12-01T12:00:00Z');

function listed(overrides: Partial<CloudImage> = {}): CloudImage {
  return {
    resourceUid: 'ami-1',
    name: 'al2023-ami-2026.1',
    description: 'Amazon Linux 2023',
    ownerPrincipal: 'amazon',
    isPublic: true,
    cpuArchitecture: 'x86_64',
    virtualizationType: 'hvm',
    rootDeviceType: 'ebs',
    osFamily: 'linux',
    osVersion: '2023',
    cloudState: 'available',
    ...overrides,
  };
}

function ctx(overrides: Partial<SyncPageContext> = {}): SyncPageContext {
  return {
    cloudId: 'cld_1',
    scope: 'cloud',
    now,
    accountsByPrincipal: new Map(),
    launchPermissions: new Map(),
    ...overrides,
  };
}

/** The row a first sync of `image` inserts, with an id. */
function rowOf(image: CloudImage, c = ctx(), id = `img_${image.resourceUid}`): Image {
  const plan = planImagePage([], [image], c);
  return { id, replacementImageId: null, ...plan.inserts[0] };
}

describe('sync planner', () => {
  it('R-CLD-3: new images are added with the scope, the owner principal and state available', () => {
    const plan = planImagePage([], [listed(), listed({ resourceUid: 'ami-2' })], ctx());
    expect(plan.inserts).toHaveLength(2);
    expect(plan.inserts[0]).toMatchObject({
      cloudId: 'cld_1',
      resourceUid: 'ami-1',
      visibility: 'public',
      ownerAccountId: null,
      state: 'available',
      syncScope: 'cloud',
      ownerPrincipal: 'amazon',
      launchPermissions: [],
      unknownPrincipals: [],
    });
    expect(plan.seen).toEqual(['ami-1', 'ami-2']);
  });

  it('R-CLD-3: an unchanged image is neither inserted nor updated', () => {
    const image = listed();
    const plan = planImagePage([rowOf(image)], [image], ctx());
    expect(plan).toMatchObject({ inserts: [], updates: [], unchanged: 1, stateChanges: [] });
  });

  it('R-CLD-3: changed attributes are updated, naming the changed fields', () => {
    const row = rowOf(listed());
    const plan = planImagePage([row], [listed({ name: 'al2023-ami-2026.2', description: 'new' })], ctx());
    expect(plan.updates).toHaveLength(1);
    expect(plan.updates[0].changed).toEqual(['name', 'description']);
    expect(plan.updates[0].after.name).toBe('al2023-ami-2026.2');
    expect(plan.stateChanges).toEqual([]);
  });

  it('R-CLD-3: an image past its deprecation time becomes deprecated at that time; a future one does not', () => {
    const row = rowOf(listed());
    const past = new Date('2026-11-01T00:00:00Z');
    const plan = planImagePage([row], [listed({ deprecationTime: past })], ctx());
    expect(plan.updates[0].after).toMatchObject({ state: 'deprecated', deprecatedAt: past.toISOString() });
    expect(plan.stateChanges).toEqual([
      expect.objectContaining({ from: 'available', to: 'deprecated', reason: 'deprecation time passed' }),
    ]);
    const future = planImagePage(
      [row],
      [listed({ deprecationTime: new Date('2027-01-01T00:00:00Z') })],
      ctx(),
    );
    expect(future.unchanged).toBe(1);
    // Once deprecated, the next sync changes nothing.
    const deprecated = { ...row, ...plan.updates[0].after };
    expect(planImagePage([deprecated], [listed({ deprecationTime: past })], ctx()).unchanged).toBe(1);
  });

  it('R-CLD-3: a by-hand deprecation is kept when the cloud has none', () => {
    const row = {
      ...rowOf(listed()),
      state: 'deprecated' as const,
      deprecatedAt: '2026-10-01T00:00:00.000Z',
    };
    expect(planImagePage([row], [listed()], ctx()).unchanged).toBe(1);
  });

  it('R-CLD-3: images no longer listed become unavailable (deregistered, since now); already unavailable stay', () => {
    const a = rowOf(listed());
    const b = { ...rowOf(listed({ resourceUid: 'ami-2' })), state: 'unavailable' as const };
    const { updates, stateChanges } = planVanished([a, b], now);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      id: a.id,
      after: { state: 'unavailable', unavailableReason: 'deregistered', unavailableAt: now.toISOString() },
      changed: ['state', 'unavailableReason', 'unavailableAt'],
    });
    expect(stateChanges).toEqual([
      expect.objectContaining({ from: 'available', to: 'unavailable', reason: 'deregistered' }),
    ]);
  });

  it('R-CLD-3: a deregistered image listed again is available again', () => {
    const row = rowOf(listed());
    const gone = { ...row, ...planVanished([row], now).updates[0].after };
    const plan = planImagePage([gone], [listed()], ctx());
    expect(plan.updates[0].after).toMatchObject({
      state: 'available',
      unavailableReason: null,
      unavailableAt: null,
    });
    expect(plan.stateChanges).toEqual([]);
  });

  it('R-CLD-3: an image the cloud lists as failed is unavailable with the cloud state as reason', () => {
    const plan = planImagePage([rowOf(listed())], [listed({ cloudState: 'failed' })], ctx());
    expect(plan.updates[0].after).toMatchObject({
      state: 'unavailable',
      unavailableReason: 'cloud state failed',
    });
    expect(plan.stateChanges[0]).toMatchObject({ to: 'unavailable', reason: 'cloud state failed' });
  });

  it("R-CLD-4: a private image of an account's principal is that account's, launch permissions mapped, unknown kept", () => {
    const image = listed({ resourceUid: 'ami-p', isPublic: false, ownerPrincipal: '111111111111' });
    const c = ctx({
      scope: accountScope('acc_a'),
      accountsByPrincipal: new Map([
        ['111111111111', 'acc_a'],
        ['222222222222', 'acc_b'],
      ]),
      launchPermissions: new Map([['ami-p', ['333333333333', '222222222222', '111111111111']]]),
    });
    const plan = planImagePage([], [image], c);
    expect(plan.inserts[0]).toMatchObject({
      visibility: 'private',
      ownerAccountId: 'acc_a',
      launchPermissions: ['acc_b'],
      unknownPrincipals: ['333333333333'],
      syncScope: 'account:acc_a',
    });
    // A permission added in the cloud is an update of the row.
    const row = { id: 'img_p', replacementImageId: null, ...plan.inserts[0] };
    const more = planImagePage([row], [image], {
      ...c,
      launchPermissions: new Map([['ami-p', ['222222222222', '333333333333', '444444444444']]]),
    });
    expect(more.updates[0].changed).toEqual(['unknownPrincipals']);
    expect(planImagePage([row], [image], c).unchanged).toBe(1);
  });

  it('R-CLD-4: a private image no account owns is skipped, not written', () => {
    const plan = planImagePage([], [listed({ isPublic: false, ownerPrincipal: '999999999999' })], ctx());
    expect(plan.inserts).toEqual([]);
    expect(plan.skipped[0].reason).toContain('999999999999');
    expect(plan.seen).toEqual(['ami-1']);
  });

  it("R-CLD-3: a row of another scope is left to it unless it is the owner's own listing or was retired", () => {
    const image = listed({ isPublic: false, ownerPrincipal: '111111111111' });
    const c = ctx({
      scope: accountScope('acc_b'),
      accountsByPrincipal: new Map([['111111111111', 'acc_a']]),
    });
    const ofA = rowOf(image, { ...c, scope: accountScope('acc_a') });
    expect(planImagePage([ofA], [image], c).unchanged).toBe(1);
    const own = planImagePage([{ ...ofA, syncScope: accountScope('acc_b') }], [image], {
      ...c,
      scope: accountScope('acc_a'),
    });
    expect(own.updates[0].changed).toEqual(['syncScope']);
    const retired = { ...ofA, ...planVanished([ofA], now).updates[0].after };
    expect(planImagePage([retired], [image], c).updates[0].after).toMatchObject({
      state: 'available',
      syncScope: 'account:acc_b',
    });
  });

  it('R-CLD-3: instance types are added and updated only when they differ', () => {
    const t = {
      resourceUid: 'm5.large',
      name: 'm5.large',
      cpuCount: 2,
      memoryMb: 8192,
      cpuArchitectures: ['x86_64' as const],
    };
    const first = planInstanceTypes([], [t], 'cld_1');
    expect(first.inserts).toHaveLength(1);
    const row = { id: 'ity_1', ...first.inserts[0] };
    expect(planInstanceTypes([row], [t], 'cld_1')).toMatchObject({ inserts: [], updates: [], unchanged: 1 });
    expect(planInstanceTypes([row], [{ ...t, memoryMb: 16384 }], 'cld_1').updates).toHaveLength(1);
  });

  it('scopes and summaries', () => {
    expect(scopeAccountId(accountScope('acc_x'))).toBe('acc_x');
    expect(scopeAccountId('cloud')).toBeNull();
    expect(describeCounts({ added: 2, updated: 0, retired: 1 })).toBe('2 added, 1 retired');
    expect(describeCounts({ unchanged: 5 })).toBe('');
  });
});

describe('principals (R-CLD-2)', () => {
  it('R-CLD-2: launch permissions are matched against the principals accounts are known by; the rest are unknown', () => {
    const known = new Map([
      ['111111111111', 'acct-a'],
      ['222222222222', 'acct-b'],
    ]);
    expect(
      accountsOfPrincipals(['222222222222', '999999999999', 'all', '111111111111', '222222222222'], known, {
        owner: 'acct-a',
        ownerPrincipal: '111111111111',
      }),
    ).toEqual({ accountIds: ['acct-b'], unknownPrincipals: ['999999999999'] });
  });
});
