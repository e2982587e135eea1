import { ConflictError, ROLES } from '@mci/core';
import { expect, it } from 'vitest';
import { identityRepository } from './identity.repository.ts';
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
});
