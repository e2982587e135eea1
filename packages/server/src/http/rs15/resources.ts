import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { catalogRoutes } from './catalog.ts';
import { deploymentsRoutes } from './deployments.ts';
import { mcisRoutes } from './mcis.ts';
import { tagsRoutes } from './tags.ts';
import { templatesRoutes } from './templates.ts';

/** The API 1.5 resources, one file per area (each registers its routes under /api). */
export const RESOURCE_ROUTES: readonly ((api: FastifyInstance, ctx: AppContext) => void)[] = [
  catalogRoutes,
  mcisRoutes,
  templatesRoutes,
  deploymentsRoutes,
  tagsRoutes,
];
