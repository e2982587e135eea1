import {
  authorizeAccount,
  authorizeInstallation,
  decodeSequenceCursor,
  NotFoundError,
  toPage,
  type Principal,
} from '@mci/core';
import { auditRepository, identityRepository } from '@mci/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { principalOf } from '../../http/auth.ts';
import { errorResponses, idParam, pageOf, pageQuery } from '../../http/common.schema.ts';

const tags = ['audit'];

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    accountId: z.string().nullable(),
    userId: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string(),
    summary: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const auditQuery = z.strictObject({ ...pageQuery });

/** Newest-first audit entries of one account, or of the installation (`accountId` null). */
export async function listAudit(
  ctx: AppContext,
  principal: Principal,
  accountId: string | null,
  page: { limit: number; cursor?: string },
) {
  if (accountId === null) authorizeInstallation(principal, 'audit.read.all');
  else {
    authorizeAccount(principal, accountId, 'audit.read');
    if (!(await identityRepository.findAccount(ctx.db, accountId)))
      throw new NotFoundError('account', accountId);
  }
  const beforeSeq = page.cursor ? decodeSequenceCursor(page.cursor) : undefined;
  const rows = await auditRepository.list(ctx.db, { accountId, beforeSeq, limit: page.limit });
  const result = toPage(rows, page.limit, (e) => [e.seq]);
  return { ...result, items: result.items.map(({ seq: _seq, ...entry }) => entry) };
}

export function auditRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/accounts/:a/audit',
    {
      schema: {
        tags,
        summary: "An account's audit trail, newest first",
        params: z.strictObject({ a: idParam }),
        querystring: auditQuery,
        response: { 200: pageOf(auditEntrySchema), ...errorResponses },
      },
    },
    async (req) => listAudit(ctx, principalOf(req), req.params.a, req.query),
  );

  app.get(
    '/v1/audit',
    {
      schema: {
        tags,
        summary:
          'Installation-level audit trail (users, tokens, clouds, public images), newest first (superuser)',
        querystring: auditQuery,
        response: { 200: pageOf(auditEntrySchema), ...errorResponses },
      },
    },
    async (req) => listAudit(ctx, principalOf(req), null, req.query),
  );
}
