/**
 * The connected-clouds story against a real moto, through a real server process (issue 12; SPEC
 * §6–8), on PGlite and — when DATABASE_URL is set — on a fresh PostgreSQL database:
 *
 * credentials saved (endpoint = moto, a role in account A) → a cloud with driver `aws` → POST
 * /v1/clouds/{c}/sync → the job succeeds → an MCI from the synced private image → a template → a
 * server → launched in moto → the AMI deregistered in moto → sync → the image is unavailable →
 * a launch is refused with `image <uid> is unavailable in <cloud>: …`.
 *
 * Plain fetch rather than the generated client: the story reads only a few fields of each answer
 * (STORY_DEBUG=1 prints each answer).
 */
import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  ModifyImageAttributeCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAdminClient } from '@mci/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type RunningMoto } from './peers/moto.ts';
import { startServer, type RunningServer } from './support/server.ts';

// The pinned SDK's notice about Node 22 (ADR 016), as the driver does.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ADMIN_TOKEN = 'e2e-clouds-story-token-0123456789';
const REGION = 'us-east-1';
const CLOUD_NAME = `AWS ${REGION}`;
const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';
const keys = { accessKeyId: 'AKIASTORYTESTKEY', secretAccessKey: 'story-secret-never-shown' };

let moto: RunningMoto;
let dataDir: string;

beforeAll(async () => {
  moto = await startMoto();
  dataDir = await mkdtemp(join(tmpdir(), 'mci-clouds-story-'));
});
afterAll(async () => {
  await moto?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
}

function client(baseUrl: string) {
  return async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const r = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
}

function must(answer: Answer, status: number, what: string): any {
  if (process.env.STORY_DEBUG) console.log(what, answer.status, JSON.stringify(answer.body).slice(0, 300));
  if (answer.status !== status)
    throw new Error(`${what}: expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A raw EC2 client of account A in moto (its account header), for what only the cloud does. */
function ec2Of(account: string): EC2Client {
  // A copy of the keys: the SDK marks the object it is given.
  const ec2 = new EC2Client({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { ...keys },
    maxAttempts: 1,
  });
  ec2.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return ec2;
}

/** Syncs the cloud and waits for the job to end; the finished job. */
async function sync(api: ReturnType<typeof client>, cloudId: string): Promise<any> {
  const queued = must(await api('POST', `/v1/clouds/${cloudId}/sync`, {}), 202, 'sync');
  const jobId: string = queued.job?.id ?? queued.id;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = must(await api('GET', `/v1/jobs/${jobId}`), 200, 'job');
    if (job.state === 'succeeded' || job.state === 'failed') return job;
    if (Date.now() > deadline)
      throw new Error(`sync job still ${job.state} after 60 s: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function imageByUid(api: ReturnType<typeof client>, cloudId: string, uid: string): Promise<any> {
  const page = must(await api('GET', `/v1/clouds/${cloudId}/images?q=${uid}&limit=10`), 200, 'images');
  return page.items.find((i: { resourceUid: string }) => i.resourceUid === uid);
}

async function story(server: RunningServer): Promise<void> {
  const api = client(server.baseUrl);
  const ec2 = ec2Of(ACCOUNT_A);
  try {
    const account = must(await api('POST', '/v1/accounts', { name: 'Platform team' }), 201, 'account');
    const a = account.id as string;

    // R-CLD-1/2: credentials saved (checked with who-am-I, principal recorded, secret never shown).
    const credential = must(
      await api('POST', `/v1/accounts/${a}/cloud-credentials`, {
        cloudType: 'aws',
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        roleArn: `arn:aws:iam::${ACCOUNT_A}:role/any`,
        endpoint: moto.endpoint,
        syncOwners: ['self'],
        syncNameFilters: ['mci-story-*'],
      }),
      201,
      'credentials',
    );
    expect(credential.principal).toBe(ACCOUNT_A);
    expect(JSON.stringify(credential)).not.toContain(keys.secretAccessKey);
    const listed = must(await api('GET', `/v1/accounts/${a}/cloud-credentials`), 200, 'credentials list');
    expect(JSON.stringify(listed)).not.toContain(keys.secretAccessKey);

    // A cloud with the aws driver, listing Amazon's AL2023 images.
    const cloud = must(
      await api('POST', '/v1/clouds', {
        name: CLOUD_NAME,
        cloudType: 'aws',
        region: REGION,
        driver: 'aws',
        sync: { owners: ['amazon'], nameFilters: ['al2023-ami-2023*-x86_64'], intervalSeconds: null },
      }),
      201,
      'cloud',
    );
    const c = cloud.id as string;

    // Account A's golden image, so far only in the cloud: an instance of a public AL2023 AMI, imaged.
    const publicAmis = await ec2.send(
      new DescribeImagesCommand({
        Owners: ['amazon'],
        Filters: [{ Name: 'name', Values: ['al2023-ami-2023*-x86_64'] }],
      }),
    );
    const baseAmi = publicAmis.Images![0].ImageId!;
    const seed = await ec2.send(
      new RunInstancesCommand({ ImageId: baseAmi, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
    );
    const golden = (
      await ec2.send(
        new CreateImageCommand({ InstanceId: seed.Instances![0].InstanceId!, Name: 'mci-story-golden-1' }),
      )
    ).ImageId!;

    // R-CLD-3/4: the sync lists the cloud scope and the account's own images.
    const first = await sync(api, c);
    expect(first.state, JSON.stringify(first)).toBe('succeeded');
    const synced = await imageByUid(api, c, golden);
    expect(synced).toMatchObject({
      resourceUid: golden,
      name: 'mci-story-golden-1',
      visibility: 'private',
      ownerAccountId: a,
      state: 'available',
    });
    const publicImage = await imageByUid(api, c, baseAmi);
    expect(publicImage).toMatchObject({ visibility: 'public', state: 'available', osFamily: 'amazon-linux' });
    const types = must(await api('GET', `/v1/clouds/${c}/instance-types?q=t3.micro&limit=10`), 200, 'types');
    const micro = types.items.find((t: { resourceUid: string }) => t.resourceUid === 't3.micro');
    expect(micro).toMatchObject({ cpuArchitectures: ['x86_64'] });

    // An MCI from the synced image, a template, a deployment with a server.
    const mci = must(
      await api('POST', `/v1/accounts/${a}/mcis`, {
        name: 'Golden_x64',
        settings: [{ cloudId: c, imageId: synced.id, instanceTypeId: micro.id }],
      }),
      201,
      'mci',
    );
    const r1 = must(
      await api('POST', `/v1/accounts/${a}/mcis/${mci.id}/commit`, { message: 'golden 1' }),
      201,
      'commit',
    );
    const template = must(
      await api('POST', `/v1/accounts/${a}/server-templates`, { name: 'Web', mciIds: [r1.id] }),
      201,
      'template',
    );
    // R-GRP-2 with the cloud: account B (its own AWS account) in a group of A's. The preflight asks
    // moto who may launch the private golden image: not B, until A grants it in the cloud.
    const other = must(await api('POST', '/v1/accounts', { name: 'Partner team' }), 201, 'account B');
    const b = other.id as string;
    const bCredential = must(
      await api('POST', `/v1/accounts/${b}/cloud-credentials`, {
        cloudType: 'aws',
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        roleArn: `arn:aws:iam::${ACCOUNT_B}:role/any`,
        endpoint: moto.endpoint,
      }),
      201,
      'credentials B',
    );
    expect(bCredential.principal).toBe(ACCOUNT_B);
    const group = must(
      await api('POST', `/v1/accounts/${a}/account-groups`, { name: 'Partners' }),
      201,
      'group',
    );
    const invitation = must(
      await api('POST', `/v1/accounts/${a}/account-groups/${group.id}/invitations`, { accountId: b }),
      201,
      'invitation',
    );
    must(await api('POST', `/v1/accounts/${b}/invitations/${invitation.code}/accept`), 200, 'accept');
    const preflight = async () =>
      must(
        await api('POST', `/v1/accounts/${a}/publications/preflight`, {
          sourceId: r1.id,
          visibility: 'groups',
          groupIds: [group.id],
          shortDescription: 'Golden web image',
        }),
        200,
        'preflight',
      );
    const cellOfB = (report: any) =>
      report.matrix.find((cell: { accountId: string }) => cell.accountId === b);
    const notYet = await preflight();
    expect(notYet.images[0]).toMatchObject({ source: 'cloud' });
    expect(cellOfB(notYet)).toMatchObject({ usable: false });
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: golden,
        LaunchPermission: { Add: [{ UserId: ACCOUNT_B }] },
      }),
    );
    const granted = await preflight();
    expect(granted.images[0]).toMatchObject({ source: 'cloud' });
    expect(cellOfB(granted)).toMatchObject({ usable: true });
    // The catalog's copy follows what the cloud said.
    expect((await imageByUid(api, c, golden)).launchPermissions).toEqual([b]);

    const deployment = must(
      await api('POST', `/v1/accounts/${a}/deployments`, { name: 'prod' }),
      201,
      'deployment',
    );
    const d = deployment.id as string;
    const addServer = async (name: string) =>
      must(
        await api('POST', `/v1/accounts/${a}/deployments/${d}/servers`, {
          name,
          serverTemplateId: template.id,
          cloudId: c,
        }),
        201,
        `server ${name}`,
      );
    const web1 = await addServer('web-1');
    const web2 = await addServer('web-2');
    expect(web1).toMatchObject({ imageId: synced.id, instanceTypeId: micro.id, state: 'inactive' });

    // R-LCH-1: launched in moto.
    const launched = must(
      await api('POST', `/v1/accounts/${a}/deployments/${d}/servers/${web1.id}/launch`),
      200,
      'launch',
    );
    expect(launched.providerInstanceId).toMatch(/^i-[0-9a-f]+$/);
    expect(['pending', 'booting', 'operational']).toContain(launched.state);

    // The AMI deregistered in the cloud; the next sync marks it unavailable (R-CLD-3).
    await ec2.send(new DeregisterImageCommand({ ImageId: golden }));
    const second = await sync(api, c);
    expect(second.state, JSON.stringify(second)).toBe('succeeded');
    const gone = await imageByUid(api, c, golden);
    expect(gone).toMatchObject({ state: 'unavailable', unavailableReason: 'deregistered' });
    expect(gone.unavailableAt).toEqual(expect.any(String));
    expect((await imageByUid(api, c, baseAmi)).state).toBe('available');

    // R-SRV-6: launching the other server on that image is refused with the cloud's name and reason.
    const unavailable = new RegExp(`^image ${golden} is unavailable in ${CLOUD_NAME}: .+`);
    const refused = await api('POST', `/v1/accounts/${a}/deployments/${d}/servers/${web2.id}/launch`);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.code).toBe('image_unavailable');
    expect(refused.body.detail).toMatch(unavailable);
    const after = must(
      await api('GET', `/v1/accounts/${a}/deployments/${d}/servers/${web2.id}`),
      200,
      'server',
    );
    expect(after.state).toBe('inactive');
    expect(after.providerInstanceId ?? null).toBeNull();
    // …and so is a new server on it.
    const added = await api('POST', `/v1/accounts/${a}/deployments/${d}/servers`, {
      name: 'web-3',
      serverTemplateId: template.id,
      cloudId: c,
    });
    expect(added.status).toBe(422);
    expect(added.body.detail).toMatch(unavailable);

    // The running server can still be terminated (R-LCH-2).
    const terminated = must(
      await api('POST', `/v1/accounts/${a}/deployments/${d}/servers/${web1.id}/terminate`),
      200,
      'terminate',
    );
    expect(['terminating', 'inactive']).toContain(terminated.state);
  } finally {
    ec2.destroy();
  }
}

describe('connected clouds story against moto', () => {
  it('on PGlite: credentials → sync → MCI → template → server → launch → deregister → sync → refused launch', async () => {
    await moto.reset();
    const server = await startServer({
      DATA_DIR: join(dataDir, 'pglite'),
      DATABASE_URL: '',
      SEED: 'none',
      ADMIN_TOKEN,
      AWS_MAX_ATTEMPTS: '1',
    });
    try {
      await story(server);
    } finally {
      await server.stop();
    }
  });

  it.skipIf(!process.env.DATABASE_URL)('on PostgreSQL (DATABASE_URL): the same story', async () => {
    await moto.reset();
    const url = process.env.DATABASE_URL!;
    const name = `mci_clouds_story_${process.pid}`;
    await withAdminClient(url, async (db) => {
      await db.query(`drop database if exists ${name} with (force)`);
      await db.query(`create database ${name}`);
    });
    const u = new URL(url);
    u.pathname = `/${name}`;
    const server = await startServer({
      DATABASE_URL: u.toString(),
      SEED: 'none',
      ADMIN_TOKEN,
      AWS_MAX_ATTEMPTS: '1',
    });
    try {
      await story(server);
    } finally {
      await server.stop();
      await withAdminClient(url, (db) => db.query(`drop database if exists ${name} with (force)`));
    }
  });
});
