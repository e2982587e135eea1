/**
 * The aws driver in process (ADR 016). Two halves:
 * - `aws-sdk-client-mock` stubs the EC2 and STS clients' `send`: request shapes and answer
 *   mapping, above all the paths moto cannot show (each test names the moto gap it covers; the
 *   e2e test `e2e/aws-driver.moto.test.ts` runs the same driver against a real moto).
 * - A small fake AWS endpoint over node:http, for what happens below `send` and what a stub would
 *   skip: the SDK's own retry strategy on throttling, request timeouts, an HTML answer, role
 *   assumption and its refresh, extra headers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Image,
  type Instance,
  type InstanceStateName,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudError } from '@mci/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  awsClientCacheSize,
  clearAwsClients,
  cloudErrorOf,
  createAwsDriver,
  osFromAmi,
  type AwsDriverOptions,
} from './aws-driver.ts';

const credentials = { accessKeyId: 'AKIATESTTESTTEST', secretAccessKey: 'secret' };
const options: AwsDriverOptions = { region: 'us-east-1', credentials, maxAttempts: 1 };

function ec2Error(code: string, message: string, status = 400): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
}

const image = (id: string, extra: Partial<Image> = {}): Image => ({
  ImageId: id,
  Name: `al2023-ami-2023.6.20250101.0-kernel-6.1-x86_64`,
  Description: 'Amazon Linux 2023 AMI',
  Architecture: 'x86_64',
  OwnerId: '137112412989',
  ImageOwnerAlias: 'amazon',
  Public: true,
  State: 'available',
  VirtualizationType: 'hvm',
  RootDeviceType: 'ebs',
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

describe('aws driver (aws-sdk-client-mock)', () => {
  const ec2 = mockClient(EC2Client);
  const sts = mockClient(STSClient);

  beforeEach(() => {
    ec2.reset();
    sts.reset();
  });
  afterAll(() => {
    ec2.restore();
    sts.restore();
    clearAwsClients();
  });

  it('listImages pages through NextToken (moto gap: DescribeImages ignores MaxResults and never returns a NextToken)', async () => {
    ec2
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [image('ami-1'), image('ami-2')], NextToken: 'page-2' })
      .resolvesOnce({ Images: [image('ami-3')] });
    const driver = createAwsDriver(options);
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await driver.listImages({
        owners: ['amazon', 'self'],
        nameFilters: ['al2023-ami-*'],
        nextToken,
        pageSize: 2,
      });
      seen.push(...page.items.map((i) => i.resourceUid));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(2);
    expect(seen).toEqual(['ami-1', 'ami-2', 'ami-3']);
    const inputs = ec2.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      Owners: ['amazon', 'self'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }],
      IncludeDeprecated: true,
      // EC2 takes 5…1000: a page size of 2 is asked as 5.
      MaxResults: 5,
    });
    expect(inputs[1]).toMatchObject({ NextToken: 'page-2', MaxResults: 5 });
  });

  it('listImages without owners or filters sends neither, and asks for 1,000 a page', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    const page = await createAwsDriver(options).listImages({ owners: [], nameFilters: [] });
    expect(page).toEqual({ items: [] });
    expect(ec2.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      IncludeDeprecated: true,
      MaxResults: 1000,
    });
  });

  it('DeprecationTime is mapped to deprecationTime (moto gap: EnableImageDeprecation is not implemented, a 500)', async () => {
    ec2.on(DescribeImagesCommand).resolves({
      Images: [
        image('ami-old', { DeprecationTime: '2024-07-01T00:00:00.000Z' }),
        image('ami-new'),
        image('ami-bad', { DeprecationTime: 'not a time' }),
      ],
    });
    const { items } = await createAwsDriver(options).listImages({ owners: ['amazon'], nameFilters: [] });
    expect(items[0].deprecationTime).toEqual(new Date('2024-07-01T00:00:00.000Z'));
    expect(items[1].deprecationTime).toBeUndefined();
    expect(items[2].deprecationTime).toBeUndefined();
  });

  it('an EC2 image maps to CloudImage: owner id, public flag, architecture, state, OS; Mac AMIs are skipped', async () => {
    ec2.on(DescribeImagesCommand).resolves({
      Images: [
        image('ami-arm', {
          Name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20240101',
          Description: 'Canonical, Ubuntu, 22.04 LTS',
          Architecture: 'arm64',
          OwnerId: '099720109477',
          ImageOwnerAlias: undefined,
          Public: false,
          State: 'pending',
          RootDeviceType: 'instance-store',
          VirtualizationType: 'paravirtual',
        }),
        image('ami-mac', { Architecture: 'arm64_mac', Name: 'amzn-ec2-macos-14.0' }),
        image('ami-32', { Architecture: 'i386', Name: 'amzn-ami-pv-2018.03.0.20231218.0-i386-ebs' }),
      ],
    });
    const { items } = await createAwsDriver(options).listImages({ owners: [], nameFilters: [] });
    expect(items.map((i) => i.resourceUid)).toEqual(['ami-arm', 'ami-32']);
    expect(items[0]).toEqual({
      resourceUid: 'ami-arm',
      name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20240101',
      description: 'Canonical, Ubuntu, 22.04 LTS',
      ownerPrincipal: '099720109477',
      isPublic: false,
      cpuArchitecture: 'arm64',
      virtualizationType: 'paravirtual',
      rootDeviceType: 'instance-store',
      osFamily: 'ubuntu',
      osVersion: '22.04',
      deprecationTime: undefined,
      cloudState: 'pending',
    });
    expect(items[1]).toMatchObject({ cpuArchitecture: 'i386', osFamily: 'amazon-linux', osVersion: '1' });
  });

  it.each([
    ['al2023-ami-2023.6.20250101.0-kernel-6.1-x86_64', undefined, 'amazon-linux', '2023'],
    ['al2023-ami-minimal-2023.6.20250101.0-kernel-6.1-arm64', undefined, 'amazon-linux', '2023'],
    ['amzn2-ami-hvm-2.0.20240109.0-x86_64-gp2', undefined, 'amazon-linux', '2'],
    ['amzn-ami-hvm-2018.03.0.20231218.0-x86_64-gp2', undefined, 'amazon-linux', '1'],
    ['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240126', undefined, 'ubuntu', '22.04'],
    ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20240423', undefined, 'ubuntu', '24.04'],
    ['Windows_Server-2022-English-Full-Base-2024.01.16', 'Windows', 'windows', '2022'],
    ['Windows_Server-2016-English-Nano-Base-2017.10.13', undefined, 'windows', '2016'],
    ['debian-12-amd64-20240102-1614', undefined, 'debian', '12'],
    ['Debian 12 (x86_64)', undefined, 'debian', '12'],
    ['RHEL-9.3.0_HVM-20240117-x86_64-49-Hourly2-GP3', 'Red Hat Enterprise Linux', 'rhel', '9'],
    ['Rocky-9-EC2-Base-9.3-20231113.0.x86_64', undefined, 'rocky', '9'],
    ['AlmaLinux OS 9.3.20231124 x86_64', undefined, 'alma', '9'],
    ['CentOS Stream 9 x86_64 20240101', undefined, 'centos', '9'],
    ['suse-sles-15-sp5-v20240129-hvm-ssd-x86_64', 'SUSE Linux', 'suse', '15'],
    ['fedora-coreos-39.20240112.3.0-x86_64', undefined, 'fedora-coreos', '39'],
    ['FreeBSD 14.0-RELEASE-amd64', undefined, 'freebsd', '14.0'],
    ['my-golden-image-v7', 'Windows', 'windows', ''],
    ['my-golden-image-v7', 'Linux/UNIX', 'other', ''],
  ])('osFromAmi(%s, %s) → %s %s', (name, platform, family, version) => {
    expect(osFromAmi(name, platform)).toEqual({ osFamily: family, osVersion: version });
  });

  it('listInstanceTypes pages, keeps x86_64/arm64/i386 only and skips types with none of them', async () => {
    ec2
      .on(DescribeInstanceTypesCommand)
      .resolvesOnce({
        InstanceTypes: [
          {
            InstanceType: 't2.micro',
            ProcessorInfo: { SupportedArchitectures: ['i386', 'x86_64'] },
            VCpuInfo: { DefaultVCpus: 1 },
            MemoryInfo: { SizeInMiB: 1024 },
          },
          {
            InstanceType: 'mac2.metal',
            ProcessorInfo: { SupportedArchitectures: ['arm64_mac'] },
            VCpuInfo: { DefaultVCpus: 12 },
            MemoryInfo: { SizeInMiB: 16384 },
          },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({
        InstanceTypes: [
          {
            InstanceType: 'm7g.large',
            ProcessorInfo: { SupportedArchitectures: ['arm64', 'arm64_mac'] },
            VCpuInfo: { DefaultVCpus: 2 },
            MemoryInfo: { SizeInMiB: 8192 },
          },
        ],
      });
    const driver = createAwsDriver(options);
    const first = await driver.listInstanceTypes();
    expect(first).toEqual({
      items: [
        {
          resourceUid: 't2.micro',
          name: 't2.micro',
          cpuCount: 1,
          memoryMb: 1024,
          cpuArchitectures: ['i386', 'x86_64'],
        },
      ],
      nextToken: 'more',
    });
    const second = await driver.listInstanceTypes(first.nextToken);
    expect(second.items).toEqual([
      {
        resourceUid: 'm7g.large',
        name: 'm7g.large',
        cpuCount: 2,
        memoryMb: 8192,
        cpuArchitectures: ['arm64'],
      },
    ]);
    expect(second.nextToken).toBeUndefined();
    expect(ec2.commandCalls(DescribeInstanceTypesCommand)[1].args[0].input).toEqual({
      MaxResults: 100,
      NextToken: 'more',
    });
  });

  it('describeImage: found → the image; InvalidAMIID.NotFound, InvalidAMIID.Unavailable, none or deregistered → undefined', async () => {
    const driver = createAwsDriver(options);
    ec2.on(DescribeImagesCommand, { ImageIds: ['ami-here'] }).resolves({ Images: [image('ami-here')] });
    ec2
      .on(DescribeImagesCommand, { ImageIds: ['ami-gone'] })
      .rejects(ec2Error('InvalidAMIID.NotFound', "The image id '[ami-gone]' does not exist"));
    ec2
      .on(DescribeImagesCommand, { ImageIds: ['ami-unavailable'] })
      .rejects(ec2Error('InvalidAMIID.Unavailable', 'The image ami-unavailable is no longer available'));
    ec2.on(DescribeImagesCommand, { ImageIds: ['ami-empty'] }).resolves({ Images: [] });
    ec2
      .on(DescribeImagesCommand, { ImageIds: ['ami-dereg'] })
      .resolves({ Images: [image('ami-dereg', { State: 'deregistered' })] });
    ec2
      .on(DescribeImagesCommand, { ImageIds: ['ami-x'] })
      .rejects(ec2Error('InvalidAMIID.Malformed', 'Invalid id: "ami-x"'));
    expect((await driver.describeImage('ami-here'))?.resourceUid).toBe('ami-here');
    expect(await driver.describeImage('ami-gone')).toBeUndefined();
    expect(await driver.describeImage('ami-unavailable')).toBeUndefined();
    expect(await driver.describeImage('ami-empty')).toBeUndefined();
    expect(await driver.describeImage('ami-dereg')).toBeUndefined();
    const malformed = await rejection(driver.describeImage('ami-x'));
    expect([malformed.kind, malformed.cloudCode]).toEqual(['invalid', 'InvalidAMIID.Malformed']);
    expect(ec2.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      ImageIds: ['ami-here'],
      IncludeDeprecated: true,
    });
  });

  it('launch permissions of a private image shared with a grantee (moto gap: a grantee never sees an image shared with it)', async () => {
    // The owner (111111111111) reads who may launch; the grantee (222222222222) describes it.
    ec2.on(DescribeImageAttributeCommand, { ImageId: 'ami-shared' }).resolves({
      ImageId: 'ami-shared',
      LaunchPermissions: [
        { UserId: '222222222222' },
        { UserId: '333333333333' },
        { OrganizationArn: 'arn:aws:organizations::111111111111:organization/o-abc' },
      ],
    });
    ec2
      .on(DescribeImageAttributeCommand, { ImageId: 'ami-public' })
      .resolves({ ImageId: 'ami-public', LaunchPermissions: [{ Group: 'all' }] });
    ec2.on(DescribeImagesCommand, { ImageIds: ['ami-shared'] }).resolves({
      Images: [image('ami-shared', { OwnerId: '111111111111', Public: false, Name: 'golden-1' })],
    });
    const owner = createAwsDriver({
      ...options,
      credentials: { accessKeyId: 'AKIAOWNER', secretAccessKey: 's' },
    });
    const grantee = createAwsDriver({
      ...options,
      credentials: { accessKeyId: 'AKIAGRANTEE', secretAccessKey: 's' },
    });
    expect(await owner.launchPermissions('ami-shared')).toEqual([
      '222222222222',
      '333333333333',
      'arn:aws:organizations::111111111111:organization/o-abc',
    ]);
    expect(await owner.launchPermissions('ami-public')).toEqual(['all']);
    expect(ec2.commandCalls(DescribeImageAttributeCommand)[0].args[0].input).toEqual({
      ImageId: 'ami-shared',
      Attribute: 'launchPermission',
    });
    expect(await grantee.describeImage('ami-shared')).toMatchObject({
      resourceUid: 'ami-shared',
      ownerPrincipal: '111111111111',
      isPublic: false,
    });
  });

  it('launch permissions of an image the caller does not own: the cloud refusal as a CloudError', async () => {
    ec2
      .on(DescribeImageAttributeCommand)
      .rejects(ec2Error('AuthFailure', 'Not authorized for image:ami-1234 microsoft:windows'));
    const error = await rejection(createAwsDriver(options).launchPermissions('ami-1234'));
    expect(error).toMatchObject({ kind: 'auth', cloudCode: 'AuthFailure' });
    expect(error.message).toBe('Not authorized for image:ami-1234 microsoft:windows');
  });

  it('launch sends one instance with the client token, base64 user data and a Name tag, and maps the answer', async () => {
    ec2.on(RunInstancesCommand).resolves({
      Instances: [
        {
          InstanceId: 'i-0abc',
          ImageId: 'ami-1',
          InstanceType: 't3.micro',
          State: { Code: 0, Name: 'pending' },
          LaunchTime: new Date('2026-01-01T00:00:00Z'),
        },
      ],
    });
    const instance = await createAwsDriver(options).launch({
      imageUid: 'ami-1',
      instanceTypeUid: 't3.micro',
      userData: '#!/bin/sh\necho héllo\n',
      clientToken: 'srv-01J-1',
      name: 'web 1',
    });
    expect(instance).toEqual({
      instanceId: 'i-0abc',
      state: 'pending',
      imageUid: 'ami-1',
      instanceTypeUid: 't3.micro',
      launchedAt: new Date('2026-01-01T00:00:00Z'),
    });
    const input = ec2.commandCalls(RunInstancesCommand)[0].args[0].input;
    expect(input).toEqual({
      ImageId: 'ami-1',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'srv-01J-1',
      UserData: Buffer.from('#!/bin/sh\necho héllo\n').toString('base64'),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web 1' }] }],
    });
    await createAwsDriver(options).launch({
      imageUid: 'ami-1',
      instanceTypeUid: 't3.micro',
      userData: null,
      clientToken: 't2',
      name: 'n',
    });
    expect(ec2.commandCalls(RunInstancesCommand)[1].args[0].input).not.toHaveProperty('UserData');
  });

  it('launch of a deregistered AMI is refused: InvalidAMIID.NotFound → CloudError not_found (moto gap: RunInstances launches deregistered AMIs)', async () => {
    ec2
      .on(RunInstancesCommand)
      .rejects(ec2Error('InvalidAMIID.NotFound', "The image id '[ami-dereg]' does not exist"));
    const error = await rejection(
      createAwsDriver(options).launch({
        imageUid: 'ami-dereg',
        instanceTypeUid: 't3.micro',
        userData: null,
        clientToken: 'tok',
        name: 'web',
      }),
    );
    expect(error).toMatchObject({ kind: 'not_found', cloudCode: 'InvalidAMIID.NotFound' });
    expect(error.message).toBe("The image id '[ami-dereg]' does not exist");
  });

  it('describeInstances maps EC2 states and drops ids EC2 no longer has (the batch is asked again without them)', async () => {
    const instance = (id: string, state: InstanceStateName): Instance => ({
      InstanceId: id,
      ImageId: 'ami-1',
      InstanceType: 't3.micro',
      State: { Name: state },
      StateReason:
        state === 'terminated' ? { Code: 'Client.UserInitiatedShutdown', Message: 'x' } : undefined,
    });
    ec2
      .on(DescribeInstancesCommand, { InstanceIds: ['i-1', 'i-gone', 'i-2', 'i-3'] })
      .rejects(ec2Error('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"));
    ec2.on(DescribeInstancesCommand, { InstanceIds: ['i-1', 'i-2', 'i-3'] }).resolves({
      Reservations: [
        { Instances: [instance('i-1', 'running'), instance('i-2', 'terminated')] },
        { Instances: [instance('i-3', 'stopping')] },
      ],
    });
    const found = await createAwsDriver(options).describeInstances(['i-1', 'i-gone', 'i-2', 'i-3']);
    expect(found).toEqual([
      {
        instanceId: 'i-1',
        state: 'running',
        imageUid: 'ami-1',
        instanceTypeUid: 't3.micro',
        launchedAt: undefined,
      },
      {
        instanceId: 'i-2',
        state: 'terminated',
        imageUid: 'ami-1',
        instanceTypeUid: 't3.micro',
        launchedAt: undefined,
        reason: 'Client.UserInitiatedShutdown',
      },
      {
        instanceId: 'i-3',
        state: 'stopping',
        imageUid: 'ami-1',
        instanceTypeUid: 't3.micro',
        launchedAt: undefined,
      },
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('describeInstances asks id by id when the NotFound message names none of the ids; no ids → no call', async () => {
    ec2
      .on(DescribeInstancesCommand, { InstanceIds: ['i-a', 'i-b'] })
      .rejects(ec2Error('InvalidInstanceID.NotFound', 'One or more instance IDs do not exist'));
    ec2
      .on(DescribeInstancesCommand, { InstanceIds: ['i-a'] })
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-a', State: { Name: 'stopped' } }] }] });
    ec2
      .on(DescribeInstancesCommand, { InstanceIds: ['i-b'] })
      .rejects(ec2Error('InvalidInstanceID.NotFound', 'One or more instance IDs do not exist'));
    const driver = createAwsDriver(options);
    expect((await driver.describeInstances(['i-a', 'i-b'])).map((i) => [i.instanceId, i.state])).toEqual([
      ['i-a', 'stopped'],
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
    expect(await driver.describeInstances([])).toEqual([]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
  });

  it('terminate ignores ids EC2 no longer has and passes other refusals on', async () => {
    ec2
      .on(TerminateInstancesCommand, { InstanceIds: ['i-1', 'i-gone'] })
      .rejects(ec2Error('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"));
    ec2.on(TerminateInstancesCommand, { InstanceIds: ['i-1'] }).resolves({ TerminatingInstances: [] });
    ec2
      .on(TerminateInstancesCommand, { InstanceIds: ['i-protected'] })
      .rejects(
        ec2Error('OperationNotPermitted', 'The instance may not be terminated. Modify its attribute.'),
      );
    const driver = createAwsDriver(options);
    await driver.terminate(['i-1', 'i-gone']);
    expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([
      ['i-1', 'i-gone'],
      ['i-1'],
    ]);
    const error = await rejection(driver.terminate(['i-protected']));
    expect(error).toMatchObject({ kind: 'invalid', cloudCode: 'OperationNotPermitted' });
  });

  it('whoAmI is the account of GetCallerIdentity; an STS refusal is an auth CloudError with its wording', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolvesOnce({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/x', UserId: 'AIDA' })
      .rejectsOnce(
        Object.assign(new Error('The security token included in the request is invalid.'), {
          name: 'InvalidClientTokenId',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      );
    const driver = createAwsDriver(options);
    expect(await driver.whoAmI()).toEqual({ principal: '111111111111' });
    const error = await rejection(driver.whoAmI());
    expect(error).toMatchObject({
      kind: 'auth',
      cloudCode: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('drivers of the same region, credentials and endpoint share one client; another region or endpoint gets its own', () => {
    clearAwsClients();
    createAwsDriver(options);
    createAwsDriver({ ...options });
    createAwsDriver({ ...options, credentials: { ...credentials } });
    expect(awsClientCacheSize()).toBe(1);
    createAwsDriver({ ...options, region: 'eu-west-1' });
    createAwsDriver({ ...options, endpoint: 'http://127.0.0.1:5000' });
    createAwsDriver({ ...options, credentials: { ...credentials, secretAccessKey: 'other' } });
    expect(awsClientCacheSize()).toBe(4);
    clearAwsClients();
    expect(awsClientCacheSize()).toBe(0);
  });
});

describe('cloudErrorOf: the cloud own code and message, sorted into kinds', () => {
  it.each([
    ['AuthFailure', 401, 'auth'],
    ['UnauthorizedOperation', 403, 'auth'],
    ['InvalidClientTokenId', 403, 'auth'],
    ['SignatureDoesNotMatch', 403, 'auth'],
    ['AccessDenied', 403, 'auth'],
    ['ExpiredToken', 400, 'auth'],
    ['InvalidAMIID.NotFound', 400, 'not_found'],
    ['InvalidInstanceID.NotFound', 400, 'not_found'],
    ['InvalidAMIID.Unavailable', 400, 'not_found'],
    ['Throttling', 400, 'throttled'],
    ['RequestLimitExceeded', 503, 'throttled'],
    ['InvalidParameterValue', 400, 'invalid'],
    ['InvalidParameterCombination', 400, 'invalid'],
    ['MissingParameter', 400, 'invalid'],
    ['InvalidAMIID.Malformed', 400, 'invalid'],
    ['UnsupportedOperation', 400, 'unsupported'],
    ['InternalError', 500, 'unavailable'],
    ['Unavailable', 503, 'unavailable'],
    ['SomethingNew', 400, 'invalid'],
    ['SomethingNew', 500, 'unavailable'],
  ] as const)('%s (HTTP %d) → %s', (code, status, kind) => {
    const error = cloudErrorOf(ec2Error(code, `the cloud says ${code}`, status));
    expect(error).toBeInstanceOf(CloudError);
    expect([error.kind, error.cloudCode, error.message]).toEqual([kind, code, `the cloud says ${code}`]);
  });

  it('network failures keep the system code; an unreadable answer names what came back', () => {
    const refused = cloudErrorOf(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: {} }),
    );
    expect([refused.kind, refused.cloudCode, refused.message]).toEqual([
      'unavailable',
      'ECONNREFUSED',
      'connect ECONNREFUSED 127.0.0.1:1',
    ]);
    const timeout = cloudErrorOf(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
    expect([timeout.kind, timeout.cloudCode]).toEqual(['unavailable', 'TimeoutError']);
    const html = cloudErrorOf(
      Object.assign(
        new Error(
          '@aws-sdk XML parse error: mismatched tags <html> and </title>.\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
        ),
        {
          $metadata: { httpStatusCode: 500 },
          $response: {
            statusCode: 500,
            body: '<!doctype html><html><title>500 Internal Server Error</title></html>',
          },
        },
      ),
    );
    expect([html.kind, html.cloudCode, html.message]).toEqual([
      'unavailable',
      'InvalidResponse',
      'the endpoint answered HTTP 500 with something that is not an AWS answer: 500 Internal Server Error',
    ]);
    const same = new CloudError('auth', 'X', 'y');
    expect(cloudErrorOf(same)).toBe(same);
  });
});

// ---- below `send`: a fake AWS endpoint over HTTP --------------------------------------------

interface FakeRequest {
  action: string;
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
}
type FakeAnswer = { status?: number; body: string; contentType?: string } | 'hang';

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ec2ErrorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`;
const imagesXml = (ids: string[]) =>
  `<DescribeImagesResponse xmlns="${EC2_NS}"><requestId>r</requestId><imagesSet>${ids
    .map(
      (id) =>
        `<item><imageId>${id}</imageId><name>debian-12-amd64-20240102</name><architecture>x86_64</architecture><imageState>available</imageState><imageOwnerId>136693071363</imageOwnerId><isPublic>true</isPublic></item>`,
    )
    .join('')}</imagesSet></DescribeImagesResponse>`;
const callerXml = (account: string) =>
  `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>arn:aws:sts::${account}:assumed-role/any/s</Arn><UserId>AROA:s</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
const assumeRoleXml = (accessKeyId: string, expiration: Date) =>
  `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>temp-secret</SecretAccessKey><SessionToken>temp-token</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::111111111111:assumed-role/any/s</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`;

describe('aws driver over HTTP (the SDK retry strategy, timeouts, role assumption)', () => {
  let server: Server;
  let endpoint: string;
  let answer: (request: FakeRequest) => FakeAnswer;
  let requests: FakeRequest[];
  const hanging = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const params = new URLSearchParams(body);
        const request = { action: params.get('Action') ?? '', params, headers: req.headers };
        requests.push(request);
        const a = answer(request);
        if (a === 'hang') {
          hanging.add(res);
          return;
        }
        res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'text/xml' });
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    requests = [];
    clearAwsClients();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const res of hanging) res.destroy();
    hanging.clear();
  });
  afterAll(async () => {
    clearAwsClients();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('throttling (RequestLimitExceeded) is retried with jittered backoff and then succeeds', async () => {
    // Full jitter: the delay is random × base × 2^attempt; pinning the random keeps the test fast
    // and shows the delay comes from it.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.01);
    let calls = 0;
    answer = () =>
      ++calls <= 2
        ? { status: 503, body: ec2ErrorXml('RequestLimitExceeded', 'Request limit exceeded.') }
        : { body: imagesXml(['ami-1']) };
    const driver = createAwsDriver({ region: 'us-east-1', credentials, endpoint, maxAttempts: 3 });
    const page = await driver.listImages({ owners: ['amazon'], nameFilters: [] });
    expect(page.items.map((i) => [i.resourceUid, i.osFamily, i.osVersion])).toEqual([
      ['ami-1', 'debian', '12'],
    ]);
    expect(requests.map((r) => r.action)).toEqual(['DescribeImages', 'DescribeImages', 'DescribeImages']);
    expect(random).toHaveBeenCalled();
  });

  it('throttling beyond maxAttempts is a throttled CloudError with the cloud message', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.01);
    answer = () => ({ status: 503, body: ec2ErrorXml('RequestLimitExceeded', 'Request limit exceeded.') });
    const driver = createAwsDriver({ region: 'us-east-1', credentials, endpoint, maxAttempts: 2 });
    const error = await rejection(driver.listImages({ owners: [], nameFilters: [] }));
    expect(error).toMatchObject({
      kind: 'throttled',
      cloudCode: 'RequestLimitExceeded',
      message: 'Request limit exceeded.',
    });
    expect(requests).toHaveLength(2);
  });

  it('without maxAttempts the SDK variable AWS_MAX_ATTEMPTS sets the attempts (a server against moto uses 1)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.01);
    answer = () => ({ status: 503, body: ec2ErrorXml('RequestLimitExceeded', 'Request limit exceeded.') });
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
    try {
      await rejection(
        createAwsDriver({ region: 'us-east-1', credentials, endpoint }).listImages({
          owners: [],
          nameFilters: [],
        }),
      );
      expect(requests).toHaveLength(1);
      vi.stubEnv('AWS_MAX_ATTEMPTS', '');
      await rejection(
        createAwsDriver({ region: 'us-east-1', credentials, endpoint }).listImages({
          owners: [],
          nameFilters: [],
        }),
      );
      expect(requests).toHaveLength(1 + 3);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a request over its timeout fails as unavailable instead of hanging', async () => {
    answer = () => 'hang';
    const driver = createAwsDriver({
      region: 'us-east-1',
      credentials,
      endpoint,
      maxAttempts: 1,
      requestTimeoutMs: 300,
    });
    const started = Date.now();
    const error = await rejection(driver.describeImage('ami-1'));
    expect(error.kind).toBe('unavailable');
    expect(error.cloudCode).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an HTML answer (moto answers unimplemented calls so) is unavailable, naming the page', async () => {
    answer = () => ({
      status: 500,
      contentType: 'text/html',
      body: '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>',
    });
    const driver = createAwsDriver({ region: 'us-east-1', credentials, endpoint, maxAttempts: 1 });
    const error = await rejection(driver.launchPermissions('ami-1'));
    expect(error).toMatchObject({
      kind: 'unavailable',
      cloudCode: 'InvalidResponse',
      message:
        'the endpoint answered HTTP 500 with something that is not an AWS answer: 500 Internal Server Error',
    });
  });

  it('a refused connection is unavailable', async () => {
    const driver = createAwsDriver({
      region: 'us-east-1',
      credentials,
      endpoint: 'http://127.0.0.1:1',
      maxAttempts: 1,
    });
    const error = await rejection(driver.whoAmI());
    expect([error.kind, error.cloudCode]).toEqual(['unavailable', 'ECONNREFUSED']);
  });

  it('a role is assumed once for EC2 and STS together, and assumed again when less than five minutes are left', async () => {
    let expiration = new Date(Date.now() + 20 * 60_000);
    let assumed = 0;
    answer = (r) => {
      if (r.action === 'AssumeRole') return { body: assumeRoleXml(`ASIATEMP${++assumed}`, expiration) };
      if (r.action === 'GetCallerIdentity') return { body: callerXml('111111111111') };
      return { body: imagesXml([]) };
    };
    const driver = createAwsDriver({
      region: 'us-east-1',
      credentials,
      endpoint,
      maxAttempts: 1,
      roleArn: 'arn:aws:iam::111111111111:role/any',
    });
    expect(await driver.whoAmI()).toEqual({ principal: '111111111111' });
    await driver.listImages({ owners: ['self'], nameFilters: [] });
    await driver.listImages({ owners: ['self'], nameFilters: [] });
    expect(assumed).toBe(1);
    const assume = requests.find((r) => r.action === 'AssumeRole')!;
    expect(assume.params.get('RoleArn')).toBe('arn:aws:iam::111111111111:role/any');
    expect(assume.params.get('RoleSessionName')).toBe('mci-image-service');
    // The base credentials sign AssumeRole; the temporary ones sign everything else.
    expect(assume.headers.authorization).toContain('Credential=AKIATESTTESTTEST/');
    for (const r of requests.filter((x) => x.action !== 'AssumeRole')) {
      expect(r.headers.authorization).toContain('Credential=ASIATEMP1/');
      expect(r.headers['x-amz-security-token']).toBe('temp-token');
    }
    // Sixteen minutes later the credentials (20 minutes) have less than five left: renewed once,
    // for both clients.
    const now = Date.now();
    expiration = new Date(now + 3600_000);
    vi.spyOn(Date, 'now').mockReturnValue(now + 16 * 60_000);
    await driver.listImages({ owners: [], nameFilters: [] });
    await driver.whoAmI();
    expect(assumed).toBe(2);
    expect(requests.at(-2)!.headers.authorization).toContain('Credential=ASIATEMP2/');
    expect(requests.at(-1)!.headers.authorization).toContain('Credential=ASIATEMP2/');
  });

  it('a refused AssumeRole is an auth CloudError with STS wording, and is not kept: the next call assumes again', async () => {
    let refuse = true;
    answer = (r) => {
      if (r.action === 'AssumeRole')
        return refuse
          ? {
              status: 403,
              body: `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/any</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
            }
          : { body: assumeRoleXml('ASIAOK', new Date(Date.now() + 3600_000)) };
      return { body: callerXml('111111111111') };
    };
    const driver = createAwsDriver({
      region: 'us-east-1',
      credentials,
      endpoint,
      maxAttempts: 1,
      roleArn: 'arn:aws:iam::111111111111:role/any',
    });
    const error = await rejection(driver.whoAmI());
    expect(error).toMatchObject({
      kind: 'auth',
      cloudCode: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/any',
    });
    refuse = false;
    expect(await driver.whoAmI()).toEqual({ principal: '111111111111' });
    expect(requests.map((r) => r.action)).toEqual(['AssumeRole', 'AssumeRole', 'GetCallerIdentity']);
  });

  it('extra headers (moto x-moto-account-id) go on every request of both clients', async () => {
    answer = (r) =>
      r.action === 'GetCallerIdentity' ? { body: callerXml('333333333333') } : { body: imagesXml([]) };
    const driver = createAwsDriver({
      region: 'us-east-1',
      credentials,
      endpoint,
      maxAttempts: 1,
      headers: { 'x-moto-account-id': '333333333333' },
    });
    await driver.whoAmI();
    await driver.listImages({ owners: [], nameFilters: [] });
    expect(requests.map((r) => [r.action, r.headers['x-moto-account-id']])).toEqual([
      ['GetCallerIdentity', '333333333333'],
      ['DescribeImages', '333333333333'],
    ]);
  });
});
