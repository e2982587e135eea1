import { LIMITS } from '@mci/core';
import { z } from 'zod';
import { descriptionField, idParam, nameField, pageOf } from '../../http/common.schema.ts';
import { commitMessageField, revisionFields, tagsField, warningSchema } from '../revision/revision.schema.ts';

export { warningSchema };

export const userDataField = z
  .string()
  .refine(
    (s) => Buffer.byteLength(s, 'utf8') <= LIMITS.userDataBytes,
    `must be at most ${LIMITS.userDataBytes} bytes`,
  )
  .nullable();

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

/** A replacement setting: the cloud is the path's; the body may repeat it (a read sent back). */
export const putSettingBody = settingBody.extend({
  cloudId: idParam.optional().describe("The path's cloud id, if repeated; a different one is refused (422)"),
});

export const createMciBody = z.strictObject({
  name: nameField,
  description: descriptionField.default(''),
  tags: tagsField.default([]),
  settings: z.array(settingBody).max(1000).default([]).describe('Optional settings to start with'),
});

export const commitMciBody = z.strictObject({ message: commitMessageField });

export const settingParams = z.strictObject({ a: idParam, id: idParam, cloudId: idParam });

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
