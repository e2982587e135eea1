import { z } from 'zod';
import {
  atLeastOneField,
  distinct,
  idParam,
  pageOf,
  pageQuery,
  requiredText,
} from '../../http/common.schema.ts';

/** The cloud types credentials can be registered for: those with a driver (R-CLD-1). */
export const CREDENTIAL_CLOUD_TYPES = ['aws', 'simulated'] as const;

const secretText = (max: number) => z.string().min(1).max(max);
const owners = distinct(z.array(requiredText(100)).max(50), 'owners must not repeat').describe(
  "Owners the account's own listing asks for: `self`, account ids, aliases (`amazon`)",
);
const nameFilters = distinct(z.array(requiredText(200)).max(50), 'name filters must not repeat').describe(
  'Image name patterns with `*` and `?`; empty: every name',
);
const endpoint = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(500)
  .describe('Endpoint override, e.g. an emulator such as moto (`http://127.0.0.1:5000`)');
const roleArn = requiredText(2048).describe('A role to assume with the keys before calling the cloud');

export const credentialSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    cloudType: z.enum(CREDENTIAL_CLOUD_TYPES),
    fingerprint: z.string().describe('A short hash of the keys: tells a rotation apart, shows no secret'),
    accessKeyHint: z.string().describe('The access key id with all but its ends hidden, e.g. `AKIA…WXYZ`'),
    endpoint: z.string().nullable(),
    roleArn: z.string().nullable(),
    principal: z
      .string()
      .nullable()
      .describe('R-CLD-2: who the cloud says the keys belong to (AWS account id)'),
    syncOwners: z.array(z.string()),
    syncNameFilters: z.array(z.string()),
    lastUsedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    createdAt: z.string(),
    rotatedAt: z.string().nullable(),
  })
  .meta({ id: 'CloudCredential' });

export const createCredentialBody = z.strictObject({
  cloudType: z.enum(CREDENTIAL_CLOUD_TYPES),
  accessKeyId: requiredText(128),
  secretAccessKey: secretText(1024).describe('Stored encrypted; never returned'),
  sessionToken: secretText(4096).optional().describe('For temporary keys; stored encrypted; never returned'),
  roleArn: roleArn.optional(),
  endpoint: endpoint.optional(),
  syncOwners: owners.default(['self']),
  syncNameFilters: nameFilters.default([]),
});

/**
 * A rotation: new keys (validated like new ones). The other fields keep their values when left
 * out; `null` clears `sessionToken`, `roleArn` and `endpoint`.
 */
export const rotateCredentialBody = z.strictObject({
  cloudType: z.enum(CREDENTIAL_CLOUD_TYPES).optional().describe("When given, must be the credential's"),
  accessKeyId: requiredText(128),
  secretAccessKey: secretText(1024),
  sessionToken: secretText(4096).optional(),
  roleArn: roleArn.nullable().optional(),
  endpoint: endpoint.nullable().optional(),
  syncOwners: owners.optional(),
  syncNameFilters: nameFilters.optional(),
});

/** The account's own listing (R-CLD-4), changed without entering the keys again. */
export const patchCredentialBody = atLeastOneField(
  z.strictObject({ syncOwners: owners, syncNameFilters: nameFilters }).partial(),
);

export const credentialParams = z.strictObject({ a: idParam, id: idParam });
export const credentialListParams = z.strictObject({ a: idParam });
export const listCredentialsQuery = z.strictObject({ ...pageQuery });
export const credentialPage = pageOf(credentialSchema);
