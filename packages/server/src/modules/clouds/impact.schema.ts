import { IMAGE_STATES } from '@mci/core';
import { z } from 'zod';
import { pageQuery } from '../../http/common.schema.ts';

const revisionRef = {
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  lineageId: z.string(),
  revision: z.number().int().describe('0 = HEAD'),
};

export const impactSchema = z
  .object({
    mcis: z.array(z.object({ ...revisionRef, imageId: z.string(), cloudId: z.string() })),
    templates: z.array(
      z.object({
        ...revisionRef,
        mciIds: z.array(z.string()).describe('The linked MCI revisions that use the image'),
        imageIds: z.array(z.string()),
      }),
    ),
    servers: z.array(
      z.object({
        id: z.string(),
        accountId: z.string(),
        name: z.string(),
        deploymentId: z.string(),
        state: z.string(),
        imageId: z.string(),
        running: z.boolean().describe('What runs now uses the image'),
        next: z.boolean().describe('The next launch uses the image'),
      }),
    ),
    publications: z.array(
      z.object({
        ...revisionRef,
        kind: z.string(),
        sourceId: z.string(),
        visibility: z.string(),
        groupIds: z.array(z.string()),
        state: z.string(),
        imageIds: z.array(z.string()),
      }),
    ),
    hiddenCount: z
      .number()
      .int()
      .describe("Items of accounts the reader is not in, counted only (their names are another account's)"),
  })
  .meta({ id: 'ImageImpact' });

export const imageChangeSchema = z
  .object({
    id: z.string(),
    imageId: z.string(),
    cloudId: z.string(),
    fromState: z.string(),
    toState: z.string(),
    reason: z.string(),
    jobId: z.string().nullable(),
    at: z.string(),
    impact: impactSchema.describe('The blast radius when the change happened'),
  })
  .meta({ id: 'ImageChange' });

const imageStatus = {
  state: z.enum(IMAGE_STATES),
  deprecatedAt: z.string().nullable(),
  unavailableReason: z.string().nullable(),
  unavailableAt: z.string().nullable(),
  replacementImageId: z.string().nullable(),
};

export const imageImpactResponse = z
  .object({
    image: z.object({
      id: z.string(),
      cloudId: z.string(),
      resourceUid: z.string(),
      name: z.string(),
      ...imageStatus,
    }),
    current: impactSchema.describe('What references the image now'),
    changes: z.array(imageChangeSchema).describe('Its changes to deprecated / unavailable, newest first'),
    nextCursor: z.string().nullable().describe('The next page of `changes`'),
  })
  .meta({ id: 'ImageImpactReport' });

export const impactQuery = z.strictObject({ ...pageQuery });

export const mciImageAlertsResponse = z
  .object({
    mciId: z.string(),
    items: z.array(
      z.object({
        cloudId: z.string(),
        cloudName: z.string(),
        imageId: z.string(),
        imageResourceUid: z.string(),
        imageName: z.string(),
        ...imageStatus,
        lastChange: z
          .object({
            id: z.string(),
            fromState: z.string(),
            toState: z.string(),
            reason: z.string(),
            jobId: z.string().nullable(),
            at: z.string(),
          })
          .nullable(),
      }),
    ),
  })
  .meta({ id: 'MciImageAlerts' });
