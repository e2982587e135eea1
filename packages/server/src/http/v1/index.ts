import { NotFoundError } from '@mci/core';
import { identityRepository } from '@mci/db';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { auditRoutes } from '../../modules/audit/audit.routes.ts';
import { catalogRoutes } from '../../modules/catalog/catalog.routes.ts';
import { credentialRoutes } from '../../modules/clouds/credentials.routes.ts';
import { impactRoutes } from '../../modules/clouds/impact.routes.ts';
import { syncRoutes } from '../../modules/clouds/sync.routes.ts';
import { jobRoutes } from '../../modules/jobs/jobs.routes.ts';
import { deploymentRoutes } from '../../modules/deployment/deployment.routes.ts';
import { identityRoutes } from '../../modules/identity/identity.routes.ts';
import { marketplaceRoutes } from '../../modules/marketplace/marketplace.routes.ts';
import { formatRoutes } from '../../modules/formats/formats.routes.ts';
import { mciRoutes } from '../../modules/mci/mci.routes.ts';
import { templateRoutes } from '../../modules/template/template.routes.ts';
import { registerAuthentication } from '../auth.ts';
import { problemHandler } from '../errors.ts';
import { renderV1Hint } from './hints.ts';

/**
 * The v1 API as one encapsulated fastify plugin: its own authentication hook and error handler
 * (problem+json, hints worded as v1 requests) apply to its routes only, so another transport
 * (RightScale's API 1.5 under /api) can sit beside it with its own, over the same services.
 */
export async function v1Plugin(v1: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  registerAuthentication(v1, ctx);
  registerAccountExistence(v1, ctx);
  v1.setErrorHandler(problemHandler(renderV1Hint));
  identityRoutes(v1, ctx);
  catalogRoutes(v1, ctx);
  auditRoutes(v1, ctx);
  mciRoutes(v1, ctx);
  formatRoutes(v1, ctx);
  templateRoutes(v1, ctx);
  deploymentRoutes(v1, ctx);
  marketplaceRoutes(v1, ctx);
  impactRoutes(v1, ctx);
  credentialRoutes(v1, ctx);
  syncRoutes(v1, ctx);
  jobRoutes(v1, ctx);
}

/**
 * The superuser may act in any account, so for them (and only when they are not a member) an
 * account id in the path is checked to exist: a missing account is a 404 before any service
 * runs, never a foreign-key failure. Members' accounts exist by construction.
 */
function registerAccountExistence(v1: FastifyInstance, ctx: AppContext): void {
  v1.addHook('preHandler', async (request) => {
    const accountId = (request.params as { a?: unknown } | undefined)?.a;
    const principal = request.principal;
    if (typeof accountId !== 'string' || !principal?.isSuperuser) return;
    if (principal.memberships.has(accountId)) return;
    if (!(await identityRepository.findAccount(ctx.db, accountId)))
      throw new NotFoundError('account', accountId);
  });
}
