import { LIMITS, REVISION_ACTIONS } from '@mci/core';
import { z } from 'zod';
import {
  atLeastOneField,
  descriptionField,
  distinct,
  idFilter,
  idParam,
  MAX_INT32,
  nameField,
  NOT_BLANK_PATTERN,
  pageQuery,
  requiredText,
} from '../../http/common.schema.ts';

/** Schemas every revisioned kind shares (SPEC §2 revision fields, the common verbs' bodies). */

export const warningSchema = z
  .object({ code: z.string(), message: z.string(), cloudId: z.string().optional() })
  .meta({ id: 'Warning' });

export const tagsField = distinct(
  z.array(requiredText(LIMITS.tagLength)).max(LIMITS.tagsMax),
  'tags must not repeat',
);

export const actionsField = z
  .array(z.enum(REVISION_ACTIONS))
  .describe('What the caller may do with this revision, from their roles and its state');

/** Revision fields shared by MCIs and ServerTemplates (SPEC §2), with the caller's actions. */
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
  actions: actionsField,
};

export const accountParams = z.strictObject({ a: idParam });
export const revisionParams = z.strictObject({ a: idParam, id: idParam });

export const ifMatchHeader = z.looseObject({
  'if-match': z
    .string()
    .meta({ pattern: '^(\\*|(W/)?"[0-9]+")$' })
    .optional()
    .describe('ETag of a read, or * (412 if stale)'),
});

export const listRevisionsQuery = z.strictObject({
  ...pageQuery,
  q: requiredText(200).optional().describe('Text in the name'),
  lineageId: idFilter.optional(),
  revision: z.coerce.number().int().min(0).max(MAX_INT32).optional().describe('0 lists HEADs only'),
  cloudId: idFilter
    .optional()
    .describe('Only revisions that serve this cloud (MCIs: a setting for it; templates: it is supported)'),
});

export const patchRevisionBody = atLeastOneField(
  z.strictObject({ name: nameField, description: descriptionField, tags: tagsField }).partial(),
);

export const commitMessageField = z
  .string()
  .trim()
  .min(1, 'a commit needs a message')
  .max(LIMITS.descriptionLength)
  .meta({ pattern: NOT_BLANK_PATTERN });

export const cloneBody = z.strictObject({ name: nameField, description: descriptionField.optional() });

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

export const diffQuery = z.strictObject({
  against: idParam.describe('The revision to compare with (the "from" side)'),
});

/**
 * A conflict key: a cloud id, an MCI lineage id or a field name. `__proto__` is none of them, and
 * the JSON parser refuses it anyway (prototype poisoning), so the document says so.
 */
const resolutionKey = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^(?!__proto__$)[A-Za-z0-9_-]+$/,
    'is not a conflict key (a cloud id, an MCI lineage id or a field name)',
  );

export const mergeBody = z.strictObject({
  // Checked before the HEAD's If-Match: a malformed id is a 400, not a 412 or a 404.
  from: idFilter.describe('The revision to merge into this HEAD ("theirs")'),
  resolutions: z
    .record(resolutionKey, z.enum(['ours', 'theirs']))
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

/** A side of a diff: which revision. */
export const revisionRefSchema = z.object({
  id: z.string(),
  lineageId: z.string(),
  revision: z.number().int(),
  name: z.string(),
});

const change = <T extends z.ZodType>(t: T) => z.object({ from: t, to: t });
export { change as changeOf };

export const fieldChangesSchema = z.object({
  name: change(z.string()).optional(),
  description: change(z.string()).optional(),
  tags: change(z.array(z.string())).optional(),
});
