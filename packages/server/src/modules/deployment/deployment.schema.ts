import { SERVER_ACTIONS, SERVER_STATES } from '@mci/core';
import { z } from 'zod';
import {
  atLeastOneField,
  descriptionField,
  idFilter,
  idParam,
  nameField,
  pageOf,
  pageQuery,
} from '../../http/common.schema.ts';
import { userDataField, warningSchema } from '../mci/mci.schema.ts';

export const deploymentSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Deployment' });

export const createDeploymentBody = z.strictObject({
  name: nameField,
  description: descriptionField.default(''),
});
export const patchDeploymentBody = atLeastOneField(
  z.strictObject({ name: nameField, description: descriptionField }).partial(),
);

const inheritedFrom = z.enum(['server_template', 'mci', 'user']);

export const launchSpecSchema = z
  .object({ imageId: z.string(), instanceTypeId: z.string(), userData: z.string().nullable() })
  .meta({ id: 'LaunchSpec' });

export const serverSchema = z
  .object({
    id: z.string(),
    deploymentId: z.string(),
    accountId: z.string(),
    name: z.string(),
    cloudId: z.string(),
    serverTemplateId: z.string(),
    mciId: z.string(),
    imageId: z.string(),
    instanceTypeId: z.string(),
    userData: z.string().nullable(),
    inheritedSource: z.object({ mci: inheritedFrom, image: inheritedFrom, instanceType: inheritedFrom }),
    state: z
      .enum(SERVER_STATES)
      .describe('Set only by launch, terminate and the reconciler (R-LCH-4): clients never set it'),
    stateReason: z
      .string()
      .nullable()
      .describe(
        'Why the server is in its state when the cloud decided it (a vanished instance, a refused launch)',
      ),
    stateChangedAt: z.string().nullable(),
    providerInstanceId: z
      .string()
      .nullable()
      .describe('The cloud’s instance of the current (or last) launch'),
    launchedAt: z.string().nullable(),
    launchCount: z.number().int(),
    current: launchSpecSchema
      .nullable()
      .describe('What the instance that runs now was launched with; null while nothing runs (R-LCH-4)'),
    next: launchSpecSchema.describe(
      'What the next launch will use: the pinned image, instance type and user data',
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
    actions: z
      .array(z.enum(SERVER_ACTIONS))
      .describe('What the caller may do with this server, from their roles and its state'),
  })
  .meta({ id: 'Server' });

export const serverWithWarningsSchema = serverSchema
  .extend({ warnings: z.array(warningSchema) })
  .meta({ id: 'ServerWithWarnings' });

export const createServerBody = z.strictObject({
  name: nameField,
  serverTemplateId: idParam,
  cloudId: idParam,
  mciId: idParam.optional().describe('One of the template’s linked MCIs; default: the template’s choice'),
  imageId: idParam.optional().describe('Overrides the MCI’s image for this cloud'),
  instanceTypeId: idParam.optional().describe('Overrides the MCI’s instance type for this cloud'),
  userData: userDataField.optional(),
});

export const patchServerBody = atLeastOneField(
  z
    .strictObject({
      name: nameField,
      mciId: idParam.describe(
        'Another MCI with a setting for the server’s cloud; image and type are re-resolved',
      ),
      imageId: idParam.describe('Any usable image in the server’s cloud'),
      instanceTypeId: idParam,
      userData: userDataField,
    })
    .partial(),
);

export const accountParams = z.strictObject({ a: idParam });
export const deploymentParams = z.strictObject({ a: idParam, d: idParam });
export const serverParams = z.strictObject({ a: idParam, d: idParam, s: idParam });
export const listQuery = z.strictObject({ ...pageQuery });
export const listServersQuery = z.strictObject({ ...pageQuery, cloudId: idFilter.optional() });

export const deploymentPage = pageOf(deploymentSchema);
export const serverPage = pageOf(serverSchema);
