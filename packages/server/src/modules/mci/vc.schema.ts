import { z } from 'zod';
import { idParam } from '../../http/common.schema.ts';
import { settingSchema } from './mci.schema.ts';

const ref = z.object({ id: z.string(), resourceUid: z.string(), name: z.string() });
const change = <T extends z.ZodType>(t: T) => z.object({ from: t, to: t });
const side = z.object({
  id: z.string(),
  lineageId: z.string(),
  revision: z.number().int(),
  name: z.string(),
});

export const fieldChangesSchema = z.object({
  name: change(z.string()).optional(),
  description: change(z.string()).optional(),
  tags: change(z.array(z.string())).optional(),
});

export const mciDiffSchema = z
  .object({
    from: side.describe('The revision named by `against`'),
    to: side.describe('The revision in the path'),
    fields: fieldChangesSchema,
    clouds: z.array(
      z.object({
        cloudId: z.string(),
        cloudName: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        from: settingSchema.nullable(),
        to: settingSchema.nullable(),
        fields: z.object({
          image: change(ref).optional(),
          instanceType: change(ref).optional(),
          userData: change(z.string().nullable()).optional(),
        }),
      }),
    ),
  })
  .meta({ id: 'MciDiff' });

export const diffQuery = z.strictObject({
  against: idParam.describe('The revision to compare with (the "from" side)'),
});

export const mergeBody = z.strictObject({
  from: idParam.describe('The revision to merge into this HEAD ("theirs")'),
  resolutions: z
    .record(z.string(), z.enum(['ours', 'theirs']))
    .default({})
    .describe('One entry per conflict: a cloud id (MCIs), an MCI lineage id (templates), or a field name'),
});

export const conflictSchema = z
  .object({
    key: z.string(),
    kind: z.enum(['entry', 'field']),
    label: z.string().describe('The cloud name, MCI name or field name'),
    base: z.unknown(),
    ours: z.unknown(),
    theirs: z.unknown(),
  })
  .meta({ id: 'MergeConflict' });

export const mergeSummarySchema = z.object({
  baseId: z.string().nullable().describe('The common ancestor used, or null when there was none'),
  fromTheirs: z.array(z.string()).describe('Keys whose value came from the merged revision'),
  resolved: z.record(z.string(), z.enum(['ours', 'theirs'])),
});
