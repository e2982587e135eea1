import { CATALOG_FORMATS, CPU_ARCHITECTURES, LIMITS } from '@mci/core';
import { z } from 'zod';
import { commitMessageField } from '../revision/revision.schema.ts';

/** Why an entry of a document gives no setting (the reader's reasons, then the importer's). */
export const IMPORT_SKIP_REASONS = [
  'not_supported',
  'not_an_image_id',
  'duplicate_image_id',
  'duplicate_region',
  'unsupported_platform',
  'unsupported_architecture',
  'unknown_region',
  'ambiguous_region',
  'image_not_in_catalog',
  'image_not_usable',
  'architecture_mismatch',
  'no_instance_type',
  'no_usable_entries',
] as const;

/** A document of up to 5 MB of text (JSON or YAML, as the file holds it). */
const MAX_DOCUMENT = 5_000_000;

export const catalogImportBody = z.strictObject({
  format: z.enum(CATALOG_FORMATS),
  document: z
    .string()
    .min(1)
    .max(MAX_DOCUMENT)
    .describe('the document as its file holds it: JSON or YAML text'),
  dryRun: z.boolean().default(true).describe('true (default): preview only, nothing is written'),
  commitMessage: commitMessageField
    .optional()
    .describe('commit each MCI that the import creates or changes, with this message'),
  namePrefix: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.nameLength - 80)
    .optional()
    .describe('MCIs are named "<prefix> <variant>" (default: the map, stream or product name)'),
  defaultInstanceTypes: z
    .partialRecord(z.enum(CPU_ARCHITECTURES), z.string().trim().min(1).max(255))
    .optional()
    .describe(
      'instance type (its cloud name, e.g. t3.micro) per architecture, where the document names none',
    ),
  mapName: z.string().min(1).max(255).optional().describe('cloudformation-mappings: the mapping to read'),
  platform: z.string().min(1).max(64).optional().describe('coreos-stream: the platform (default aws)'),
  version: z.string().min(1).max(255).optional().describe('simplestreams: a version instead of the newest'),
  product: z.string().min(1).max(1000).optional().describe('simplestreams: only this product'),
});

const settingPlan = z
  .object({
    region: z.string(),
    cloudId: z.string(),
    cloudName: z.string(),
    imageId: z.string(),
    resourceUid: z.string(),
    instanceTypeId: z.string(),
    instanceType: z.string(),
    change: z.enum(['add', 'replace', 'remove', 'keep']),
  })
  .meta({ id: 'CatalogImportSetting' });

export const catalogImportResult = z
  .object({
    format: z.enum(CATALOG_FORMATS),
    dryRun: z.boolean(),
    mcis: z.array(
      z.object({
        variant: z.string(),
        name: z.string(),
        /** Null in a preview of an MCI that would be created. */
        mciId: z.string().nullable(),
        action: z.enum(['create', 'update', 'unchanged']),
        version: z.string().nullable(),
        cpuArchitecture: z.enum(CPU_ARCHITECTURES).nullable(),
        settings: z.array(settingPlan),
        /** The revision the import committed (null: not committed, or a preview). */
        committedRevisionId: z.string().nullable(),
        committedRevision: z.number().int().nullable(),
      }),
    ),
    skipped: z.array(
      z.object({
        path: z.string(),
        variant: z.string().nullable(),
        region: z.string().nullable(),
        reason: z.enum(IMPORT_SKIP_REASONS),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: 'CatalogImportResult' });

export type CatalogImportBody = z.infer<typeof catalogImportBody>;
export type CatalogImportResult = z.infer<typeof catalogImportResult>;
