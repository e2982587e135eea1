import { z } from 'zod';
import { fieldChangesSchema } from '../mci/vc.schema.ts';

const side = z.object({
  id: z.string(),
  lineageId: z.string(),
  revision: z.number().int(),
  name: z.string(),
});
const linkRef = z.object({ mciId: z.string(), revision: z.number().int() });

export const templateDiffSchema = z
  .object({
    from: side,
    to: side,
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
