import { createHash } from 'node:crypto';
import {
  authorizeAccount,
  CloudError,
  accessKeyHint,
  ConflictError,
  decodeCursor,
  InputError,
  NotFoundError,
  toPage,
  type Cloud,
  type Page,
  type Principal,
} from '@mci/core';
import {
  catalogRepository,
  cloudCredentialRepository,
  identityRepository,
  newCloudCredentialId,
  type CloudCredentialRecord,
  type Executor,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import {
  makeDriver,
  noteCredentialUse,
  openCredentials,
  type StoredSecret,
} from '../../clouds/connection.ts';
import type { CredentialsInUse, DriverTarget } from '../../clouds/drivers.ts';
import { encryptSecret } from '../../security/credential-crypto.ts';
import { mutate } from '../../unit-of-work.ts';
import type { CREDENTIAL_CLOUD_TYPES } from './credentials.schema.ts';

export type CredentialCloudType = (typeof CREDENTIAL_CLOUD_TYPES)[number];

/** What an admin registers (R-CLD-1), transport-free. */
export interface CreateCredentialInput {
  cloudType: CredentialCloudType;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  roleArn?: string;
  endpoint?: string;
  syncOwners: string[];
  syncNameFilters: string[];
}

/** A rotation: new keys; the rest kept unless given (`null` clears). */
export interface RotateCredentialInput {
  cloudType?: CredentialCloudType;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  roleArn?: string | null;
  endpoint?: string | null;
  syncOwners?: string[];
  syncNameFilters?: string[];
}

/** A credential as every read shows it: no secret, ever (R-CLD-1). */
export type CredentialView = Omit<CloudCredentialRecord, 'secret' | 'createdBy' | 'cloudType'> & {
  cloudType: CredentialCloudType;
};

export function toCredentialView(r: CloudCredentialRecord): CredentialView {
  const { secret: _secret, createdBy: _createdBy, ...view } = r;
  return { ...view, cloudType: r.cloudType as CredentialCloudType };
}

/**
 * A short hash of the keys, so two versions of the credentials can be told apart without
 * showing either: the first 16 hex digits of SHA-256 over the access key id and the secret.
 */
export function credentialFingerprint(secret: StoredSecret): string {
  const hash = createHash('sha256')
    .update(`${secret.accessKeyId}\0${secret.secretAccessKey}\0${secret.sessionToken ?? ''}`)
    .digest('hex');
  return `sha256:${hash.slice(0, 16)}`;
}

/**
 * The cloud the keys are checked against: a cloud of that type driven by that type's driver
 * (its region), else AWS's default region (who-am-I does not depend on the region).
 */
async function validationTarget(
  db: Executor,
  cloudType: CredentialCloudType,
): Promise<DriverTarget['cloud']> {
  const clouds = await catalogRepository.listClouds(db, { cloudType, limit: 20 });
  const cloud: Cloud | undefined = clouds.find((c) => c.driver === cloudType);
  if (cloud) return cloud;
  return {
    name: cloudType === 'aws' ? 'AWS' : 'Simulated',
    region: 'us-east-1',
    cloudType,
    driver: cloudType,
  };
}

/**
 * R-CLD-1/2: asks the cloud who the keys belong to. A refusal (or an endpoint that does not
 * answer) is a 422 `credentials_invalid` with the cloud's message and code; nothing is stored.
 */
async function whoAmI(ctx: AppContext, credentials: CredentialsInUse): Promise<string> {
  const target = await validationTarget(ctx.db, credentials.cloudType as CredentialCloudType);
  try {
    const driver = makeDriver(ctx, target, credentials);
    return (await driver.whoAmI()).principal;
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    throw new InputError(
      'credentials_invalid',
      `The cloud refused the ${credentials.cloudType} credentials: ${error.message} (${error.cloudCode})`,
      { details: { cloudCode: error.cloudCode, cloudErrorKind: error.kind } },
    );
  }
}

function secretOf(input: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}): StoredSecret {
  return {
    accessKeyId: input.accessKeyId,
    secretAccessKey: input.secretAccessKey,
    ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}),
  };
}

async function requireCredential(db: Executor, accountId: string, id: string, forUpdate = false) {
  const record = forUpdate
    ? await cloudCredentialRepository.findForUpdate(db, id)
    : await cloudCredentialRepository.find(db, id);
  if (!record || record.accountId !== accountId) throw new NotFoundError('cloud credential', id);
  return record;
}

/** 409: one set of credentials per account and cloud type; a PUT on it is the rotation. */
function alreadyExists(accountId: string, cloudType: string) {
  return new ConflictError(
    'already_exists',
    `Account ${accountId} already has ${cloudType} credentials: replace them (PUT) to rotate`,
    { errors: [{ path: 'cloudType', message: `${cloudType} credentials exist` }] },
  );
}

function describe(
  record: Pick<CloudCredentialRecord, 'cloudType' | 'accessKeyHint' | 'fingerprint' | 'principal'>,
) {
  return `${record.cloudType} credentials (key ${record.accessKeyHint}, ${record.fingerprint}, principal ${record.principal ?? 'unknown'})`;
}

export async function createCredential(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: CreateCredentialInput,
): Promise<CredentialView> {
  authorizeAccount(principal, accountId, 'credentials.manage');
  if (!(await identityRepository.findAccount(ctx.db, accountId)))
    throw new NotFoundError('account', accountId);
  // Cheap refusal before asking the cloud; the unique index decides a race.
  if (await cloudCredentialRepository.findByAccountAndType(ctx.db, accountId, input.cloudType))
    throw alreadyExists(accountId, input.cloudType);
  const id = newCloudCredentialId();
  const secret = secretOf(input);
  const cloudPrincipal = await whoAmI(ctx, {
    id,
    accountId,
    cloudType: input.cloudType,
    principal: null,
    secret,
    endpoint: input.endpoint,
    roleArn: input.roleArn,
  });
  return mutate(ctx, principal, async ({ tx, audit, now }) => {
    const record = await cloudCredentialRepository.insert(tx, {
      id,
      accountId,
      cloudType: input.cloudType,
      secret: encryptSecret(ctx.secretKey, JSON.stringify(secret), id),
      fingerprint: credentialFingerprint(secret),
      accessKeyHint: accessKeyHint(input.accessKeyId),
      endpoint: input.endpoint ?? null,
      roleArn: input.roleArn ?? null,
      principal: cloudPrincipal,
      syncOwners: input.syncOwners,
      syncNameFilters: input.syncNameFilters,
      createdBy: principal.userId,
    });
    // The use that validated them.
    const used = await cloudCredentialRepository.update(tx, id, { lastUsedAt: now });
    audit({
      accountId,
      action: 'cloud_credential.create',
      targetType: 'cloud_credential',
      targetId: record.id,
      summary: `added ${describe(record)}`,
    });
    return toCredentialView(used);
  });
}

export async function listCredentials(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<CredentialView>> {
  authorizeAccount(principal, accountId, 'credentials.manage');
  const after = query.cursor ? decodeCursor(query.cursor, 2).map(String) : undefined;
  // One row per cloud type: the whole list is a handful of rows.
  const rows = (await cloudCredentialRepository.listForAccount(ctx.db, accountId)).filter(
    (r) => !after || r.cloudType > after[0] || (r.cloudType === after[0] && r.id > after[1]),
  );
  return toPage(rows.slice(0, query.limit + 1).map(toCredentialView), query.limit, (r) => [
    r.cloudType,
    r.id,
  ]);
}

export async function getCredential(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
): Promise<CredentialView> {
  authorizeAccount(principal, accountId, 'credentials.manage');
  return toCredentialView(await requireCredential(ctx.db, accountId, id));
}

/**
 * Rotation (R-CLD-1): new keys replace the old ones after the cloud accepted them; the principal
 * is read again (R-CLD-2) and the last error forgotten. Works whether or not the old secret can
 * still be read (a rotation is how credentials unreadable after a key change are repaired).
 */
export async function rotateCredential(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: RotateCredentialInput,
): Promise<CredentialView> {
  authorizeAccount(principal, accountId, 'credentials.manage');
  const current = await requireCredential(ctx.db, accountId, id);
  if (input.cloudType && input.cloudType !== current.cloudType) {
    throw new InputError(
      'cloud_type_mismatch',
      `Credential ${id} is for ${current.cloudType}; add ${input.cloudType} credentials with POST instead`,
      { errors: [{ path: 'cloudType', message: `must be ${current.cloudType}` }] },
    );
  }
  const secret = secretOf(input);
  const endpoint = input.endpoint === undefined ? current.endpoint : input.endpoint;
  const roleArn = input.roleArn === undefined ? current.roleArn : input.roleArn;
  const cloudPrincipal = await whoAmI(ctx, {
    id,
    accountId,
    cloudType: current.cloudType,
    principal: null,
    secret,
    endpoint: endpoint ?? undefined,
    roleArn: roleArn ?? undefined,
  });
  return mutate(ctx, principal, async ({ tx, audit, now }) => {
    const before = await requireCredential(tx, accountId, id, true);
    const record = await cloudCredentialRepository.update(tx, id, {
      secret: encryptSecret(ctx.secretKey, JSON.stringify(secret), id),
      fingerprint: credentialFingerprint(secret),
      accessKeyHint: accessKeyHint(input.accessKeyId),
      endpoint,
      roleArn,
      principal: cloudPrincipal,
      lastError: null,
      ...(input.syncOwners ? { syncOwners: input.syncOwners } : {}),
      ...(input.syncNameFilters ? { syncNameFilters: input.syncNameFilters } : {}),
      rotatedAt: now,
      lastUsedAt: now,
      lastErrorAt: null,
    });
    const principalNote =
      before.principal !== record.principal
        ? `; the principal changed from ${before.principal ?? 'unknown'} to ${record.principal}`
        : '';
    audit({
      accountId,
      action: 'cloud_credential.rotate',
      targetType: 'cloud_credential',
      targetId: id,
      summary: `rotated ${describe(before)} to key ${record.accessKeyHint}, ${record.fingerprint}${principalNote}`,
    });
    return toCredentialView(record);
  });
}

/**
 * Changes what the account's own listing asks the cloud for (R-CLD-4: owners, name filters)
 * without touching the keys. An edit that changes nothing writes nothing.
 */
export async function updateCredentialSync(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  patch: { syncOwners?: string[]; syncNameFilters?: string[] },
): Promise<CredentialView> {
  authorizeAccount(principal, accountId, 'credentials.manage');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const current = await requireCredential(tx, accountId, id, true);
    const owners = patch.syncOwners ?? current.syncOwners;
    const names = patch.syncNameFilters ?? current.syncNameFilters;
    if (
      JSON.stringify(owners) === JSON.stringify(current.syncOwners) &&
      JSON.stringify(names) === JSON.stringify(current.syncNameFilters)
    )
      return toCredentialView(current);
    const record = await cloudCredentialRepository.update(tx, id, {
      syncOwners: owners,
      syncNameFilters: names,
    });
    audit({
      accountId,
      action: 'cloud_credential.sync',
      targetType: 'cloud_credential',
      targetId: id,
      summary: `the ${record.cloudType} listing of the account asks for owners [${owners.join(', ')}], names [${names.join(', ')}]`,
    });
    return toCredentialView(record);
  });
}

/**
 * Checks stored credentials: decrypts them (409 `credentials_unreadable` after a key change) and
 * asks the cloud who they belong to (422 `credentials_invalid` when it refuses, recorded as the
 * last error), refreshing the principal.
 */
export async function checkCredential(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
): Promise<CredentialView> {
  authorizeAccount(principal, accountId, 'credentials.manage');
  const record = await requireCredential(ctx.db, accountId, id);
  let credentials: CredentialsInUse;
  try {
    credentials = openCredentials(ctx, record);
  } catch (error) {
    await noteCredentialUse(ctx, id, (error as Error).message);
    throw error;
  }
  let cloudPrincipal: string;
  try {
    cloudPrincipal = await whoAmI(ctx, credentials);
  } catch (error) {
    await noteCredentialUse(ctx, id, (error as Error).message);
    throw error;
  }
  return mutate(ctx, principal, async ({ tx, now, audit }) => {
    const before = await requireCredential(tx, accountId, id, true);
    const updated = await cloudCredentialRepository.update(tx, id, {
      principal: cloudPrincipal,
      lastUsedAt: now,
    });
    if (before.principal !== cloudPrincipal) {
      audit({
        accountId,
        action: 'cloud_credential.principal',
        targetType: 'cloud_credential',
        targetId: id,
        summary: `the ${record.cloudType} principal changed from ${before.principal ?? 'unknown'} to ${cloudPrincipal}`,
      });
    }
    return toCredentialView(updated);
  });
}

/** Deleting stops syncs and launches that need them with `credentials_missing` (R-CLD-1). */
export async function deleteCredential(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
): Promise<void> {
  authorizeAccount(principal, accountId, 'credentials.manage');
  await mutate(ctx, principal, async ({ tx, audit }) => {
    const record = await requireCredential(tx, accountId, id, true);
    await cloudCredentialRepository.delete(tx, id);
    audit({
      accountId,
      action: 'cloud_credential.delete',
      targetType: 'cloud_credential',
      targetId: id,
      summary: `deleted ${describe(record)}`,
    });
  });
}
