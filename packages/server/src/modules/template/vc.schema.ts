import { z } from 'zod';
import { fieldChangesSchema, revisionRefSchema } from '../revision/revision.schema.ts';

const linkRef = z.object({ mciId: z.string(), revision: z.number().int() });

export const templateDiffSchema = z
  .object({
    from: revisionRefSchema,
    to: revisionRefSchema,
    fields: fieldChangesSchema,
    defaultChanged: z
      .object({
        from: z.object({ mciLineageId: z.string(), mciName: z.string() }).nullable(),
        to: z.object({ mciLineageId: z.string(), mciName: z.string() }).nullable(),
      })
      .nullable(),
    links: z.array(
      z.object({
        mciLineageId: z.string(),
        mciName: z.string(),
        change: z.enum(['added', 'removed', 'revision_changed']),
        from: linkRef.nullable(),
        to: linkRef.nullable(),
      }),
    ),
  })
  .meta({ id: 'ServerTemplateDiff' });
