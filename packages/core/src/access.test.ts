import { describe, expect, it } from 'vitest';
import {
  authorizeAccount,
  authorizeInstallation,
  isAllowed,
  ROLES,
  type Principal,
  type Role,
} from './access.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';

const principal = (memberships: Record<string, Role[]>, isSuperuser = false): Principal => ({
  userId: 'usr_1',
  email: 'a@example.com',
  isSuperuser,
  memberships: new Map(Object.entries(memberships)),
});

describe('authorizeAccount (SPEC §4)', () => {
  it('§4: another account’s resources are 404, never 403', () => {
    expect(() => authorizeAccount(principal({ acc_a: ['admin'] }), 'acc_b', 'account.read')).toThrow(
      NotFoundError,
    );
  });

  it('§4: a member without the needed role gets 403 naming the role', () => {
    const p = principal({ acc_a: ['observer'] });
    expect(() => authorizeAccount(p, 'acc_a', 'image.private.manage')).toThrow(ForbiddenError);
    try {
      authorizeAccount(p, 'acc_a', 'image.private.manage');
    } catch (e) {
      expect((e as ForbiddenError).message).toContain('"designer"');
    }
  });

  it('§4: any role grants reading', () => {
    for (const role of ROLES) {
      expect(() => authorizeAccount(principal({ acc_a: [role] }), 'acc_a', 'account.read')).not.toThrow();
    }
  });

  it('§4: each action needs exactly its role', () => {
    const cases: [Parameters<typeof authorizeAccount>[2], Role][] = [
      ['members.manage', 'admin'],
      ['image.private.manage', 'designer'],
      ['server.write', 'actor'],
      ['import.create', 'library'],
      ['publication.write', 'publisher'],
      ['invitation.accept', 'admin'],
    ];
    for (const [action, role] of cases) {
      expect(() => authorizeAccount(principal({ acc_a: [role] }), 'acc_a', action)).not.toThrow();
      const others = ROLES.filter((r) => r !== role);
      expect(() => authorizeAccount(principal({ acc_a: others }), 'acc_a', action)).toThrow(ForbiddenError);
    }
  });

  it('§4: the superuser may do anything in any account', () => {
    expect(() => authorizeAccount(principal({}, true), 'acc_z', 'members.manage')).not.toThrow();
  });
});

describe('authorizeInstallation (SPEC §4)', () => {
  it('§4: only the superuser manages the catalog and accounts', () => {
    expect(() => authorizeInstallation(principal({ acc_a: [...ROLES] }), 'catalog.manage')).toThrow(
      ForbiddenError,
    );
    expect(() => authorizeInstallation(principal({}, true), 'account.create')).not.toThrow();
  });
});

describe('isAllowed (SPEC §4, for actions lists)', () => {
  it('§4: answers what authorizeAccount would allow, without throwing', () => {
    const p = principal({ acc_a: ['actor'] });
    expect(isAllowed(p, 'acc_a', 'server.write')).toBe(true);
    expect(isAllowed(p, 'acc_a', 'mci.write')).toBe(false);
    expect(isAllowed(p, 'acc_b', 'account.read')).toBe(false);
    expect(isAllowed(principal({}, true), 'acc_b', 'mci.write')).toBe(true);
  });
});
