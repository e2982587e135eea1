import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';

// Filled in by the issue-13 work (R-RS): see /work/notes/rs15-design.md.
export function mcisRoutes(_api: FastifyInstance, _ctx: AppContext): void {}
