import { z } from 'zod';
import { descriptionField, idParam, nameField, pageOf } from '../../http/common.schema.ts';
import { settingBody } from '../mci/mci.schema.ts';
import { commitMessageField, revisionFields, tagsField, warningSchema } from '../revision/revision.schema.ts';

export const linkSchema = z
  .object({
    id: z.string(),
    mciId: z.string(),
    mciLineageId: z.string(),
    mciName: z.string(),
    mciRevision: z.number().int(),
    isDefault: z.boolean(),
    position: z.number().int(),
    newerRevision: z
      .object({ mciId: z.string(), revision: z.number().int() })
      .nullable()
      .describe('R-VC-3: a newer committed revision of this MCI in the account (HEAD templates only)'),
    newerInMarketplace: z
      .object({ publicationId: z.string(), revision: z.number().int() })
      .nullable()
      .optional()
      .describe(
        'R-VC-3: for an imported MCI, a newer active revision in the marketplace (on reads of a HEAD template)',
      ),
  })
  .meta({ id: 'MciLink' });

export const templateSchema = z
  .object({ ...revisionFields, links: z.array(linkSchema) })
  .meta({ id: 'ServerTemplate' });
export const templateWithWarningsSchema = templateSchema
  .extend({ warnings: z.array(warningSchema) })
  .meta({ id: 'ServerTemplateWithWarnings' });

export const createTemplateBody = z.strictObject({
  name: nameField,
  description: descriptionField.default(''),
  tags: tagsField.default([]),
  mciIds: z
    .array(idParam)
    .max(100)
    .default([])
    .describe('MCI revisions to link, in order; the first is the default'),
});

export const linkBody = z.strictObject({ mciId: idParam });

export const commitTemplateBody = z.strictObject({
  message: commitMessageField,
  commitHeadDependencies: z
    .boolean()
    .default(false)
    .describe('First commit every linked HEAD MCI with the same message and re-point the links'),
});

export const linkParams = z.strictObject({ a: idParam, id: idParam, linkId: idParam });

export const supportedCloudSchema = z
  .object({
    cloudId: z.string(),
    cloudName: z.string(),
    mciId: z.string().describe('The MCI a new server in this cloud inherits from (R-SRV-2)'),
    linkId: z.string(),
    coveredBy: z.array(z.string()).describe('Every linked MCI with a setting for this cloud, by position'),
  })
  .meta({ id: 'SupportedCloud' });

export const templatePage = pageOf(templateSchema);

/** `template push`: a ServerTemplate as code, applied in one call (SPEC R-ST-4 via the kernel). */
export const applyTemplateBody = z.strictObject({
  name: nameField,
  description: descriptionField.default(''),
  tags: tagsField.default([]),
  mcis: z
    .array(
      z.union([
        z.strictObject({ mciId: idParam.describe('An existing MCI revision of the account to link') }),
        z.strictObject({
          publicationId: idParam.describe('A published MCI: its copy in the account (imported when missing)'),
        }),
        z.strictObject({
          name: nameField.describe('The HEAD MCI of this name is made to match (created when missing)'),
          description: descriptionField.default(''),
          tags: tagsField.default([]),
          settings: z.array(settingBody).max(1000),
        }),
      ]),
    )
    .min(1, 'a template links at least one MCI')
    .max(100)
    .describe('In link order; the first is the default'),
  dryRun: z.boolean().default(false).describe('Compute the changes, write nothing'),
});

export const applyTemplateResult = z
  .object({
    template: templateSchema.nullable().describe('After the change; null on a dry run'),
    templateId: z.string().nullable(),
    created: z.boolean(),
    changes: z
      .array(z.string())
      .describe('What was (or, on a dry run, would be) changed; empty when nothing'),
    warnings: z.array(warningSchema),
    dryRun: z.boolean(),
  })
  .meta({ id: 'TemplateApplyResult' });
