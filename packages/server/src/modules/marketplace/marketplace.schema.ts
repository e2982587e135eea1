import {
  INVITATION_STATES,
  LIMITS,
  PUBLICATION_KINDS,
  PUBLICATION_STATES,
  PUBLICATION_VISIBILITIES,
} from '@mci/core';
import { z } from 'zod';
import {
  descriptionField,
  idFilter,
  idParam,
  MAX_INT32,
  nameField,
  pageOf,
  pageQuery,
  requiredText,
} from '../../http/common.schema.ts';
import { mciSchema } from '../mci/mci.schema.ts';
import { templateSchema } from '../template/template.schema.ts';

export const publicationSchema = z
  .object({
    id: z.string(),
    publisherAccountId: z.string(),
    publisherName: z.string().describe('The publishing account’s name'),
    kind: z.enum(PUBLICATION_KINDS),
    sourceId: z.string(),
    lineageId: z.string(),
    revision: z.number().int(),
    name: z.string(),
    shortDescription: z.string(),
    longDescription: z.string(),
    revisionNotes: z.string(),
    categories: z.array(z.string()),
    visibility: z.enum(PUBLICATION_VISIBILITIES),
    groupIds: z.array(z.string()),
    cloudIds: z.array(z.string()),
    linkedPublicationIds: z.array(z.string()),
    state: z.enum(PUBLICATION_STATES),
    publishedAt: z.string(),
  })
  .meta({ id: 'Publication' });

export const publishBody = z.strictObject({
  sourceId: idParam.describe('A committed MCI or ServerTemplate revision of this account'),
  visibility: z.enum(PUBLICATION_VISIBILITIES),
  groupIds: z.array(idParam).max(100).default([]),
  shortDescription: requiredText(280),
  longDescription: descriptionField.default(''),
  revisionNotes: descriptionField.optional().describe('Defaults to the commit message'),
  categories: z.array(requiredText(LIMITS.tagLength)).max(20).default([]),
  strict: z
    .boolean()
    .default(false)
    .describe('Refuse (422) when any receiving account could not launch an image'),
});

export const preflightSchema = z
  .object({
    visibility: z.enum(PUBLICATION_VISIBILITIES),
    receivingAccounts: z.array(z.object({ id: z.string(), name: z.string() })),
    images: z.array(
      z.object({
        imageId: z.string(),
        resourceUid: z.string(),
        name: z.string(),
        cloudId: z.string(),
        cloudName: z.string(),
        visibility: z.string(),
        state: z.string(),
        ownerAccountId: z.string().nullable(),
        mciIds: z.array(z.string()),
        source: z
          .enum(['cloud', 'catalog'])
          .describe(
            "Where the launch permissions came from: the cloud, asked just now (private images whose owner or publisher has credentials for a connected cloud), or the catalog's copy",
          ),
        note: z
          .string()
          .nullable()
          .describe('Why the catalog was used (no credentials, cloud error…) or what the cloud changed'),
        launchPermissions: z.array(z.string()).describe('Accounts allowed to launch the private image'),
        unknownPrincipals: z
          .array(z.string())
          .describe('Principals the cloud allows that no account is known by (R-CLD-4)'),
      }),
    ),
    matrix: z.array(
      z.object({
        imageId: z.string(),
        cloudId: z.string(),
        accountId: z.string(),
        usable: z.boolean(),
        reason: z.enum(['private_not_shared', 'unavailable', 'deprecated']).nullable(),
      }),
    ),
    warnings: z.array(
      z.object({
        code: z.string(),
        message: z.string(),
        imageId: z.string().optional(),
        accountId: z.string().optional(),
        cloudId: z.string().optional(),
      }),
    ),
    gaps: z.number().int(),
    ok: z.boolean(),
  })
  .meta({ id: 'Preflight' });

export const recheckSchema = preflightSchema
  .extend({
    publicationId: z.string(),
    checkedAt: z.string(),
  })
  .meta({ id: 'PublicationRecheck' });

export const publishResultSchema = z
  .object({
    publication: publicationSchema,
    publishedAlong: z.array(publicationSchema),
    preflight: preflightSchema,
  })
  .meta({ id: 'PublishResult' });

export const marketplaceQuery = z.strictObject({
  ...pageQuery,
  q: requiredText(200).optional().describe('Text in the name or descriptions'),
  kind: z.enum(PUBLICATION_KINDS).optional(),
  category: requiredText(LIMITS.tagLength).optional(),
  publisher: idFilter.optional().describe('Publisher account id'),
  cloudId: idFilter.optional().describe('Only publications that support this cloud'),
  revision: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_INT32)
    .optional()
    .describe('A specific revision instead of each lineage’s newest'),
});

export const importBody = z.strictObject({ publicationId: idParam });
export const importedMciSchema = z
  .object({
    id: z.string().describe('The local, read-only MCI copy the template links'),
    name: z.string(),
    revision: z.number().int(),
    importedFrom: z.string().describe('The publication it was imported from'),
    created: z.boolean().describe('true when this import brought it along; false when the account had it'),
  })
  .meta({ id: 'ImportedMci' });

const importFields = {
  created: z.boolean().describe('false when the account already had this import (status 200)'),
  importedMcis: z
    .array(importedMciSchema)
    .describe('The MCI copies a template copy links: those it brought along and those already here'),
};

/** The imported revision as a read shows it (with `importedFrom`, its revision number), plus what came along. */
export const importResultSchema = z
  .discriminatedUnion('kind', [
    mciSchema.extend({ kind: z.literal('mci'), ...importFields }),
    templateSchema.extend({ kind: z.literal('server_template'), ...importFields }),
  ])
  .meta({ id: 'ImportResult' });

export const groupSchema = z
  .object({
    id: z.string(),
    ownerAccountId: z.string(),
    name: z.string(),
    description: z.string(),
    memberAccountIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .meta({ id: 'AccountGroup' });

export const invitationSchema = z
  .object({
    id: z.string(),
    groupId: z.string(),
    inviteeAccountId: z.string(),
    state: z.enum(INVITATION_STATES),
    expiresAt: z.string(),
    createdAt: z.string(),
    acceptedAt: z.string().nullable(),
  })
  .meta({ id: 'Invitation' });

export const createGroupBody = z.strictObject({ name: nameField, description: descriptionField.default('') });
export const inviteBody = z.strictObject({ accountId: idParam });

export const accountParams = z.strictObject({ a: idParam });
export const publicationParams = z.strictObject({ a: idParam, p: idParam });
export const groupParams = z.strictObject({ a: idParam, g: idParam });
export const invitationParams = z.strictObject({ a: idParam, g: idParam, invitationId: idParam });
export const memberParams = z.strictObject({ a: idParam, g: idParam, accountId: idParam });
export const acceptParams = z.strictObject({ b: idParam, code: z.string().min(1).max(100) });
export const listQuery = z.strictObject({ ...pageQuery });

export const publicationPage = pageOf(publicationSchema);
