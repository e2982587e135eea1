/**
 * The `aws` cloud driver (SPEC §6–7, ADR 016): the CloudDriver port over the official AWS SDK v3
 * (`@aws-sdk/client-ec2`, `@aws-sdk/client-sts`, pinned at 3.1169.0, the last release line for
 * Node 20).
 *
 * - One EC2 client and one STS client per (region, credentials, endpoint, role, tuning), cached
 *   and reused across drivers (a driver is made per call site; the clients and their sockets are
 *   not). The cache is bounded; evicted clients are destroyed.
 * - Endpoint override per credential (an emulator such as moto); optional role assumption through
 *   STS AssumeRole (`fromTemporaryCredentials`), the temporary credentials shared by both clients
 *   and refreshed five minutes before they expire.
 * - Retries: the SDK's standard retry strategy (exponential backoff with full jitter; throttling
 *   errors get the longer throttling base delay), `maxAttempts` per driver (default
 *   `AWS_MAX_ATTEMPTS`, else 3; tests against moto use 1). Timeouts: connection and request
 *   timeouts on the SDK's Node HTTP handler; a request over its time is an error
 *   (`throwOnRequestTimeout`), not a warning.
 * - Every failure leaves as a `CloudError(kind, cloudCode, message)` with the cloud's own code and
 *   wording (`cloudErrorOf`).
 */
import { createHash } from 'node:crypto';
import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2ClientConfig,
  type Image as Ec2Image,
  type Instance as Ec2Instance,
  type InstanceTypeInfo,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import {
  CloudError,
  type CloudDriver,
  type CloudImage,
  type CloudInstance,
  type CloudInstanceType,
  type CloudPage,
  type CpuArchitecture,
  type ImageQuery,
  type InstanceState,
  type LaunchRequest,
} from '@mci/core';
import type { AwsSecret } from './drivers.ts';

// The pin is deliberate (ADR 016): the SDK's notice that later releases need Node 22 is known and
// would otherwise land in every server log once per process. An operator's own setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface AwsDriverOptions {
  region: string;
  credentials: AwsSecret;
  /** Endpoint override for an emulator (moto); undefined → AWS's own regional endpoints. */
  endpoint?: string;
  /** A role to assume (STS AssumeRole) with the credentials before calling EC2. */
  roleArn?: string;
  /**
   * SDK attempts per call including the first (default: `AWS_MAX_ATTEMPTS`, the SDK's own
   * variable, else 3). Tests against moto use 1.
   */
  maxAttempts?: number;
  /** Milliseconds to open a connection (default 5,000). */
  connectionTimeoutMs?: number;
  /** Milliseconds for a whole request once connected (default 30,000). */
  requestTimeoutMs?: number;
  /**
   * Extra headers on every request of both clients, for emulators: moto picks the account from
   * `x-moto-account-id`. Not used with AWS itself.
   */
  headers?: Readonly<Record<string, string>>;
}

const DEFAULTS = {
  get maxAttempts(): number {
    const fromEnv = Number(process.env.AWS_MAX_ATTEMPTS);
    return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : 3;
  },
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
};
/** Temporary credentials are renewed this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const ROLE_SESSION_NAME = 'mci-image-service';
/** DescribeImages takes 5…1000 per page; DescribeInstanceTypes 5…100. */
const IMAGE_PAGE = { min: 5, max: 1000 };
const TYPE_PAGE_SIZE = 100;
/** Instance ids per DescribeInstances / TerminateInstances call. */
const INSTANCE_BATCH = 100;
const MAX_CACHED_CLIENTS = 64;

interface AwsClients {
  ec2: EC2Client;
  sts: STSClient;
}

interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
type CredentialsProvider = () => Promise<TemporaryCredentials>;

const clientCache = new Map<string, AwsClients>();

function cacheKey(o: AwsDriverOptions): string {
  const headers = Object.entries(o.headers ?? {}).sort(([a], [b]) => a.localeCompare(b));
  // Hashed so the cache's keys never hold a secret in the clear.
  return createHash('sha256')
    .update(
      JSON.stringify([
        o.region,
        o.endpoint ?? '',
        o.credentials.accessKeyId,
        o.credentials.secretAccessKey,
        o.credentials.sessionToken ?? '',
        o.roleArn ?? '',
        o.maxAttempts ?? DEFAULTS.maxAttempts,
        o.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
        o.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
        headers,
      ]),
    )
    .digest('hex');
}

/** A plugin adding fixed headers to every request (moto's `x-moto-account-id`). */
function headersPlugin(headers: Readonly<Record<string, string>>) {
  return {
    applyToStack(stack: { add: (middleware: any, options: { step: 'build'; name: string }) => void }) {
      stack.add(
        (next: (args: any) => Promise<unknown>) =>
          async (args: { request?: { headers?: Record<string, string> } }) => {
            if (args.request?.headers) Object.assign(args.request.headers, headers);
            return next(args);
          },
        { step: 'build', name: 'mciExtraHeaders' },
      );
    },
  };
}

/**
 * One provider for both clients: the temporary credentials are fetched once, shared, and fetched
 * again when fewer than five minutes are left (a failed fetch is not kept).
 */
function sharedRefreshing(provider: CredentialsProvider): CredentialsProvider {
  let current: Promise<TemporaryCredentials> | undefined;
  let refreshAt = 0;
  return () => {
    if (!current || Date.now() >= refreshAt) {
      const fetching = provider();
      current = fetching;
      refreshAt = Number.POSITIVE_INFINITY;
      fetching.then(
        (c) => {
          if (current === fetching)
            refreshAt = c.expiration ? c.expiration.getTime() - REFRESH_BEFORE_MS : Number.POSITIVE_INFINITY;
        },
        () => {
          if (current === fetching) {
            current = undefined;
            refreshAt = 0;
          }
        },
      );
    }
    return current;
  };
}

function makeClients(o: AwsDriverOptions): AwsClients {
  const requestHandler = {
    connectionTimeout: o.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
    requestTimeout: o.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    throwOnRequestTimeout: true,
  };
  const base = {
    region: o.region,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    maxAttempts: o.maxAttempts ?? DEFAULTS.maxAttempts,
    retryMode: 'standard',
    requestHandler,
  } satisfies Partial<EC2ClientConfig>;
  const staticCredentials: TemporaryCredentials = {
    accessKeyId: o.credentials.accessKeyId,
    secretAccessKey: o.credentials.secretAccessKey,
    ...(o.credentials.sessionToken ? { sessionToken: o.credentials.sessionToken } : {}),
  };
  const plugins = o.headers && Object.keys(o.headers).length > 0 ? [headersPlugin(o.headers)] : [];
  const credentials: TemporaryCredentials | CredentialsProvider = o.roleArn
    ? sharedRefreshing(
        fromTemporaryCredentials({
          params: { RoleArn: o.roleArn, RoleSessionName: ROLE_SESSION_NAME },
          masterCredentials: staticCredentials,
          clientConfig: base,
          clientPlugins: plugins,
        }),
      )
    : staticCredentials;
  const ec2 = new EC2Client({ ...base, credentials });
  const sts = new STSClient({ ...base, credentials });
  for (const plugin of plugins) {
    ec2.middlewareStack.use(plugin);
    sts.middlewareStack.use(plugin);
  }
  return { ec2, sts };
}

/** The cached clients of these options (least recently used evicted past 64). */
function clientsFor(o: AwsDriverOptions): AwsClients {
  const key = cacheKey(o);
  let clients = clientCache.get(key);
  if (clients) {
    clientCache.delete(key);
  } else {
    clients = makeClients(o);
    while (clientCache.size >= MAX_CACHED_CLIENTS) {
      const [oldest, evicted] = clientCache.entries().next().value!;
      clientCache.delete(oldest);
      evicted.ec2.destroy();
      evicted.sts.destroy();
    }
  }
  clientCache.set(key, clients);
  return clients;
}

/** How many client pairs are cached (tests check that drivers share them). */
export function awsClientCacheSize(): number {
  return clientCache.size;
}

/** Destroys every cached client (tests; a server shutting down). */
export function clearAwsClients(): void {
  for (const { ec2, sts } of clientCache.values()) {
    ec2.destroy();
    sts.destroy();
  }
  clientCache.clear();
}

// ---- errors ---------------------------------------------------------------------------------

const AUTH_CODES = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
  'AccessDenied',
  'AccessDeniedException',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'OptInRequired',
  'Blocked',
  'PendingVerification',
  'CredentialsProviderError',
]);
const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'SlowDown',
]);
const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'Unavailable',
  'InternalError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  'InsufficientInstanceCapacity',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNSUPPORTED_CODES = new Set(['UnsupportedOperation', 'NotImplemented', 'InvalidAction']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; body?: unknown };
}

/** What an answer that is not AWS's (an emulator's HTML error page) said, in a few words. */
function describeForeignAnswer(e: SdkErrorShape, status: number | undefined): string {
  const body = typeof e.$response?.body === 'string' ? e.$response.body : '';
  const title = /<title>([^<]{1,200})<\/title>/i.exec(body)?.[1]?.trim();
  const said = title ?? body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `the endpoint answered${status ? ` HTTP ${status}` : ''} with something that is not an AWS answer${said ? `: ${said}` : ''}`;
}

/**
 * The CloudError of anything the SDK threw: the cloud's own code (`AuthFailure`,
 * `InvalidAMIID.NotFound`, …) and message, sorted into the port's kinds.
 */
export function cloudErrorOf(error: unknown): CloudError {
  if (error instanceof CloudError) return error;
  const e = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const message = e.message || 'the cloud failed without a message';
  // The deserializer could not read the answer (moto answers unimplemented calls with HTML).
  if (/Deserialization error|XML parse error|Unexpected token|not valid JSON/i.test(message) && !e.Code)
    return new CloudError('unavailable', 'InvalidResponse', describeForeignAnswer(e, status));
  const named = e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined);
  const code = named ?? e.code ?? (status ? `HTTP${status}` : 'Unknown');
  const kind = ((): CloudError['kind'] => {
    if (THROTTLE_CODES.has(code) || status === 429) return 'throttled';
    if (AUTH_CODES.has(code)) return 'auth';
    if (/NotFound$/.test(code) || code === 'InvalidAMIID.Unavailable') return 'not_found';
    if (UNSUPPORTED_CODES.has(code)) return 'unsupported';
    if (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(e.code ?? '')) return 'unavailable';
    if (/^(Invalid|Missing|Unknown)/.test(code) || /Validation/.test(code)) return 'invalid';
    if (status !== undefined && status >= 400 && status < 500) return 'invalid';
    return 'unavailable';
  })();
  return new CloudError(kind, code, message);
}

// ---- mapping --------------------------------------------------------------------------------

const ARCHITECTURES: readonly string[] = ['x86_64', 'arm64', 'i386'] satisfies CpuArchitecture[];
const isArchitecture = (a: string | undefined): a is CpuArchitecture =>
  a !== undefined && ARCHITECTURES.includes(a);

const INSTANCE_STATES: Record<string, InstanceState> = {
  pending: 'pending',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  'shutting-down': 'shutting-down',
  terminated: 'terminated',
};

/** `{ osFamily, osVersion }` from the rule the name (then the platform) matches first. */
const OS_RULES: { test: RegExp; family: string; version?: (m: RegExpExecArray) => string }[] = [
  { test: /^al2023-ami/i, family: 'amazon-linux', version: () => '2023' },
  { test: /^amzn2-ami|^amazon-linux-2\b/i, family: 'amazon-linux', version: () => '2' },
  { test: /^amzn-ami/i, family: 'amazon-linux', version: () => '1' },
  { test: /windows[_ -]server[_ -](\d{4})/i, family: 'windows', version: (m) => m[1] },
  { test: /ubuntu.*?(\d{2}\.\d{2})/i, family: 'ubuntu', version: (m) => m[1] },
  { test: /debian[-_ ]?(\d+)/i, family: 'debian', version: (m) => m[1] },
  { test: /\b(?:rhel|red ?hat enterprise linux)[-_ ]?(\d+)/i, family: 'rhel', version: (m) => m[1] },
  { test: /rocky(?:[-_ ]linux)?[-_ ]?(\d+)/i, family: 'rocky', version: (m) => m[1] },
  { test: /alma(?:linux)?(?:[-_ ]os)?[-_ ]?(\d+)/i, family: 'alma', version: (m) => m[1] },
  { test: /centos(?:[-_ ]stream)?[-_ ]?(\d+)/i, family: 'centos', version: (m) => m[1] },
  { test: /fedora-coreos-(\d+)/i, family: 'fedora-coreos', version: (m) => m[1] },
  { test: /fedora(?:-cloud-base)?[-_ ]?(\d+)/i, family: 'fedora', version: (m) => m[1] },
  { test: /(?:suse-sles|sles|suse)[-_ ]?(\d+)/i, family: 'suse', version: (m) => m[1] },
  { test: /freebsd[-_ ]?(\d+(?:\.\d+)?)/i, family: 'freebsd', version: (m) => m[1] },
];

/**
 * The OS of an AMI as best its name tells (`al2023-ami-…` → amazon-linux 2023,
 * `ubuntu/images/…/ubuntu-jammy-22.04-…` → ubuntu 22.04, `Windows_Server-2022-…` → windows 2022,
 * `debian-12-…` → debian 12, `RHEL-9.4…` → rhel 9), then its PlatformDetails (`Windows`, `Red Hat
 * Enterprise Linux`); `other` and no version when neither says.
 */
export function osFromAmi(
  name: string,
  platformDetails?: string,
  description?: string,
): { osFamily: string; osVersion: string } {
  for (const text of [name, description ?? '']) {
    for (const rule of OS_RULES) {
      const m = rule.test.exec(text);
      if (m) return { osFamily: rule.family, osVersion: rule.version?.(m) ?? '' };
    }
  }
  const platform = platformDetails ?? '';
  if (/windows/i.test(platform)) return { osFamily: 'windows', osVersion: '' };
  if (/red hat/i.test(platform)) return { osFamily: 'rhel', osVersion: '' };
  if (/suse/i.test(platform)) return { osFamily: 'suse', osVersion: '' };
  if (/ubuntu/i.test(platform)) return { osFamily: 'ubuntu', osVersion: '' };
  return { osFamily: 'other', osVersion: '' };
}

function parseTime(value: string | Date | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * An EC2 image as the port's CloudImage; undefined for an architecture the catalog has no word
 * for (Mac AMIs: `x86_64_mac`, `arm64_mac`). An image without an architecture (moto's
 * RegisterImage drops it) counts as x86_64, EC2's usual.
 */
export function toCloudImage(image: Ec2Image): CloudImage | undefined {
  const architecture = image.Architecture ?? 'x86_64';
  if (!isArchitecture(architecture) || !image.ImageId) return undefined;
  const name = image.Name ?? image.ImageId;
  const { osFamily, osVersion } = osFromAmi(name, image.PlatformDetails, image.Description);
  return {
    resourceUid: image.ImageId,
    name,
    description: image.Description ?? '',
    ownerPrincipal: image.OwnerId ?? image.ImageOwnerAlias ?? '',
    isPublic: image.Public === true,
    cpuArchitecture: architecture,
    virtualizationType: image.VirtualizationType ?? 'hvm',
    rootDeviceType: image.RootDeviceType ?? 'ebs',
    osFamily,
    osVersion,
    deprecationTime: parseTime(image.DeprecationTime),
    cloudState: image.State ?? 'available',
  };
}

/** An instance type with the architectures the catalog knows; undefined when it has none of them. */
export function toCloudInstanceType(type: InstanceTypeInfo): CloudInstanceType | undefined {
  const architectures = (type.ProcessorInfo?.SupportedArchitectures ?? []).filter(isArchitecture);
  if (!type.InstanceType || architectures.length === 0) return undefined;
  return {
    resourceUid: type.InstanceType,
    name: type.InstanceType,
    cpuCount: type.VCpuInfo?.DefaultVCpus ?? 0,
    memoryMb: type.MemoryInfo?.SizeInMiB ?? 0,
    cpuArchitectures: architectures,
  };
}

function toCloudInstance(instance: Ec2Instance): CloudInstance | undefined {
  if (!instance.InstanceId) return undefined;
  const reason = instance.StateReason?.Code ?? (instance.StateTransitionReason || undefined);
  return {
    instanceId: instance.InstanceId,
    state: INSTANCE_STATES[instance.State?.Name ?? ''] ?? 'pending',
    imageUid: instance.ImageId ?? '',
    instanceTypeUid: instance.InstanceType ?? '',
    launchedAt: parseTime(instance.LaunchTime),
    ...(reason ? { reason } : {}),
  };
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const isMissingInstance = (e: unknown) =>
  e instanceof CloudError && e.cloudCode === 'InvalidInstanceID.NotFound';

/** The ids an InvalidInstanceID.NotFound message names (`The instance IDs 'i-1, i-2' do not exist`). */
function missingIdsIn(message: string, asked: readonly string[]): string[] {
  const named = message.match(/i-[0-9a-z]+/gi) ?? [];
  return named.filter((id) => asked.includes(id));
}

// ---- the driver -----------------------------------------------------------------------------

/** The `aws` driver of one region seen with one set of credentials. */
export class AwsDriver implements CloudDriver {
  readonly name = 'aws' as const;
  private readonly clients: AwsClients;

  constructor(options: AwsDriverOptions) {
    this.clients = clientsFor(options);
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw cloudErrorOf(error);
    }
  }

  async whoAmI(): Promise<{ principal: string }> {
    const answer = await this.call(() => this.clients.sts.send(new GetCallerIdentityCommand({})));
    if (!answer.Account)
      throw new CloudError('unavailable', 'InvalidResponse', 'GetCallerIdentity answered without an account');
    return { principal: answer.Account };
  }

  async listImages(query: ImageQuery): Promise<CloudPage<CloudImage>> {
    const pageSize = Math.min(IMAGE_PAGE.max, Math.max(IMAGE_PAGE.min, query.pageSize ?? IMAGE_PAGE.max));
    const answer = await this.call(() =>
      this.clients.ec2.send(
        new DescribeImagesCommand({
          ...(query.owners.length > 0 ? { Owners: [...query.owners] } : {}),
          ...(query.nameFilters.length > 0
            ? { Filters: [{ Name: 'name', Values: [...query.nameFilters] }] }
            : {}),
          IncludeDeprecated: true,
          MaxResults: pageSize,
          ...(query.nextToken ? { NextToken: query.nextToken } : {}),
        }),
      ),
    );
    return {
      items: (answer.Images ?? []).flatMap((i) => toCloudImage(i) ?? []),
      ...(answer.NextToken ? { nextToken: answer.NextToken } : {}),
    };
  }

  async listInstanceTypes(nextToken?: string): Promise<CloudPage<CloudInstanceType>> {
    const answer = await this.call(() =>
      this.clients.ec2.send(
        new DescribeInstanceTypesCommand({
          MaxResults: TYPE_PAGE_SIZE,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    return {
      items: (answer.InstanceTypes ?? []).flatMap((t) => toCloudInstanceType(t) ?? []),
      ...(answer.NextToken ? { nextToken: answer.NextToken } : {}),
    };
  }

  async describeImage(resourceUid: string): Promise<CloudImage | undefined> {
    try {
      const answer = await this.call(() =>
        this.clients.ec2.send(
          new DescribeImagesCommand({ ImageIds: [resourceUid], IncludeDeprecated: true }),
        ),
      );
      const image = (answer.Images ?? []).find((i) => i.ImageId === resourceUid);
      if (!image || image.State === 'deregistered') return undefined;
      return toCloudImage(image);
    } catch (error) {
      if (
        error instanceof CloudError &&
        (error.cloudCode === 'InvalidAMIID.NotFound' || error.cloudCode === 'InvalidAMIID.Unavailable')
      )
        return undefined;
      throw error;
    }
  }

  async launchPermissions(resourceUid: string): Promise<string[]> {
    const answer = await this.call(() =>
      this.clients.ec2.send(
        new DescribeImageAttributeCommand({ ImageId: resourceUid, Attribute: 'launchPermission' }),
      ),
    );
    const principals = (answer.LaunchPermissions ?? []).flatMap((p) => {
      if (p.Group === 'all') return ['all'];
      return [p.UserId, p.OrganizationArn, p.OrganizationalUnitArn].filter((x): x is string => Boolean(x));
    });
    return [...new Set(principals)];
  }

  async launch(request: LaunchRequest): Promise<CloudInstance> {
    const answer = await this.call(() =>
      this.clients.ec2.send(
        new RunInstancesCommand({
          ImageId: request.imageUid,
          InstanceType: request.instanceTypeUid as RunInstancesCommandInput['InstanceType'],
          MinCount: 1,
          MaxCount: 1,
          ClientToken: request.clientToken,
          ...(request.userData !== null
            ? { UserData: Buffer.from(request.userData, 'utf8').toString('base64') }
            : {}),
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: request.name }] }],
        }),
      ),
    );
    const instance = answer.Instances?.[0] && toCloudInstance(answer.Instances[0]);
    if (!instance)
      throw new CloudError('unavailable', 'InvalidResponse', 'RunInstances answered without an instance');
    return instance;
  }

  async describeInstances(instanceIds: readonly string[]): Promise<CloudInstance[]> {
    const found: CloudInstance[] = [];
    for (const batch of batches([...new Set(instanceIds)], INSTANCE_BATCH))
      found.push(...(await this.describeBatch(batch)));
    return found;
  }

  /**
   * One DescribeInstances over the ids (all pages). EC2 refuses the whole call when one id no
   * longer exists: the ids its message names are dropped and the rest asked again; when it names
   * none of them, each id is asked on its own.
   */
  private async describeBatch(ids: readonly string[]): Promise<CloudInstance[]> {
    if (ids.length === 0) return [];
    try {
      const found: CloudInstance[] = [];
      let nextToken: string | undefined;
      do {
        const answer = await this.call(() =>
          this.clients.ec2.send(
            new DescribeInstancesCommand({
              InstanceIds: [...ids],
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        );
        for (const reservation of answer.Reservations ?? [])
          for (const instance of reservation.Instances ?? []) {
            const mapped = toCloudInstance(instance);
            if (mapped && ids.includes(mapped.instanceId)) found.push(mapped);
          }
        nextToken = answer.NextToken;
      } while (nextToken);
      return found;
    } catch (error) {
      if (!isMissingInstance(error)) throw error;
      if (ids.length === 1) return [];
      const missing = missingIdsIn((error as CloudError).message, ids);
      if (missing.length > 0) return this.describeBatch(ids.filter((id) => !missing.includes(id)));
      const found: CloudInstance[] = [];
      for (const id of ids) found.push(...(await this.describeBatch([id])));
      return found;
    }
  }

  async terminate(instanceIds: readonly string[]): Promise<void> {
    for (const batch of batches([...new Set(instanceIds)], INSTANCE_BATCH)) await this.terminateBatch(batch);
  }

  /** TerminateInstances over the ids; ids the cloud no longer has are already gone (ignored). */
  private async terminateBatch(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.call(() => this.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [...ids] })));
    } catch (error) {
      if (!isMissingInstance(error)) throw error;
      if (ids.length === 1) return;
      const missing = missingIdsIn((error as CloudError).message, ids);
      if (missing.length > 0) return this.terminateBatch(ids.filter((id) => !missing.includes(id)));
      for (const id of ids) await this.terminateBatch([id]);
    }
  }
}

export function createAwsDriver(options: AwsDriverOptions): CloudDriver {
  return new AwsDriver(options);
}
