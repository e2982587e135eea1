import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

let n = 0;
const name = () => `Config cloud ${++n}`;

async function cloudAudit(cloudId: string) {
  const res = await h.call('GET', '/v1/audit?limit=200');
  const items = (res.data?.items ?? []) as { targetId: string; action: string; summary: string }[];
  return items.filter((e) => e.targetId === cloudId);
}

describe('cloud configuration (R-CLD-3: driver and sync settings)', () => {
  it("POST /v1/clouds: the driver defaults to the cloud type's own, sync settings to none", async () => {
    const aws = await h.call('POST', '/v1/clouds', {
      body: { name: name(), cloudType: 'aws', region: 'us-east-1' },
    });
    const azure = await h.call('POST', '/v1/clouds', {
      body: { name: name(), cloudType: 'azure', region: 'westeurope' },
    });
    const sim = await h.call('POST', '/v1/clouds', {
      body: { name: name(), cloudType: 'simulated', region: 'us-east-1' },
    });
    expect(aws.data).toMatchObject({
      driver: 'aws',
      sync: { owners: [], nameFilters: [], intervalSeconds: null },
      lastSyncedAt: null,
    });
    expect(azure.data.driver).toBe('none');
    expect(sim.data.driver).toBe('simulated');
  });

  it('POST /v1/clouds takes a driver and sync settings; the aws driver only for aws clouds', async () => {
    const created = await h.call('POST', '/v1/clouds', {
      body: {
        name: name(),
        cloudType: 'aws',
        region: 'eu-west-1',
        driver: 'simulated',
        sync: { owners: ['amazon', 'self'], nameFilters: ['al2023-ami-*'], intervalSeconds: 3600 },
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.data).toMatchObject({
      driver: 'simulated',
      sync: { owners: ['amazon', 'self'], nameFilters: ['al2023-ami-*'], intervalSeconds: 3600 },
    });
    expect((await h.call('GET', `/v1/clouds/${created.data.id}`)).data).toEqual(created.data);
    const mismatch = await h.call('POST', '/v1/clouds', {
      body: { name: name(), cloudType: 'azure', region: 'westeurope', driver: 'aws' },
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.data.code).toBe('driver_mismatch');
    const tooOften = await h.call('POST', '/v1/clouds', {
      body: { name: name(), cloudType: 'aws', region: 'us-east-2', sync: { intervalSeconds: 59 } },
    });
    expect(tooOften.statusCode).toBe(400);
    const badDriver = await h.call('POST', '/v1/clouds', {
      body: { name: name(), cloudType: 'aws', region: 'us-east-2', driver: 'gcp' },
    });
    expect(badDriver.statusCode).toBe(400);
  });

  it('PATCH /v1/clouds/{c} (superuser) changes the driver, sync settings (each kept unless given) and description; audited', async () => {
    const cloud = await h.build.cloud({ cloudType: 'aws' });
    const url = `/v1/clouds/${cloud.id}`;
    const first = await h.call('PATCH', url, {
      body: { sync: { owners: ['amazon'], nameFilters: ['ubuntu/*'], intervalSeconds: 600 } },
    });
    expect(first.statusCode).toBe(200);
    expect(first.data.sync).toEqual({ owners: ['amazon'], nameFilters: ['ubuntu/*'], intervalSeconds: 600 });
    const second = await h.call('PATCH', url, {
      body: { driver: 'simulated', description: 'emulated', sync: { intervalSeconds: null } },
    });
    expect(second.data).toMatchObject({
      driver: 'simulated',
      description: 'emulated',
      sync: { owners: ['amazon'], nameFilters: ['ubuntu/*'], intervalSeconds: null },
    });
    expect((await h.call('GET', url)).data).toEqual(second.data);
    const audit = await cloudAudit(cloud.id);
    expect(audit.map((e) => e.action).filter((a) => a === 'cloud.update')).toHaveLength(2);
    expect(audit.map((e) => e.summary).join('\n')).toContain('driver aws → simulated');

    // The same values again: no change, no audit entry.
    const same = await h.call('PATCH', url, { body: { driver: 'simulated', sync: { owners: ['amazon'] } } });
    expect(same.statusCode).toBe(200);
    expect((await cloudAudit(cloud.id)).filter((e) => e.action === 'cloud.update')).toHaveLength(2);
  });

  it('PATCH /v1/clouds/{c}: validation, superuser only, 404 for an unknown cloud', async () => {
    const cloud = await h.build.cloud({ cloudType: 'azure', region: 'westeurope' });
    const url = `/v1/clouds/${cloud.id}`;
    for (const body of [
      {},
      { sync: { intervalSeconds: 30 } },
      { sync: { owners: ['amazon', 'amazon'] } },
      { name: 'renamed' },
      { driver: 'other' },
    ]) {
      expect((await h.call('PATCH', url, { body })).statusCode, JSON.stringify(body)).toBe(400);
    }
    const mismatch = await h.call('PATCH', url, { body: { driver: 'aws' } });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.data.code).toBe('driver_mismatch');
    expect((await h.call('PATCH', url, { body: { driver: 'simulated' } })).data.driver).toBe('simulated');

    const account = await h.build.account();
    const admin = await h.build.user({ accountId: account.id, roles: ['admin'] });
    const forbidden = await h.call('PATCH', url, { token: admin.token, body: { driver: 'none' } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.data.code).toBe('superuser_required');
    expect((await h.call('GET', url, { token: admin.token })).data.driver).toBe('simulated');
    expect(
      (await h.call('PATCH', '/v1/clouds/cld_01nosuchcloud000000000000', { body: { driver: 'none' } }))
        .statusCode,
    ).toBe(404);
  });
});
