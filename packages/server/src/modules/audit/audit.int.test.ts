import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('audit trail', () => {
  it('records every mutation of an account, newest first, with who, what and target', async () => {
    const acc = await h.build.account({ name: 'Audited' });
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin', 'designer'] });
    const cloud = await h.build.cloud();
    const image = await h.build.image(
      cloud.id,
      { visibility: 'private', ownerAccountId: acc.id, name: 'Golden' },
      admin.token,
    );
    await h.call('PATCH', `/v1/clouds/${cloud.id}/images/${image.id}`, {
      token: admin.token,
      body: { state: 'deprecated' },
    });
    const res = await h.call('GET', `/v1/accounts/${acc.id}/audit`, { token: admin.token });
    expect(res.statusCode).toBe(200);
    expect(res.data.items.map((e: { action: string }) => e.action)).toEqual([
      'image.update',
      'image.create',
      'member.put',
      'account.create',
    ]);
    expect(res.data.items[0]).toMatchObject({
      accountId: acc.id,
      userId: admin.id,
      targetType: 'image',
      targetId: image.id,
    });
    expect(res.data.items[0].summary).toContain('state');
    const times = res.data.items.map((e: { at: string }) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages newest first without repeats', async () => {
    const acc = await h.build.account();
    for (let i = 0; i < 7; i++) await h.build.user({ accountId: acc.id, roles: ['observer'] });
    const first = await h.call('GET', `/v1/accounts/${acc.id}/audit?limit=5`);
    const second = await h.call(
      'GET',
      `/v1/accounts/${acc.id}/audit?limit=5&cursor=${first.data.nextCursor}`,
    );
    const ids = [...first.data.items, ...second.data.items].map((e: { id: string }) => e.id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    expect(second.data.nextCursor).toBeNull();
  });

  it('§4: another account’s audit is 404; the installation audit is the superuser’s', async () => {
    const a = await h.build.account();
    const b = await h.build.account();
    const user = await h.build.user({ accountId: a.id, roles: ['admin'] });
    expect((await h.call('GET', `/v1/accounts/${b.id}/audit`, { token: user.token })).statusCode).toBe(404);
    expect((await h.call('GET', '/v1/audit', { token: user.token })).statusCode).toBe(403);
    const all = await h.call('GET', '/v1/audit');
    expect(all.data.items.map((e: { action: string }) => e.action)).toContain('user.create');
  });
});
