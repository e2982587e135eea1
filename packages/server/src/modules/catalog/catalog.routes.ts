import { LIMITS } from '@mci/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses } from '../../http/common.schema.ts';
import * as s from './catalog.schema.ts';
import * as catalog from './catalog.service.ts';

const tags = ['catalog'];

/** The cloud catalog: clouds, their images and instance types. */
export function catalogRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/clouds',
    {
      schema: {
        tags,
        summary: 'Add a cloud (superuser)',
        body: s.createCloudBody,
        response: { 201: s.cloudSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const cloud = await catalog.createCloud(ctx, principalOf(req), req.body);
      return reply.status(201).header('location', `/v1/clouds/${cloud.id}`).send(cloud);
    },
  );

  app.get(
    '/v1/clouds',
    {
      schema: {
        tags,
        summary: 'List clouds',
        querystring: s.listCloudsQuery,
        response: { 200: s.cloudPage, ...errorResponses },
      },
    },
    async (req) => catalog.listClouds(ctx, req.query),
  );

  app.get(
    '/v1/clouds/:c',
    {
      schema: {
        tags,
        summary: 'A cloud',
        params: s.cloudParams,
        response: { 200: s.cloudSchema, ...errorResponses },
      },
    },
    async (req) => catalog.getCloud(ctx, req.params.c),
  );

  app.patch(
    '/v1/clouds/:c',
    {
      schema: {
        tags,
        summary: "Change a cloud's driver, sync settings or description (superuser)",
        description:
          "sync: owners and name filters of the cloud's own listing (R-CLD-3) and the interval of " +
          'scheduled syncs (at least 60 s; null: only on request); each kept unless given.',
        params: s.cloudParams,
        body: s.patchCloudBody,
        response: { 200: s.cloudSchema, ...errorResponses },
      },
    },
    async (req) => catalog.updateCloud(ctx, principalOf(req), req.params.c, req.body),
  );

  app.post(
    '/v1/clouds/:c/images',
    {
      schema: {
        tags,
        summary: 'Register an image: public (superuser) or private to an account (its designer)',
        params: s.cloudParams,
        body: s.createImageBody,
        response: { 201: s.imageSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const image = await catalog.createImage(ctx, principalOf(req), req.params.c, req.body);
      return reply
        .status(201)
        .header('location', `/v1/clouds/${image.cloudId}/images/${image.id}`)
        .send(image);
    },
  );

  app.post(
    '/v1/clouds/:c/images/bulk',
    {
      bodyLimit: 64 * LIMITS.bodyBytes,
      schema: {
        tags,
        summary: `Register up to ${LIMITS.bulkImagesMax} images of one cloud at once, all or none`,
        params: s.cloudParams,
        body: s.bulkImagesBody,
        response: { 201: z.object({ created: z.number().int() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const result = await catalog.createImagesBulk(ctx, principalOf(req), req.params.c, req.body.images);
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/v1/clouds/:c/images',
    {
      schema: {
        tags,
        summary: "A cloud's images that the caller may see, filtered, in name order",
        params: s.cloudParams,
        querystring: s.listImagesQuery,
        response: { 200: s.imagePage, ...errorResponses },
      },
    },
    async (req) => catalog.listImages(ctx, principalOf(req), req.params.c, req.query),
  );

  app.get(
    '/v1/clouds/:c/images/:id',
    {
      schema: {
        tags,
        summary: 'An image',
        params: s.imageParams,
        response: { 200: s.imageSchema, ...errorResponses },
      },
    },
    async (req) => catalog.getImage(ctx, principalOf(req), req.params.c, req.params.id),
  );

  app.patch(
    '/v1/clouds/:c/images/:id',
    {
      schema: {
        tags,
        summary: 'Change an image: state, launch permissions, descriptive fields',
        params: s.imageParams,
        body: s.patchImageBody,
        response: { 200: s.imageSchema, ...errorResponses },
      },
    },
    async (req) => catalog.updateImage(ctx, principalOf(req), req.params.c, req.params.id, req.body),
  );

  app.post(
    '/v1/clouds/:c/instance-types',
    {
      schema: {
        tags,
        summary: 'Add an instance type to a cloud (superuser)',
        params: s.cloudParams,
        body: s.createInstanceTypeBody,
        response: { 201: s.instanceTypeSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const type = await catalog.createInstanceType(ctx, principalOf(req), req.params.c, req.body);
      return reply
        .status(201)
        .header('location', `/v1/clouds/${type.cloudId}/instance-types/${type.id}`)
        .send(type);
    },
  );

  app.get(
    '/v1/clouds/:c/instance-types',
    {
      schema: {
        tags,
        summary: "A cloud's instance types",
        params: s.cloudParams,
        querystring: s.listInstanceTypesQuery,
        response: { 200: s.instanceTypePage, ...errorResponses },
      },
    },
    async (req) => catalog.listInstanceTypes(ctx, req.params.c, req.query),
  );

  app.get(
    '/v1/clouds/:c/instance-types/:id',
    {
      schema: {
        tags,
        summary: 'An instance type',
        params: s.instanceTypeParams,
        response: { 200: s.instanceTypeSchema, ...errorResponses },
      },
    },
    async (req) => catalog.getInstanceType(ctx, req.params.c, req.params.id),
  );
}
