import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobsUntilIdle } from '../../jobs/runner.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';

const REGION = 'sim-impact-1';
const UID = 'ami-0impactsync000001';

let h: Harness;
let A: { id: string };
let aUser: { token: string };
let cloud: { id: string; name: string };

const at = (p: string) => `/v1/accounts/${A.id}${p}`;

async function syncAndRun() {
  const res = await h.call('POST', `/v1/clouds/${cloud.id}/sync`);
  expect(res.statusCode, res.body).toBe(202);
  await runJobsUntilIdle(h.ctx);
  const job = (await h.call('GET', `/v1/jobs/${res.data.id}`)).data;
  expect(job.state, JSON.stringify(job)).toBe('succeeded');
  return job as { id: string };
}

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'Impact sync A' });
  aUser = await h.build.user({ accountId: A.id, roles: ['designer', 'actor'] });
  cloud = (
    await h.call('POST', '/v1/clouds', {
      body: {
        name: 'Sim impact',
        cloudType: 'simulated',
        region: REGION,
        driver: 'simulated',
        sync: { owners: ['amazon'] },
      },
    })
  ).data;
  h.world.registerImage(REGION, {
    resourceUid: UID,
    name: 'impact-sync-base',
    description: '',
    ownerPrincipal: 'amazon',
    isPublic: true,
    cpuArchitecture: 'x86_64',
    virtualizationType: 'hvm',
    rootDeviceType: 'ebs',
    osFamily: 'ubuntu',
    osVersion: '24.04',
    cloudState: 'available',
  });
});
afterAll(async () => h?.close());

describe('R-CLD-5: impact of changes a sync finds', () => {
  it('R-CLD-5: a sync that deprecates and then retires an image records each change with its blast radius, under the job', async () => {
    await syncAndRun();
    const image = (await h.call('GET', `/v1/clouds/${cloud.id}/images?q=${UID}`)).data.items[0];
    expect(image).toMatchObject({ resourceUid: UID, state: 'available' });
    const type = await h.build.instanceType(cloud.id);
    const head = await h.build.mci(
      A.id,
      { name: 'Synced web', settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }] },
      aUser.token,
    );
    const r1 = (await h.call('POST', at(`/mcis/${head.id}/commit`), { body: { message: 'v1' } })).data;
    const tpl = (
      await h.call('POST', at('/server-templates'), { body: { name: 'Synced app', mciIds: [r1.id] } })
    ).data;
    const dep = (await h.call('POST', at('/deployments'), { body: { name: 'Synced prod' } })).data;
    const server = await h.call('POST', at(`/deployments/${dep.id}/servers`), {
      token: aUser.token,
      body: { name: 'synced-1', serverTemplateId: tpl.id, cloudId: cloud.id },
    });
    expect(server.statusCode, server.body).toBe(201);

    // The cloud deprecates the image: the next sync records the change.
    h.world.updateImage(REGION, UID, { deprecationTime: new Date(h.clock.now.getTime() - 60_000) });
    const deprecating = await syncAndRun();
    let report = (await h.call('GET', `/v1/clouds/${cloud.id}/images/${image.id}/impact`)).data;
    expect(report.image.state).toBe('deprecated');
    expect(report.changes).toHaveLength(1);
    expect(report.changes[0]).toMatchObject({
      fromState: 'available',
      toState: 'deprecated',
      jobId: deprecating.id,
    });
    const impact = report.changes[0].impact;
    expect(impact.mcis.map((m: any) => m.id).sort()).toEqual([head.id, r1.id].sort());
    expect(impact.templates.map((t: any) => t.id)).toEqual([tpl.id]);
    expect(impact.servers.map((s: any) => s.id)).toEqual([server.data.id]);

    // A sync that finds nothing new records nothing.
    await syncAndRun();
    expect(
      (await h.call('GET', `/v1/clouds/${cloud.id}/images/${image.id}/impact`)).data.changes,
    ).toHaveLength(1);

    // The cloud deregisters it: unavailable, reason deregistered, a second record.
    h.world.deregisterImage(REGION, UID);
    const retiring = await syncAndRun();
    report = (await h.call('GET', `/v1/clouds/${cloud.id}/images/${image.id}/impact`)).data;
    expect(report.image).toMatchObject({ state: 'unavailable', unavailableReason: 'deregistered' });
    expect(report.changes.map((c: any) => [c.fromState, c.toState, c.jobId])).toEqual([
      ['deprecated', 'unavailable', retiring.id],
      ['available', 'deprecated', deprecating.id],
    ]);
    expect(report.changes[0].reason).toContain('deregistered');

    // The affected account's audit trail says so, as the job.
    const audit = (await h.call('GET', at('/audit'))).data.items.filter(
      (e: any) => e.action === 'image.impact',
    );
    expect(audit.map((e: any) => e.summary)).toEqual([
      expect.stringMatching(new RegExp(`^\\[job:${retiring.id}\\] image ${UID} became unavailable`)),
      expect.stringMatching(new RegExp(`^\\[job:${deprecating.id}\\] image ${UID} became deprecated`)),
    ]);
    // And the MCI page's alert names the cloud and the reason.
    const alerts = (await h.call('GET', at(`/mcis/${head.id}/image-alerts`), { token: aUser.token })).data;
    expect(alerts.items).toEqual([
      expect.objectContaining({
        cloudName: 'Sim impact',
        state: 'unavailable',
        unavailableReason: 'deregistered',
        lastChange: expect.objectContaining({ toState: 'unavailable', jobId: retiring.id }),
      }),
    ]);
  });
});
