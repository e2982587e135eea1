import { CloudError, type CloudDriver } from '@mci/core';
import { schema } from '@mci/db';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readDemoCatalog } from '../../bootstrap/bootstrap.ts';
import { builtInDrivers } from '../../clouds/drivers.ts';
import { addGeneratedImages } from '../../clouds/simulated-extra.ts';
import { SimulatedWorld } from '../../clouds/simulated-driver.ts';
import { enqueueJob, runJobsUntilIdle } from '../../jobs/runner.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { SYNC_BATCH_ROWS } from './sync.service.ts';

let h: Harness;
let world: SimulatedWorld;
/** listImages calls that fail: call number (counted over the whole test file) → error. */
const listFailures = new Map<number, Error>();
let listCalls = 0;

const REGION = 'us-east-1';
let counter = 0;

beforeAll(async () => {
  world = new SimulatedWorld(await readDemoCatalog(), { pageSize: 5 });
  const builtIn = builtInDrivers(world);
  // The built-in simulated driver, with failures injected on chosen listImages calls.
  const drivers = (target: Parameters<typeof builtIn>[0]): CloudDriver => {
    const driver = builtIn(target);
    return Object.assign(Object.create(driver) as CloudDriver, {
      listImages: async (query: Parameters<CloudDriver['listImages']>[0]) => {
        listCalls += 1;
        const failure = listFailures.get(listCalls);
        if (failure) throw failure;
        return driver.listImages(query);
      },
    });
  };
  h = await startHarness({ simulatedWorld: world, drivers });
});
afterAll(async () => h?.close());
beforeEach(() => {
  world.behaviour.pageSize = 5;
  world.behaviour.failures = undefined;
  listFailures.clear();
});

/** A simulated cloud over the region `region` of the world, listing `amazon`'s images. */
async function simulatedCloud(region = REGION, sync: Record<string, unknown> = { owners: ['amazon'] }) {
  const res = await h.call('POST', '/v1/clouds', {
    body: { name: `Sim ${region} ${++counter}`, cloudType: 'simulated', region, driver: 'simulated', sync },
  });
  expect(res.statusCode).toBe(201);
  return res.data as { id: string; name: string };
}

async function sync(cloudId: string, opts: { token?: string; accountId?: string } = {}) {
  const q = opts.accountId ? `?accountId=${opts.accountId}` : '';
  const res = await h.call('POST', `/v1/clouds/${cloudId}/sync${q}`, { token: opts.token });
  expect(res.statusCode, res.body).toBe(202);
  expect(res.headers.location).toBe(`/v1/jobs/${res.data.id}`);
  return res.data as { id: string; state: string };
}

async function syncAndRun(cloudId: string, opts: { token?: string; accountId?: string } = {}) {
  const job = await sync(cloudId, opts);
  await runJobsUntilIdle(h.ctx);
  const done = await h.call('GET', `/v1/jobs/${job.id}`, { token: opts.token });
  expect(done.statusCode).toBe(200);
  return done.data;
}

async function imagesOf(cloudId: string) {
  return h.ctx.db
    .select()
    .from(schema.images)
    .where(eq(schema.images.cloudId, cloudId))
    .orderBy(schema.images.resourceUid);
}

async function auditCount() {
  const [row] = await h.ctx.db.select({ n: count() }).from(schema.auditEntries);
  return row.n;
}

async function account(name: string, accessKeyId: string) {
  const acc = await h.build.account({ name: `${name} ${++counter}` });
  const res = await h.call('POST', `/v1/accounts/${acc.id}/cloud-credentials`, {
    body: { cloudType: 'simulated', accessKeyId, secretAccessKey: 'secret-secret-secret' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return acc;
}

const demoSize = async () => (await readDemoCatalog()).clouds.find((c) => c.region === REGION)!;

describe('catalog sync (R-CLD-3)', () => {
  it('R-CLD-3: a first sync adds the cloud’s images and instance types, page by page, as a job', async () => {
    const cloud = await simulatedCloud();
    const demo = await demoSize();
    const job = await syncAndRun(cloud.id);
    expect(job).toMatchObject({
      kind: 'cloud_sync',
      state: 'succeeded',
      cloudId: cloud.id,
      accountId: null,
      attempts: 1,
      error: null,
      progress: { done: demo.images.length, total: demo.images.length },
      result: {
        added: demo.images.length,
        updated: 0,
        retired: 0,
        instanceTypes: { added: demo.instanceTypes.length },
      },
    });
    const rows = await imagesOf(cloud.id);
    expect(rows).toHaveLength(demo.images.length);
    expect(
      rows.every((r) => r.syncScope === 'cloud' && r.ownerPrincipal === 'amazon' && r.state === 'available'),
    ).toBe(true);
    const types = await h.call('GET', `/v1/clouds/${cloud.id}/instance-types?limit=100`);
    expect(types.data.items).toHaveLength(demo.instanceTypes.length);
    const c = await h.call('GET', `/v1/clouds/${cloud.id}`);
    expect(c.data.lastSyncedAt).toBe(h.clock.now.toISOString());
    // R-JOB-3: audited under the system actor naming the job, one entry per page that changed.
    const audit = await h.call('GET', '/v1/audit?limit=100');
    const mine = (audit.data.items as { summary: string; userId: string | null }[]).filter((e) =>
      e.summary.startsWith(`[job:${job.id}]`),
    );
    expect(mine.length).toBe(Math.ceil(demo.images.length / 5) + Math.ceil(demo.instanceTypes.length / 5));
    expect(mine.every((e) => e.userId === null)).toBe(true);
  });

  it('R-CLD-3: a second sync with no change in the cloud changes no row and writes no audit entry', async () => {
    const cloud = await simulatedCloud();
    await syncAndRun(cloud.id);
    const before = await imagesOf(cloud.id);
    const typesBefore = await h.ctx.db
      .select()
      .from(schema.instanceTypes)
      .where(eq(schema.instanceTypes.cloudId, cloud.id));
    const audits = await auditCount();
    h.clock.advance(60_000);
    const job = await syncAndRun(cloud.id);
    expect(job).toMatchObject({
      state: 'succeeded',
      result: { added: 0, updated: 0, retired: 0, deprecated: 0, unchanged: before.length },
    });
    const after = await imagesOf(cloud.id);
    expect(after.map((r) => [r.id, r.updatedAt.toISOString()])).toEqual(
      before.map((r) => [r.id, r.updatedAt.toISOString()]),
    );
    expect(
      await h.ctx.db.select().from(schema.instanceTypes).where(eq(schema.instanceTypes.cloudId, cloud.id)),
    ).toEqual(typesBefore);
    expect(await auditCount()).toBe(audits);
    // The job's bookkeeping does change: the cloud's last sync time (and the job row).
    expect((await h.call('GET', `/v1/clouds/${cloud.id}`)).data.lastSyncedAt).toBe(h.clock.now.toISOString());
    const [seen] = await h.ctx.db
      .select({ n: count() })
      .from(schema.syncSeen)
      .where(eq(schema.syncSeen.jobId, job.id));
    expect(seen.n).toBe(0);
  });

  it('R-CLD-3: a sync adds, updates, retires (deregistered, never deleted) and deprecates', async () => {
    const region = 'eu-west-1';
    const cloud = await simulatedCloud(region);
    await syncAndRun(cloud.id);
    const [first, second, third] = await imagesOf(cloud.id);
    world.registerImage(region, {
      resourceUid: 'ami-new0000000000001',
      name: 'al2023-ami-new',
      description: 'new',
      ownerPrincipal: 'amazon',
      isPublic: true,
      cpuArchitecture: 'arm64',
      virtualizationType: 'hvm',
      rootDeviceType: 'ebs',
      osFamily: 'linux',
      osVersion: '2023',
      cloudState: 'available',
    });
    world.updateImage(region, first.resourceUid, { description: 'patched in the cloud' });
    world.deregisterImage(region, second.resourceUid);
    const deprecation = new Date(h.clock.now.getTime() - 3600_000);
    world.updateImage(region, third.resourceUid, { deprecationTime: deprecation });
    h.clock.advance(60_000);
    const job = await syncAndRun(cloud.id);
    expect(job.result).toMatchObject({ added: 1, updated: 1, retired: 1, deprecated: 1 });
    const rows = new Map((await imagesOf(cloud.id)).map((r) => [r.resourceUid, r]));
    expect(rows.get('ami-new0000000000001')).toMatchObject({ state: 'available', cpuArchitecture: 'arm64' });
    expect(rows.get(first.resourceUid)).toMatchObject({
      description: 'patched in the cloud',
      state: 'available',
    });
    expect(rows.get(second.resourceUid)).toMatchObject({
      state: 'unavailable',
      unavailableReason: 'deregistered',
      unavailableAt: h.clock.now,
    });
    expect(rows.get(third.resourceUid)).toMatchObject({ state: 'deprecated', deprecatedAt: deprecation });
    // R-CLD-5: both moves recorded with the job.
    const changes = await h.ctx.db
      .select()
      .from(schema.imageChanges)
      .where(eq(schema.imageChanges.jobId, job.id));
    expect(changes.map((c) => [c.imageId, c.toState, c.reason]).sort()).toEqual(
      [
        [second.id, 'unavailable', 'deregistered'],
        [third.id, 'deprecated', 'deprecation time passed'],
      ].sort(),
    );
    // Listed again later: available again.
    world.registerImage(region, {
      resourceUid: second.resourceUid,
      name: second.name,
      description: second.description,
      ownerPrincipal: 'amazon',
      isPublic: true,
      cpuArchitecture: second.cpuArchitecture as 'x86_64',
      virtualizationType: second.virtualizationType,
      rootDeviceType: second.rootDeviceType,
      osFamily: second.osFamily,
      osVersion: second.osVersion,
      cloudState: 'available',
    });
    await syncAndRun(cloud.id);
    expect((await imagesOf(cloud.id)).find((r) => r.id === second.id)).toMatchObject({
      state: 'available',
      unavailableReason: null,
    });
  });

  it('R-CLD-3: one sync per cloud: a second request answers the queued job', async () => {
    const cloud = await simulatedCloud();
    const a = await sync(cloud.id);
    const b = await sync(cloud.id);
    expect(b.id).toBe(a.id);
    await runJobsUntilIdle(h.ctx);
    const c = await sync(cloud.id);
    expect(c.id).not.toBe(a.id);
    await runJobsUntilIdle(h.ctx);
  });

  it('R-CLD-3: a cloud kept by hand cannot sync (409 no_driver); only the superuser syncs a whole cloud', async () => {
    const byHand = await h.call('POST', '/v1/clouds', {
      body: { name: `By hand ${++counter}`, cloudType: 'aws', region: 'us-east-1', driver: 'none' },
    });
    const res = await h.call('POST', `/v1/clouds/${byHand.data.id}/sync`);
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('no_driver');
    const cloud = await simulatedCloud();
    const acc = await h.build.account();
    const observer = await h.build.user({ accountId: acc.id, roles: ['observer'] });
    const denied = await h.call('POST', `/v1/clouds/${cloud.id}/sync`, { token: observer.token });
    expect(denied.statusCode).toBe(403);
    const notAdmin = await h.call('POST', `/v1/clouds/${cloud.id}/sync?accountId=${acc.id}`, {
      token: observer.token,
    });
    expect(notAdmin.statusCode).toBe(403);
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const noCredentials = await h.call('POST', `/v1/clouds/${cloud.id}/sync?accountId=${acc.id}`, {
      token: admin.token,
    });
    expect(noCredentials.statusCode).toBe(409);
    expect(noCredentials.data.code).toBe('credentials_missing');
    const other = await h.build.account();
    const foreign = await h.call('POST', `/v1/clouds/${cloud.id}/sync?accountId=${other.id}`, {
      token: admin.token,
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('R-CLD-3: a scheduled sync is queued when due, once per interval', async () => {
    const cloud = await simulatedCloud('ap-south-1', { owners: ['amazon'], intervalSeconds: 600 });
    const ran = await runJobsUntilIdle(h.ctx);
    expect(ran.filter((j) => j.cloudId === cloud.id)).toMatchObject([
      { state: 'succeeded', createdBy: null },
    ]);
    expect((await runJobsUntilIdle(h.ctx)).filter((j) => j.cloudId === cloud.id)).toEqual([]);
    h.clock.advance(601_000);
    expect((await runJobsUntilIdle(h.ctx)).filter((j) => j.cloudId === cloud.id)).toHaveLength(1);
  });
});

describe('private images (R-CLD-4)', () => {
  it('R-CLD-4: images an account’s principal owns become its private images, launch permissions mapped, unknown kept', async () => {
    const region = 'ca-central-1';
    const owner = await account('Owner', '111111111111');
    const grantee = await account('Grantee', '222222222222');
    const cloud = await simulatedCloud(region);
    world.registerImage(region, {
      resourceUid: 'ami-priv000000000001',
      name: 'golden-web',
      description: 'Owner’s golden image',
      ownerPrincipal: '111111111111',
      isPublic: false,
      cpuArchitecture: 'x86_64',
      virtualizationType: 'hvm',
      rootDeviceType: 'ebs',
      osFamily: 'ubuntu',
      osVersion: '24.04',
      cloudState: 'available',
      launchPrincipals: ['222222222222', '999999999999'],
    });
    const job = await syncAndRun(cloud.id);
    expect(job.state).toBe('succeeded');
    expect(job.result.scopes).toEqual(
      expect.arrayContaining(['cloud', `account:${owner.id}`, `account:${grantee.id}`]),
    );
    const image = (await imagesOf(cloud.id)).find((r) => r.resourceUid === 'ami-priv000000000001');
    expect(image).toMatchObject({
      visibility: 'private',
      ownerAccountId: owner.id,
      launchPermissions: [grantee.id],
      unknownPrincipals: ['999999999999'],
      syncScope: `account:${owner.id}`,
      ownerPrincipal: '111111111111',
    });
    // The owner account's audit trail tells of its image, under the job.
    const audit = await h.call('GET', `/v1/accounts/${owner.id}/audit?limit=50`);
    expect(
      audit.data.items.some(
        (e: { summary: string }) => e.summary.startsWith(`[job:${job.id}]`) && e.summary.includes('1 added'),
      ),
    ).toBe(true);
    // A permission granted in the cloud shows after the next sync; nothing else changes.
    world.updateImage(region, 'ami-priv000000000001', { launchPrincipals: ['222222222222'] } as never);
    const again = await syncAndRun(cloud.id);
    expect(again.result).toMatchObject({ added: 0, updated: 1 });
    expect((await imagesOf(cloud.id)).find((r) => r.resourceUid === 'ami-priv000000000001')).toMatchObject({
      launchPermissions: [grantee.id],
      unknownPrincipals: [],
    });
    // The owner's admin syncs its own scope only.
    const admin = await h.build.user({ accountId: owner.id, roles: ['admin'] });
    const own = await syncAndRun(cloud.id, { token: admin.token, accountId: owner.id });
    expect(own).toMatchObject({
      state: 'succeeded',
      accountId: owner.id,
      result: { scopes: [`account:${owner.id}`], added: 0, updated: 0 },
    });
    // A member reads their account's jobs and the catalog's, not another account's.
    const granteeUser = await h.build.user({ accountId: grantee.id, roles: ['observer'] });
    expect((await h.call('GET', `/v1/jobs/${job.id}`, { token: granteeUser.token })).statusCode).toBe(200);
    expect((await h.call('GET', `/v1/jobs/${own.id}`, { token: granteeUser.token })).statusCode).toBe(404);
    const list = await h.call('GET', `/v1/jobs?cloudId=${cloud.id}`, { token: granteeUser.token });
    expect(list.data.items.map((j: { id: string }) => j.id)).not.toContain(own.id);
    expect(list.data.items.map((j: { id: string }) => j.id)).toContain(job.id);
    const ownList = await h.call('GET', `/v1/jobs?accountId=${owner.id}`, { token: admin.token });
    expect(ownList.data.items.map((j: { id: string }) => j.id)).toEqual([own.id]);
    expect(
      (await h.call('GET', `/v1/jobs?accountId=${owner.id}`, { token: granteeUser.token })).statusCode,
    ).toBe(404);
  });
});

describe('who reads jobs (R-JOB-1)', () => {
  it("R-JOB-1: a job of no account other than a catalog sync (a cloud's reconcile) is the superuser's", async () => {
    const cloud = await simulatedCloud('eu-north-1');
    const other = await enqueueJob(h.ctx, {
      kind: 'test_spanning',
      cloudId: cloud.id,
      runAfter: new Date(h.clock.now.getTime() + 86_400_000),
    });
    const acc = await h.build.account();
    const member = await h.build.user({ accountId: acc.id, roles: ['observer'] });
    expect((await h.call('GET', `/v1/jobs/${other.id}`, { token: member.token })).statusCode).toBe(404);
    expect((await h.call('GET', `/v1/jobs/${other.id}`)).statusCode).toBe(200);
    const list = await h.call('GET', `/v1/jobs?cloudId=${cloud.id}`, { token: member.token });
    expect(list.data.items).toEqual([]);
    expect((await h.call('GET', `/v1/jobs?cloudId=${cloud.id}`)).data.items).toHaveLength(1);
  });
});

describe('resume (R-JOB-2)', () => {
  it('R-JOB-2: a failure on page 3 leaves whole pages; the job resumes there and finishes correctly', async () => {
    const region = 'sa-east-1';
    const cloud = await simulatedCloud(region);
    const demo = (await readDemoCatalog()).clouds.find((c) => c.region === region)!;
    const job = await sync(cloud.id);
    listFailures.set(
      listCalls + 3,
      new CloudError('unavailable', 'RequestTimeout', 'simulated cloud: connection lost'),
    );
    await runJobsUntilIdle(h.ctx);
    const waiting = (await h.call('GET', `/v1/jobs/${job.id}`)).data;
    expect(waiting).toMatchObject({ state: 'queued', attempts: 1, progress: { done: 10 } });
    expect(waiting.error).toContain('connection lost');
    expect(await imagesOf(cloud.id)).toHaveLength(10);
    const auditsBefore = await auditCount();
    h.clock.advance(60 * 60_000);
    await runJobsUntilIdle(h.ctx);
    const done = (await h.call('GET', `/v1/jobs/${job.id}`)).data;
    expect(done).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      error: null,
      result: { added: demo.images.length, retired: 0 },
    });
    expect(await imagesOf(cloud.id)).toHaveLength(demo.images.length);
    // The pages after the failure were audited once each; the first two were not again.
    expect(await auditCount()).toBe(auditsBefore + Math.ceil(demo.images.length / 5) - 2);
  });

  it('R-JOB-2: a page bigger than a batch (moto answers one page of everything) is written in slices of SYNC_BATCH_ROWS, each its own transaction', async () => {
    const region = 'eu-north-1';
    const extra = SYNC_BATCH_ROWS * 2 + 100;
    addGeneratedImages(world, [region], extra);
    world.behaviour.pageSize = 100_000;
    const cloud = await simulatedCloud(region);
    const demo = (await readDemoCatalog()).clouds.find((c) => c.region === region)!;
    const before = await auditCount();
    const job = await syncAndRun(cloud.id);
    const total = demo.images.length + extra;
    expect(job).toMatchObject({ state: 'succeeded', progress: { done: total }, result: { added: total } });
    expect(await imagesOf(cloud.id)).toHaveLength(total);
    const slices = await h.ctx.db
      .select({ summary: schema.auditEntries.summary })
      .from(schema.auditEntries)
      .where(eq(schema.auditEntries.action, 'cloud.sync'));
    const ofThisSync = slices.slice(-(Math.ceil(total / SYNC_BATCH_ROWS) + 1)).map((r) => r.summary);
    for (let n = 1; n <= Math.ceil(total / SYNC_BATCH_ROWS); n++)
      expect(
        ofThisSync.some((t) => t.includes(`page 1 (${Math.min(n * SYNC_BATCH_ROWS, total)}/${total})`)),
      ).toBe(true);
    expect(await auditCount()).toBeGreaterThan(before);
  });

  it('R-JOB-2: a permanent cloud error fails the job with the cloud’s message', async () => {
    const cloud = await simulatedCloud('us-west-2');
    world.behaviour.failures = new Map([
      [
        'listImages',
        new CloudError('auth', 'AuthFailure', 'AWS was not able to validate the provided access credentials'),
      ],
    ]);
    const job = await syncAndRun(cloud.id);
    expect(job).toMatchObject({
      state: 'failed',
      error: 'AWS was not able to validate the provided access credentials (AuthFailure)',
    });
    expect((await h.call('GET', `/v1/jobs?cloudId=${cloud.id}&state=failed`)).data.items).toHaveLength(1);
  });
});
