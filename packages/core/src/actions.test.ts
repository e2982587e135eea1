import { describe, expect, it } from 'vitest';
import type { Principal, Role } from './access.ts';
import { revisionActions } from './actions.ts';

const member = (...roles: Role[]): Principal => ({
  userId: 'usr_1',
  email: 'a@example.com',
  isSuperuser: false,
  memberships: new Map([['acc_1', roles]]),
});
const head = { accountId: 'acc_1', revision: 0, importedFrom: null };
const committed = { accountId: 'acc_1', revision: 2, importedFrom: null };

describe('revisionActions', () => {
  it('R-MCI-4: a designer may edit, commit and merge into the own HEAD; an observer may do nothing', () => {
    expect(revisionActions(member('designer'), 'acc_1', 'mci', head)).toEqual([
      'edit',
      'commit',
      'merge',
      'clone',
      'delete',
    ]);
    expect(revisionActions(member('observer'), 'acc_1', 'server_template', head)).toEqual([]);
  });

  it('R-MCI-4: committed and imported revisions are never editable', () => {
    expect(revisionActions(member('designer'), 'acc_1', 'mci', committed)).toEqual(['clone', 'delete']);
    const imported = { ...committed, importedFrom: 'pub_1' };
    expect(revisionActions(member('designer', 'publisher'), 'acc_1', 'mci', imported)).toEqual([
      'clone',
      'delete',
    ]);
  });

  it('R-PUB-1: a publisher may publish committed revisions the account created', () => {
    expect(revisionActions(member('publisher'), 'acc_1', 'mci', committed)).toEqual(['publish']);
    expect(revisionActions(member('publisher'), 'acc_1', 'mci', head)).toEqual([]);
  });

  it("R-MCI-6: another account's published revision can be cloned, nothing else", () => {
    const foreign = { ...committed, accountId: 'acc_2' };
    expect(revisionActions(member('designer', 'publisher'), 'acc_1', 'server_template', foreign)).toEqual([
      'clone',
    ]);
  });
});
