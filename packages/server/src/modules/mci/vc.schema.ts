import { z } from 'zod';
import { changeOf, fieldChangesSchema, revisionRefSchema } from '../revision/revision.schema.ts';
import { settingSchema } from './mci.schema.ts';

const ref = z.object({ id: z.string(), resourceUid: z.string(), name: z.string() });

export const mciDiffSchema = z
  .object({
    from: revisionRefSchema.describe('The revision named by `against`'),
    to: revisionRefSchema.describe('The revision in the path'),
    fields: fieldChangesSchema,
    clouds: z.array(
      z.object({
        cloudId: z.string(),
        cloudName: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        from: settingSchema.nullable(),
        to: settingSchema.nullable(),
        fields: z.object({
          image: changeOf(ref).optional(),
          instanceType: changeOf(ref).optional(),
          userData: changeOf(z.string().nullable()).optional(),
        }),
      }),
    ),
  })
  .meta({ id: 'MciDiff' });
