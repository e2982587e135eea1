import {
  CLOUD_DRIVERS,
  CLOUD_TYPES,
  CPU_ARCHITECTURES,
  IMAGE_STATES,
  IMAGE_VISIBILITIES,
  LIMITS,
} from '@mci/core';
import { z } from 'zod';
import {
  atLeastOneField,
  descriptionField,
  distinct,
  idFilter,
  idParam,
  nameField,
  pageOf,
  pageQuery,
  requiredText,
} from '../../http/common.schema.ts';

const shortText = z.string().trim().max(100);
const resourceUid = requiredText(LIMITS.resourceUidLength);
const accountIdList = distinct(
  z.array(idParam).max(LIMITS.launchPermissionsMax),
  'account ids must not repeat',
);

export const cloudSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    cloudType: z.enum(CLOUD_TYPES),
    region: z.string(),
    description: z.string(),
    driver: z
      .enum(CLOUD_DRIVERS)
      .describe('How the service talks to the cloud; `none`: catalog kept by hand'),
    sync: z
      .object({
        owners: z.array(z.string()),
        nameFilters: z.array(z.string()),
        intervalSeconds: z.number().int().nullable(),
      })
      .describe('What a sync lists (R-CLD-3) and how often it runs on its own'),
    lastSyncedAt: z.string().nullable(),
  })
  .meta({ id: 'Cloud' });

const syncOwners = distinct(z.array(requiredText(100)).max(50), 'owners must not repeat').describe(
  'Owners a sync lists: `amazon`, `self`, account ids; empty: no public listing',
);
const syncNameFilters = distinct(z.array(requiredText(200)).max(50), 'name filters must not repeat').describe(
  'Image name patterns with `*` and `?` (e.g. `al2023-ami-*`); empty: every name',
);
const syncInterval = z
  .number()
  .int()
  .min(60)
  .max(366 * 24 * 3600)
  .nullable()
  .describe('A scheduled sync every so many seconds (at least 60); null: only on request');

/** What a sync of the cloud lists and how often it runs on its own (R-CLD-3). */
export const cloudSyncBody = z.strictObject({
  owners: syncOwners.optional(),
  nameFilters: syncNameFilters.optional(),
  intervalSeconds: syncInterval.optional(),
});

export const createCloudBody = z.strictObject({
  name: nameField.describe('Unique, e.g. "AWS us-east-1"'),
  cloudType: z.enum(CLOUD_TYPES),
  region: requiredText(100),
  description: descriptionField.default(''),
  driver: z
    .enum(CLOUD_DRIVERS)
    .optional()
    .describe("Default: the cloud type's own driver where there is one (`aws`, `simulated`), else `none`"),
  sync: cloudSyncBody.optional(),
});

export const patchCloudBody = atLeastOneField(
  z
    .strictObject({
      description: descriptionField,
      driver: z.enum(CLOUD_DRIVERS),
      sync: cloudSyncBody,
    })
    .partial(),
);

export const listCloudsQuery = z.strictObject({
  ...pageQuery,
  q: requiredText(200).optional().describe('Text in the cloud name'),
  cloudType: z.enum(CLOUD_TYPES).optional(),
});

export const cloudParams = z.strictObject({ c: idParam });
export const imageParams = z.strictObject({ c: idParam, id: idParam });

export const imageSchema = z
  .object({
    id: z.string(),
    cloudId: z.string(),
    resourceUid: z.string(),
    name: z.string(),
    description: z.string(),
    osFamily: z.string(),
    osVersion: z.string(),
    cpuArchitecture: z.enum(CPU_ARCHITECTURES),
    virtualizationType: z.string(),
    rootDeviceType: z.string(),
    visibility: z.enum(IMAGE_VISIBILITIES),
    ownerAccountId: z.string().nullable(),
    launchPermissions: z.array(z.string()),
    state: z.enum(IMAGE_STATES),
    deprecatedAt: z.string().nullable(),
    replacementImageId: z.string().nullable(),
    unavailableReason: z.string().nullable().describe('Why the image is unavailable, e.g. `deregistered`'),
    unavailableAt: z.string().nullable(),
    ownerPrincipal: z.string().nullable().describe('The cloud principal owning the image (AWS account id)'),
    unknownPrincipals: z
      .array(z.string())
      .describe('Launch-permission principals the cloud reports that no account is known by'),
    syncScope: z
      .string()
      .nullable()
      .describe('`cloud` or `account:<id>`: the sync that keeps this image; null when registered by hand'),
  })
  .meta({ id: 'Image' });

export const createImageBody = z.strictObject({
  resourceUid: resourceUid.describe('The cloud provider id, e.g. "ami-0abc…"; unique per cloud'),
  name: nameField,
  description: descriptionField.default(''),
  osFamily: shortText.default(''),
  osVersion: shortText.default(''),
  cpuArchitecture: z.enum(CPU_ARCHITECTURES),
  virtualizationType: shortText.default(''),
  rootDeviceType: shortText.default(''),
  visibility: z.enum(IMAGE_VISIBILITIES),
  ownerAccountId: idParam.optional().describe('Required for private images: the account that owns it'),
  launchPermissions: accountIdList.default([]).describe('Accounts allowed to launch a private image'),
  state: z.enum(IMAGE_STATES).default('available'),
  replacementImageId: idParam.optional(),
});

export const bulkImagesBody = z.strictObject({
  images: z.array(createImageBody).min(1).max(LIMITS.bulkImagesMax),
});

export const patchImageBody = atLeastOneField(
  z
    .strictObject({
      name: nameField,
      description: descriptionField,
      osFamily: shortText,
      osVersion: shortText,
      virtualizationType: shortText,
      rootDeviceType: shortText,
      launchPermissions: accountIdList,
      state: z.enum(IMAGE_STATES),
      replacementImageId: idParam.nullable(),
    })
    .partial(),
);

export const listImagesQuery = z.strictObject({
  ...pageQuery,
  q: requiredText(200).optional().describe('Text in the name or resourceUid'),
  osFamily: shortText.optional(),
  osVersion: shortText.optional(),
  cpuArchitecture: z.enum(CPU_ARCHITECTURES).optional(),
  visibility: z.enum(IMAGE_VISIBILITIES).optional(),
  state: z.enum(IMAGE_STATES).optional(),
  usableBy: idFilter.optional().describe('Only images this account can launch (it must be yours)'),
});

export const instanceTypeSchema = z
  .object({
    id: z.string(),
    cloudId: z.string(),
    resourceUid: z.string(),
    name: z.string(),
    cpuCount: z.number().int(),
    memoryMb: z.number().int(),
    cpuArchitectures: z.array(z.enum(CPU_ARCHITECTURES)),
  })
  .meta({ id: 'InstanceType' });

export const createInstanceTypeBody = z.strictObject({
  resourceUid: resourceUid.describe('e.g. "m5.large"; unique per cloud'),
  name: nameField,
  cpuCount: z.number().int().min(1).max(10_000),
  memoryMb: z.number().int().min(1).max(100_000_000),
  cpuArchitectures: distinct(z.array(z.enum(CPU_ARCHITECTURES)).min(1), 'architectures must not repeat'),
});

export const listInstanceTypesQuery = z.strictObject({
  ...pageQuery,
  q: requiredText(200).optional(),
  cpuArchitecture: z.enum(CPU_ARCHITECTURES).optional(),
});

export const instanceTypeParams = z.strictObject({ c: idParam, id: idParam });

export const cloudPage = pageOf(cloudSchema);
export const imagePage = pageOf(imageSchema);
export const instanceTypePage = pageOf(instanceTypeSchema);
