import { expect, it } from 'vitest';
import { auditRepository } from './audit.repository.ts';
import { identityRepository } from './identity.repository.ts';
import { describeOnEveryEngine } from './testing/index.ts';

describeOnEveryEngine('auditRepository', (database) => {
  it("lists an account's entries newest first in keyset pages, apart from installation-level ones", async () => {
    const { db } = database();
    const account = await identityRepository.insertAccount(db, { name: 'Audited', description: '' });
    for (const n of [1, 2, 3])
      await auditRepository.insert(db, {
        accountId: account.id,
        userId: null,
        action: `thing.${n}`,
        targetType: 'thing',
        targetId: String(n),
        summary: `step ${n}`,
      });
    await auditRepository.insert(db, {
      accountId: null,
      userId: null,
      action: 'installation.thing',
      targetType: 'installation',
      targetId: 'x',
      summary: 'not in the account',
    });
    const first = await auditRepository.list(db, { accountId: account.id, limit: 2 });
    expect(first.map((e) => e.action)).toEqual(['thing.3', 'thing.2', 'thing.1']);
    const rest = await auditRepository.list(db, { accountId: account.id, beforeSeq: first[1].seq, limit: 2 });
    expect(rest.map((e) => e.action)).toEqual(['thing.1']);
    const installation = await auditRepository.list(db, { accountId: null, limit: 10 });
    expect(installation.map((e) => e.action)).toContain('installation.thing');
    expect(installation.every((e) => e.accountId === null)).toBe(true);
    expect(new Date(first[0].at).getTime()).toBeGreaterThanOrEqual(new Date(first[2].at).getTime());
  });
});
