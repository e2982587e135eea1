import { ConflictError, ROLES } from '@mci/core';
import { expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
  authThrottleRepository,
  identityRepository,
  memberInvitationRepository,
} from './identity.repository.ts';
import { apiTokens } from './schema.ts';
import { describeOnEveryEngine } from './testing/index.ts';

describeOnEveryEngine('identityRepository', (database) => {
  it('refuses a second user with the same email, whatever its case, as a ConflictError', async () => {
    const { db } = database();
    await identityRepository.insertUser(db, { email: 'dana@example.com', name: 'Dana', passwordHash: null });
    const error = await identityRepository
      .insertUser(db, { email: 'Dana@Example.com', name: 'Dana 2', passwordHash: null })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((await identityRepository.findUserByEmail(db, 'DANA@example.com'))?.name).toBe('Dana');
  });

  it('resolves a token hash and a live session hash to the principal with its memberships', async () => {
    const { db } = database();
    const user = await identityRepository.insertUser(db, {
      email: 'eve@example.com',
      name: 'Eve',
      passwordHash: null,
    });
    const account = await identityRepository.insertAccount(db, { name: 'Platform', description: '' });
    await identityRepository.upsertMembership(db, account.id, user.id, ['observer', 'designer']);
    await identityRepository.insertToken(db, { userId: user.id, name: 'laptop', tokenHash: 'hash-of-token' });
    expect(await identityRepository.hasTokenHash(db, 'hash-of-token')).toBe(true);
    const principal = await identityRepository.findPrincipal(db, { tokenHash: 'hash-of-token' });
    expect(principal).toEqual({
      userId: user.id,
      email: 'eve@example.com',
      isSuperuser: false,
      memberships: new Map([[account.id, ['observer', 'designer']]]),
    });

    const now = new Date('2026-03-01T00:00:00Z');
    await identityRepository.insertSession(db, {
      idHash: 'hash-of-session',
      userId: user.id,
      expiresAt: new Date(now.getTime() + 60_000),
    });
    expect(
      (await identityRepository.findPrincipal(db, { sessionHash: 'hash-of-session', now }))?.userId,
    ).toBe(user.id);
    const later = new Date(now.getTime() + 120_000);
    expect(await identityRepository.findPrincipal(db, { sessionHash: 'hash-of-session', now: later })).toBe(
      undefined,
    );
    await identityRepository.deleteSession(db, 'hash-of-session');
    expect(await identityRepository.findPrincipal(db, { sessionHash: 'hash-of-session', now })).toBe(
      undefined,
    );
  });

  it('replaces a membership on upsert and counts the admins of an account', async () => {
    const { db } = database();
    const user = await identityRepository.insertUser(db, {
      email: 'fay@example.com',
      name: 'Fay',
      passwordHash: null,
    });
    const account = await identityRepository.insertAccount(db, { name: 'Data', description: '' });
    await identityRepository.upsertMembership(db, account.id, user.id, ['observer']);
    expect(await identityRepository.countAdmins(db, account.id)).toBe(0);
    await identityRepository.upsertMembership(db, account.id, user.id, [...ROLES]);
    expect(await identityRepository.countAdmins(db, account.id)).toBe(1);
    expect((await identityRepository.membershipsOf(db, user.id)).get(account.id)).toEqual([...ROLES]);
    expect(await identityRepository.deleteMembership(db, account.id, user.id)).toBe(true);
    expect(await identityRepository.deleteMembership(db, account.id, user.id)).toBe(false);
  });

  it("records a token's last use at most once a minute, and lists tokens without secrets", async () => {
    const { db } = database();
    const user = await identityRepository.insertUser(db, {
      email: 'gil@example.com',
      name: 'Gil',
      passwordHash: null,
    });
    const token = await identityRepository.insertToken(db, {
      userId: user.id,
      name: 'ci',
      tokenHash: 'hash-gil',
    });
    const lastUsed = async () =>
      (await db.select().from(apiTokens).where(eq(apiTokens.id, token.id)))[0].lastUsedAt?.toISOString();
    const t0 = new Date('2026-03-01T00:00:00Z');
    expect(await lastUsed()).toBeUndefined();
    await identityRepository.findPrincipal(db, { tokenHash: 'hash-gil', now: t0 });
    expect(await lastUsed()).toBe(t0.toISOString());
    await identityRepository.findPrincipal(db, {
      tokenHash: 'hash-gil',
      now: new Date(t0.getTime() + 59_000),
    });
    expect(await lastUsed()).toBe(t0.toISOString());
    const t1 = new Date(t0.getTime() + 61_000);
    await identityRepository.findPrincipal(db, { tokenHash: 'hash-gil', now: t1 });
    expect(await lastUsed()).toBe(t1.toISOString());
    const listed = await identityRepository.listTokens(db, user.id, undefined, 10);
    expect(listed).toEqual([{ ...token, lastUsedAt: t1.toISOString() }]);
    expect(await identityRepository.deleteToken(db, 'usr_other', token.id)).toBeUndefined();
    expect((await identityRepository.deleteToken(db, user.id, token.id))?.id).toBe(token.id);
    expect(await identityRepository.findPrincipal(db, { tokenHash: 'hash-gil' })).toBeUndefined();
  });

  it('throttle: blocks past the limit without counting blocked attempts, doubles repeated blocks', async () => {
    const { db } = database();
    const rule = { limit: 3, windowMs: 60_000, lockoutMs: 60_000, lockoutMaxMs: 150_000 };
    const t0 = new Date('2026-03-01T00:00:00Z').getTime();
    const at = (s: number) => new Date(t0 + s * 1000);
    const reserve = (s: number) => authThrottleRepository.reserve(db, 'email:x', rule, at(s));
    for (const s of [0, 1, 2]) expect((await reserve(s)).allowed).toBe(true);
    const blocked = await reserve(3);
    expect(blocked).toMatchObject({ allowed: false, blockedUntil: at(63) });
    expect(await reserve(30)).toMatchObject({ allowed: false, blockedUntil: at(63) });
    // The block ended: a new window of three, then a block twice as long.
    for (const s of [63, 64, 65]) expect((await reserve(s)).allowed).toBe(true);
    expect(await reserve(66)).toMatchObject({ allowed: false, blockedUntil: at(186) });
    for (const s of [186, 187, 188]) expect((await reserve(s)).allowed).toBe(true);
    // Capped at lockoutMaxMs.
    expect(await reserve(189)).toMatchObject({ allowed: false, blockedUntil: at(339) });
    // Quiet for a window after the block: the streak starts again at one lockout.
    for (const s of [400, 401, 402]) expect((await reserve(s)).allowed).toBe(true);
    expect(await reserve(403)).toMatchObject({ allowed: false, blockedUntil: at(463) });
    // A window without reaching the limit starts counting again.
    const other = (s: number) => authThrottleRepository.reserve(db, 'ip:y', rule, at(s));
    await other(0);
    await other(1);
    await authThrottleRepository.release(db, 'ip:y');
    expect((await other(2)).failures).toBe(2);
    expect((await other(70)).failures).toBe(1);
    await authThrottleRepository.clear(db, 'email:x');
    expect((await reserve(404)).failures).toBe(1);
    await authThrottleRepository.prune(db, rule.windowMs, at(1000));
    expect((await reserve(1001)).failures).toBe(1);
  });

  it('member invitations: one open per address and account; a decision is taken once', async () => {
    const { db } = database();
    const account = await identityRepository.insertAccount(db, { name: 'Invites', description: '' });
    const now = new Date('2026-03-01T00:00:00Z');
    const expiresAt = new Date(now.getTime() + 60_000);
    const inv = await memberInvitationRepository.insert(
      db,
      { accountId: account.id, email: 'Hal@example.com', roles: ['observer'], invitedBy: null, expiresAt },
      now,
    );
    expect(inv).toMatchObject({ accountName: 'Invites', state: 'pending', roles: ['observer'] });
    const dup = await memberInvitationRepository
      .insert(
        db,
        { accountId: account.id, email: 'hal@EXAMPLE.com', roles: ['actor'], invitedBy: null, expiresAt },
        now,
      )
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConflictError);
    expect(
      (await memberInvitationRepository.listForEmail(db, 'HAL@example.com', { limit: 10 }, now)).map(
        (i) => i.id,
      ),
    ).toEqual([inv.id]);
    const later = new Date(expiresAt.getTime() + 1);
    expect(
      await memberInvitationRepository.listForEmail(db, 'hal@example.com', { limit: 10 }, later),
    ).toEqual([]);
    expect((await memberInvitationRepository.find(db, { id: inv.id }, later))?.state).toBe('expired');
    expect(await memberInvitationRepository.decide(db, inv.id, 'accepted', later)).toBe(false);
    // An expired one no longer blocks a new invitation.
    const again = await memberInvitationRepository.insert(
      db,
      {
        accountId: account.id,
        email: 'hal@example.com',
        roles: ['actor'],
        invitedBy: null,
        expiresAt: new Date(later.getTime() + 60_000),
      },
      later,
    );
    expect(await memberInvitationRepository.decide(db, again.id, 'accepted', later)).toBe(true);
    expect(await memberInvitationRepository.decide(db, again.id, 'declined', later)).toBe(false);
    expect(await memberInvitationRepository.listForAccount(db, account.id, { limit: 10 }, later)).toEqual([]);
  });
});
