import { LIMITS } from '@mci/core';
import { z } from 'zod';
import { descriptionField, idParam, nameField, pageOf, pageQuery } from '../../http/common.schema.ts';

export const warningSchema = z
  .object({ code: z.string(), message: z.string(), cloudId: z.string().optional() })
  .meta({ id: 'Warning' });

export const tagsField = z
  .array(z.string().trim().min(1).max(LIMITS.tagLength))
  .max(LIMITS.tagsMax)
  .refine((t) => new Set(t).size === t.length, 'tags must not repeat');

export const userDataField = z
  .string()
  .refine(
    (s) => Buffer.byteLength(s, 'utf8') <= LIMITS.userDataBytes,
    `must be at most ${LIMITS.userDataBytes} bytes`,
  )
  .nullable();

/** Revision fields shared by MCIs and ServerTemplates (SPEC §2). */
export const revisionFields = {
  id: z.string(),
  lineageId: z.string(),
  revision: z.number().int().describe('0 = HEAD (editable); 1..n = committed (immutable)'),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  accountId: z.string(),
  commitMessage: z.string().nullable(),
  committedBy: z.string().nullable(),
  committedAt: z.string().nullable(),
  baseRevision: z.number().int().nullable(),
  clonedFrom: z.string().nullable(),
  importedFrom: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const settingSchema = z
  .object({
    cloudId: z.string(),
    cloudName: z.string(),
    imageId: z.string(),
    imageResourceUid: z.string(),
    imageName: z.string(),
    imageState: z.string(),
    cpuArchitecture: z.string(),
    osFamily: z.string(),
    osVersion: z.string(),
    instanceTypeId: z.string(),
    instanceTypeResourceUid: z.string(),
    instanceTypeName: z.string(),
    userData: z.string().nullable(),
  })
  .meta({ id: 'MciSetting' });

export const mciSchema = z
  .object({ ...revisionFields, settings: z.array(settingSchema) })
  .meta({ id: 'Mci' });
export const mciWithWarningsSchema = mciSchema
  .extend({ warnings: z.array(warningSchema) })
  .meta({ id: 'MciWithWarnings' });

export const settingBody = z.strictObject({
  cloudId: idParam,
  imageId: idParam,
  instanceTypeId: idParam,
  userData: userDataField.optional(),
});
export type SettingInput = z.infer<typeof settingBody>;

export const putSettingBody = settingBody.omit({ cloudId: true });

export const createMciBody = z.strictObject({
  name: nameField,
  description: descriptionField.default(''),
  tags: tagsField.default([]),
  settings: z.array(settingBody).max(1000).default([]).describe('Optional settings to start with'),
});

export const patchMciBody = z
  .strictObject({ name: nameField, description: descriptionField, tags: tagsField })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');

export const commitBody = z.strictObject({
  message: z.string().trim().min(1, 'a commit needs a message').max(LIMITS.descriptionLength),
});

export const cloneBody = z.strictObject({ name: nameField, description: descriptionField.optional() });

export const listMcisQuery = z.strictObject({
  ...pageQuery,
  q: z.string().trim().min(1).max(200).optional().describe('Text in the name'),
  lineageId: idParam.optional(),
  revision: z.coerce.number().int().min(0).optional().describe('0 lists HEADs only'),
});

export const mciParams = z.strictObject({ a: idParam, id: idParam });
export const settingParams = z.strictObject({ a: idParam, id: idParam, cloudId: idParam });
export const accountParams = z.strictObject({ a: idParam });

export const revisionSummarySchema = z
  .object({
    id: z.string(),
    revision: z.number().int(),
    name: z.string(),
    commitMessage: z.string().nullable(),
    committedBy: z.string().nullable(),
    committedAt: z.string().nullable(),
    baseRevision: z.number().int().nullable(),
  })
  .meta({ id: 'RevisionSummary' });

export const lintSchema = z
  .object({ mciId: z.string(), warnings: z.array(warningSchema) })
  .meta({ id: 'LintResult' });

export const usageSchema = z
  .object({
    lineageId: z.string(),
    revisions: z.array(
      z.object({
        mciId: z.string(),
        revision: z.number().int(),
        templates: z.array(
          z.object({ templateId: z.string(), name: z.string(), revision: z.number().int() }),
        ),
        servers: z.array(
          z.object({ serverId: z.string(), name: z.string(), deploymentId: z.string(), cloudId: z.string() }),
        ),
      }),
    ),
  })
  .meta({ id: 'MciUsage' });

export const mciPage = pageOf(mciSchema);
