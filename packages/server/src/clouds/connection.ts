/**
 * How services reach a cloud (R-CLD-1/2): an account's credentials decrypted for one use, the
 * driver of a cloud for an account (or for the cloud's own public listing), a note of each use
 * on the credential, principals mapped back to accounts, and a cloud's refusal as a problem.
 *
 * Call clouds outside database transactions: a cloud call can take seconds, and
 * {@link noteCredentialUse} writes on `ctx.db` (on PGlite, from inside an open transaction of
 * the same connection, it would wait for that transaction forever).
 */
import {
  CloudError,
  CloudFailureError,
  ConflictError,
  type Cloud,
  type CloudDriver,
  type CloudType,
} from '@mci/core';
import { cloudCredentialRepository, type CloudCredentialRecord, type Executor } from '@mci/db';
import type { AppContext } from '../context.ts';
import { decryptSecret, SecretUnreadableError } from '../security/credential-crypto.ts';
import type { AwsSecret, CredentialsInUse, DriverTarget } from './drivers.ts';

/** The secret document stored encrypted (JSON), for every cloud type that uses access keys. */
export type StoredSecret = AwsSecret;

/** 409 `credentials_missing`: the account (or, for a cloud's own listing, no account) has none. */
export function credentialsMissing(cloudType: CloudType, accountId: string | null, cloudName?: string) {
  const where = cloudName ? ` for cloud "${cloudName}"` : '';
  return new ConflictError(
    'credentials_missing',
    accountId
      ? `Account ${accountId} has no ${cloudType} credentials${where}: an admin of the account adds them under cloud credentials`
      : `No account has ${cloudType} credentials${where}: an account admin adds them under cloud credentials`,
    { details: { cloudType, accountId } },
  );
}

/** 409 `credentials_unreadable`: the stored secret does not decrypt (the key changed), with why. */
export function credentialsUnreadable(record: CloudCredentialRecord, error: SecretUnreadableError) {
  return new ConflictError(
    'credentials_unreadable',
    `The ${record.cloudType} credentials of account ${record.accountId} cannot be read: ${error.message}`,
    {
      details: {
        cloudType: record.cloudType,
        accountId: record.accountId,
        credentialId: record.id,
        storedKeyId: error.storedKeyId,
      },
      cause: error,
    },
  );
}

/** 409 `no_driver`: the cloud's catalog is kept by hand (driver `none`). */
export function noDriver(cloud: Pick<Cloud, 'id' | 'name'>) {
  return new ConflictError(
    'no_driver',
    `Cloud "${cloud.name}" is not connected to a cloud (driver none): a superuser sets its driver first`,
    { details: { cloudId: cloud.id } },
  );
}

/**
 * A cloud's refusal or failure as the 502 `cloud_error` problem: the cloud's message and code
 * (`details.cloudCode`), prefixed with where it happened when given (e.g. the cloud's name).
 */
export function cloudErrorProblem(error: CloudError, where?: string): CloudFailureError {
  const prefix = where ? `${where}: ` : '';
  return new CloudFailureError('cloud_error', `${prefix}${error.message} (${error.cloudCode})`, {
    details: { cloudCode: error.cloudCode, cloudErrorKind: error.kind },
    cause: error,
  });
}

/** The secret of a stored credential decrypted for one use; 409 `credentials_unreadable` when it cannot be. */
export function openCredentials(
  ctx: Pick<AppContext, 'secretKey'>,
  record: CloudCredentialRecord,
): CredentialsInUse {
  let secret: StoredSecret;
  try {
    secret = JSON.parse(decryptSecret(ctx.secretKey, record.secret, record.id)) as StoredSecret;
  } catch (error) {
    if (error instanceof SecretUnreadableError) throw credentialsUnreadable(record, error);
    throw error;
  }
  return {
    id: record.id,
    accountId: record.accountId,
    cloudType: record.cloudType,
    principal: record.principal,
    secret,
    endpoint: record.endpoint ?? undefined,
    roleArn: record.roleArn ?? undefined,
  };
}

/**
 * An account's credentials for a cloud type, decrypted; null when it has none. Throws 409
 * `credentials_unreadable` when they were stored under another key.
 */
export async function credentialsFor(
  ctx: Pick<AppContext, 'secretKey'>,
  db: Executor,
  accountId: string,
  cloudType: CloudType,
): Promise<CredentialsInUse | null> {
  const record = await cloudCredentialRepository.findByAccountAndType(db, accountId, cloudType);
  return record ? openCredentials(ctx, record) : null;
}

/**
 * The credentials of a cloud's own listing (`cloud` sync scope): none for `simulated` (its
 * public catalog needs none); otherwise the earliest created readable credentials of any account
 * for that cloud type. 409 `credentials_missing` when no account has any, `credentials_unreadable`
 * when none of them can be read.
 */
export async function cloudScopeCredentials(
  ctx: Pick<AppContext, 'secretKey'>,
  db: Executor,
  cloud: Pick<Cloud, 'name' | 'cloudType' | 'driver'>,
): Promise<CredentialsInUse | null> {
  if (cloud.driver === 'simulated') return null;
  const records = await cloudCredentialRepository.listOfType(db, cloud.cloudType);
  if (records.length === 0) throw credentialsMissing(cloud.cloudType, null, cloud.name);
  let unreadable: unknown;
  for (const record of records) {
    try {
      return openCredentials(ctx, record);
    } catch (error) {
      unreadable ??= error;
    }
  }
  throw unreadable;
}

/**
 * The credential types that serve a cloud, preferred first: its own type; for a cloud of another
 * type driven by the simulated driver (the demo's AWS regions), the account's `simulated`
 * credentials first (the simulated cloud cannot check AWS keys), then its own type's.
 */
export function credentialTypesOf(cloud: Pick<Cloud, 'cloudType' | 'driver'>): CloudType[] {
  return cloud.driver === 'simulated' && cloud.cloudType !== 'simulated'
    ? ['simulated', cloud.cloudType]
    : [cloud.cloudType];
}

/**
 * An account's credentials for a cloud ({@link credentialTypesOf}: the first type it has), or
 * null. Throws 409 `credentials_unreadable` like {@link credentialsFor}.
 */
export async function accountCredentialsForCloud(
  ctx: Pick<AppContext, 'secretKey'>,
  db: Executor,
  accountId: string,
  cloud: Pick<Cloud, 'cloudType' | 'driver'>,
): Promise<CredentialsInUse | null> {
  for (const type of credentialTypesOf(cloud)) {
    const credentials = await credentialsFor(ctx, db, accountId, type);
    if (credentials) return credentials;
  }
  return null;
}

/**
 * The driver of a cloud seen with an account's credentials ({@link accountCredentialsForCloud}),
 * or (accountId null) with the cloud scope's ({@link cloudScopeCredentials}). 409 `no_driver` for driver `none`; with an account,
 * 409 `credentials_missing` when it has no credentials of the cloud's type, unless `optional`
 * (then the driver sees the cloud without credentials: public images only).
 */
export async function driverFor(
  ctx: Pick<AppContext, 'secretKey' | 'drivers'>,
  db: Executor,
  cloud: Cloud,
  accountId: string | null,
  opts: { optional?: boolean } = {},
): Promise<{ driver: CloudDriver; credentials: CredentialsInUse | null }> {
  if (cloud.driver === 'none') throw noDriver(cloud);
  let credentials: CredentialsInUse | null;
  if (accountId === null) {
    credentials = await cloudScopeCredentials(ctx, db, cloud);
  } else {
    credentials = await accountCredentialsForCloud(ctx, db, accountId, cloud);
    if (!credentials && !opts.optional) throw credentialsMissing(cloud.cloudType, accountId, cloud.name);
  }
  return { driver: makeDriver(ctx, cloud, credentials), credentials };
}

/** The context's driver factory, its own refusals (no driver, no credentials) as problems. */
export function makeDriver(
  ctx: Pick<AppContext, 'drivers'>,
  cloud: DriverTarget['cloud'] & { id?: string },
  credentials: CredentialsInUse | null,
): CloudDriver {
  try {
    return ctx.drivers({
      cloud: { name: cloud.name, region: cloud.region, cloudType: cloud.cloudType, driver: cloud.driver },
      credentials,
    });
  } catch (error) {
    if (error instanceof CloudError) {
      if (error.cloudCode === 'NoDriver') throw noDriver({ id: cloud.id ?? '', name: cloud.name });
      if (error.cloudCode === 'NoCredentials') throw credentialsMissing(cloud.cloudType, null, cloud.name);
      throw cloudErrorProblem(error, cloud.name);
    }
    throw error;
  }
}

/**
 * Records a use of credentials (last used; the error when it failed) in its own short statement
 * on `ctx.db`: call it after the transaction that used them, never inside one. A failure to
 * record is logged, never the caller's error.
 */
export async function noteCredentialUse(
  ctx: Pick<AppContext, 'db' | 'clock' | 'log'>,
  credentialId: string,
  error?: string,
): Promise<void> {
  try {
    await cloudCredentialRepository.noteUse(ctx.db, credentialId, ctx.clock(), error);
  } catch (failure) {
    ctx.log.warn({ err: failure, credentialId }, 'could not record the use of cloud credentials');
  }
}

/**
 * Runs one call (or a few) against a cloud with the given credentials: notes the use on them,
 * and turns a {@link CloudError} into the 502 `cloud_error` problem (noted as the last error).
 * Not inside a transaction (see {@link noteCredentialUse}).
 */
export async function callCloud<T>(
  ctx: Pick<AppContext, 'db' | 'clock' | 'log'>,
  credentials: CredentialsInUse | null,
  where: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await work();
    if (credentials) await noteCredentialUse(ctx, credentials.id);
    return result;
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    if (credentials) await noteCredentialUse(ctx, credentials.id, `${error.message} (${error.cloudCode})`);
    throw cloudErrorProblem(error, where);
  }
}

/**
 * R-CLD-2: which account each principal stands for (principals no account has are absent). Give
 * several cloud types (e.g. `credentialTypesOf(cloud)`) to match across them, the first type's
 * mapping winning.
 */
export async function accountsByPrincipal(
  db: Executor,
  cloudType: CloudType | readonly CloudType[],
  principals: readonly string[],
): Promise<Map<string, string>> {
  const types = typeof cloudType === 'string' ? [cloudType] : cloudType;
  const result = new Map<string, string>();
  for (const type of types) {
    const found = await cloudCredentialRepository.accountsByPrincipal(db, type, principals);
    for (const [principal, accountId] of found) if (!result.has(principal)) result.set(principal, accountId);
  }
  return result;
}
