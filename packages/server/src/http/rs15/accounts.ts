import type { AccountRecord } from '@mci/db';
import { rs15Repository } from '@mci/db';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { getAccount, listAccounts } from '../../modules/identity/identity.service.ts';
import {
  allPages,
  callerOf,
  hrefs,
  linksOf,
  RsError,
  rubyTime,
  sendCollection,
  sendResource,
} from './wire.ts';

function presentAccount(account: AccountRecord, n: number) {
  return {
    name: account.name,
    created_at: rubyTime(account.createdAt),
    updated_at: rubyTime(account.createdAt),
    links: linksOf(hrefs.account(n)),
  };
}

/**
 * `GET /api/accounts/:n` and `GET /api/sessions/accounts`: the facade's account numbers (stable
 * small integers, one per service account) and the accounts a user may send in `X-Account`.
 */
export function accountRoutes(api: FastifyInstance, ctx: AppContext): void {
  api.get('/sessions/accounts', { config: { rsNoAccount: true } }, async (request, reply) => {
    const { principal } = callerOf(request);
    const accounts = await allPages((cursor) => listAccounts(ctx, principal, { limit: 500, cursor }));
    const numbers = await rs15Repository.numbersOfAccounts(
      ctx.db,
      accounts.map((a) => a.id),
    );
    const items = accounts
      .filter((a) => numbers.has(a.id))
      .map((a) => presentAccount(a, numbers.get(a.id) as number))
      .sort((x, y) => x.links[0].href.localeCompare(y.links[0].href, 'en', { numeric: true }));
    return sendCollection(reply, 'account', items);
  });

  api.get<{ Params: { n: string } }>('/accounts/:n', async (request, reply) => {
    const { principal } = callerOf(request);
    const n = /^\d{1,9}$/.test(request.params.n) ? Number(request.params.n) : NaN;
    const id = Number.isNaN(n) ? undefined : await rs15Repository.accountIdOfNumber(ctx.db, n);
    if (!id || (!principal.isSuperuser && !principal.memberships.has(id)))
      throw new RsError(422, 'ResourceNotFound', `Couldn't find Account with ID=${request.params.n}`);
    return sendResource(reply, 'account', presentAccount(await getAccount(ctx, principal, id), n));
  });
}
