/**
 * The real `aws` driver against a real moto (e2e/peers/moto.ts, ADR 016): who-am-I through STS
 * AssumeRole and through moto's account header, the bundled catalog by owner and name, a private
 * image of one account shared with another, deregistration, and an instance's life. moto's gaps
 * (no NextToken, no deprecation times, deregistered AMIs launch, a grantee never sees a shared
 * image) are covered in process by packages/server/src/clouds/aws-driver.test.ts.
 */
import {
  CreateImageCommand,
  DeregisterImageCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CloudError, type CloudDriver } from '@mci/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearAwsClients,
  createAwsDriver,
  type AwsDriverOptions,
} from '../packages/server/src/clouds/aws-driver.ts';
import { startMoto, type RunningMoto } from './peers/moto.ts';

const REGION = 'us-east-1';
const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';
const keys = { accessKeyId: 'AKIAMOTOTESTKEY', secretAccessKey: 'moto-secret' };

let moto: RunningMoto;
const base = (): AwsDriverOptions => ({
  region: REGION,
  credentials: keys,
  endpoint: moto.endpoint,
  maxAttempts: 1,
});
const asRole = (account: string): AwsDriverOptions => ({
  ...base(),
  roleArn: `arn:aws:iam::${account}:role/any`,
});
/** A raw SDK client of one account (moto's header), for what the driver does not do itself. */
const rawClient = (account: string) => {
  const client = new EC2Client({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { ...keys }, // a copy: the SDK marks the object it is given
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
};

/** A public Amazon Linux 2023 x86_64 AMI of the bundled catalog. */
async function publicAmi(driver: CloudDriver): Promise<string> {
  const { items } = await driver.listImages({ owners: ['amazon'], nameFilters: ['al2023-ami-2023*-x86_64'] });
  expect(items.length).toBeGreaterThan(0);
  return items[0].resourceUid;
}

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  clearAwsClients();
  await moto?.stop();
});

describe('aws driver against moto', () => {
  it('R-CLD-2: whoAmI is the account of the credentials: assumed role, moto account header, moto default', async () => {
    expect(await createAwsDriver(asRole(ACCOUNT_A)).whoAmI()).toEqual({ principal: ACCOUNT_A });
    expect(
      await createAwsDriver({ ...base(), headers: { 'x-moto-account-id': ACCOUNT_B } }).whoAmI(),
    ).toEqual({
      principal: ACCOUNT_B,
    });
    expect(await createAwsDriver(base()).whoAmI()).toEqual({ principal: '123456789012' });
  });

  it('R-CLD-3: lists the bundled catalog by owner and name filter, one page (moto ignores MaxResults)', async () => {
    const driver = createAwsDriver(asRole(ACCOUNT_A));
    const page = await driver.listImages({
      owners: ['amazon'],
      nameFilters: ['al2023-ami-2023*'],
      pageSize: 5,
    });
    expect(page.items.length).toBeGreaterThan(1);
    expect(page.nextToken).toBeUndefined();
    for (const image of page.items) {
      expect(image.name).toMatch(/^al2023-ami-2023/);
      expect(image.resourceUid).toMatch(/^ami-[0-9a-f]+$/);
      expect(image.ownerPrincipal).toMatch(/^\d{12}$/);
      expect(image.isPublic).toBe(true);
      expect(['x86_64', 'arm64']).toContain(image.cpuArchitecture);
      expect([image.osFamily, image.osVersion]).toEqual(['amazon-linux', '2023']);
      expect(image.cloudState).toBe('available');
    }
    const none = await driver.listImages({ owners: ['amazon'], nameFilters: ['no-such-image-*'] });
    expect(none.items).toEqual([]);
  });

  it('lists instance types with their architectures, through every page', async () => {
    const driver = createAwsDriver(asRole(ACCOUNT_A));
    const types = [];
    let nextToken: string | undefined;
    do {
      const page = await driver.listInstanceTypes(nextToken);
      types.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    const micro = types.find((t) => t.resourceUid === 't3.micro');
    expect(micro).toEqual({
      resourceUid: 't3.micro',
      name: 't3.micro',
      cpuCount: 2,
      memoryMb: 1024,
      cpuArchitectures: ['x86_64'],
    });
    expect(types.find((t) => t.resourceUid === 'm7g.large')?.cpuArchitectures).toEqual(['arm64']);
    expect(new Set(types.map((t) => t.resourceUid)).size).toBe(types.length);
  });

  it('R-CLD-4: a private image of account A shared with B shows B in its launch permissions; deregistered, it is gone', async () => {
    const owner = createAwsDriver(asRole(ACCOUNT_A));
    const ami = await publicAmi(owner);
    const raw = rawClient(ACCOUNT_A);
    const run = await raw.send(
      new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
    );
    const created = await raw.send(
      new CreateImageCommand({ InstanceId: run.Instances![0].InstanceId!, Name: 'mci-golden-web-1' }),
    );
    const privateId = created.ImageId!;
    await raw.send(
      new ModifyImageAttributeCommand({
        ImageId: privateId,
        LaunchPermission: { Add: [{ UserId: ACCOUNT_B }] },
      }),
    );

    const own = await owner.listImages({ owners: ['self'], nameFilters: ['mci-golden-*'] });
    expect(own.items).toEqual([
      expect.objectContaining({
        resourceUid: privateId,
        name: 'mci-golden-web-1',
        ownerPrincipal: ACCOUNT_A,
        isPublic: false,
        cloudState: 'available',
      }),
    ]);
    expect(await owner.launchPermissions(privateId)).toEqual([ACCOUNT_B]);
    expect(await owner.describeImage(privateId)).toMatchObject({
      resourceUid: privateId,
      ownerPrincipal: ACCOUNT_A,
    });
    // Another account without a grant does not see it.
    expect(await createAwsDriver(asRole('333333333333')).describeImage(privateId)).toBeUndefined();

    await raw.send(new DeregisterImageCommand({ ImageId: privateId }));
    expect(await owner.describeImage(privateId)).toBeUndefined();
    expect((await owner.listImages({ owners: ['self'], nameFilters: ['mci-golden-*'] })).items).toEqual([]);
    raw.destroy();
  });

  it('R-LCH-1: launches an instance, describes it (a missing id dropped), terminates it', async () => {
    const driver = createAwsDriver(asRole(ACCOUNT_A));
    const ami = await publicAmi(driver);
    const instance = await driver.launch({
      imageUid: ami,
      instanceTypeUid: 't3.micro',
      userData: '#!/bin/sh\necho hello\n',
      clientToken: `mci-e2e-${Date.now()}`,
      name: 'web 1',
    });
    expect(instance.instanceId).toMatch(/^i-[0-9a-f]+$/);
    expect(['pending', 'running']).toContain(instance.state);
    expect(instance).toMatchObject({ imageUid: ami, instanceTypeUid: 't3.micro' });
    expect(instance.launchedAt).toBeInstanceOf(Date);

    const missing = 'i-0123456789abcdef0';
    const described = await driver.describeInstances([instance.instanceId, missing]);
    expect(described.map((i) => [i.instanceId, i.state])).toEqual([[instance.instanceId, 'running']]);
    // Account B does not see A's instance.
    expect(await createAwsDriver(asRole(ACCOUNT_B)).describeInstances([instance.instanceId])).toEqual([]);

    await driver.terminate([instance.instanceId, missing]);
    const after = await driver.describeInstances([instance.instanceId]);
    expect(after).toHaveLength(1);
    expect(['shutting-down', 'terminated']).toContain(after[0].state);
    // Terminating again, or ids that never existed, is not an error.
    await driver.terminate([instance.instanceId]);
    await driver.terminate([missing]);
  });

  it('an image id that never existed is undefined; a malformed one is an invalid CloudError', async () => {
    const driver = createAwsDriver(asRole(ACCOUNT_A));
    expect(await driver.describeImage('ami-0123456789abcdef0')).toBeUndefined();
    const error = await driver.describeImage('not-an-ami').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CloudError);
    expect(error).toMatchObject({ kind: 'invalid', cloudCode: 'InvalidAMIID.Malformed' });
  });
});
