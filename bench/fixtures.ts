/**
 * What the rows refer to, created through the services like an operator would: the superuser,
 * accounts, a member user with a token, and the clouds.
 */
import type { Principal } from '@mci/core';
import { identityRepository, type Database } from '@mci/db';
import type { FastifyBaseLogger } from 'fastify';
import { bootstrap } from '../packages/server/src/bootstrap/bootstrap.ts';
import type { AppContext } from '../packages/server/src/context.ts';
import { createContext } from '../packages/server/src/app.ts';
import { createCloud } from '../packages/server/src/modules/catalog/catalog.service.ts';
import {
  createAccount,
  createToken,
  createUser,
  putMember,
} from '../packages/server/src/modules/identity/identity.service.ts';
import { hashSecret } from '../packages/server/src/security/secrets.ts';
import {
  BENCH_REGIONS,
  LOAD_CLOCK,
  MEMBER_ACCOUNT,
  OWNER_ACCOUNTS,
  SHAREE_ACCOUNTS,
  type AccountRef,
  type RowAccounts,
} from './catalog-rows.ts';

/** The superuser's API token in the throw-away database (set through ADMIN_TOKEN-style bootstrap). */
export const BENCH_ADMIN_TOKEN = 'mci_bench-admin-token-0123456789abcdef';

export interface BenchFixtures {
  ctx: AppContext;
  superuser: Principal;
  accounts: RowAccounts;
  /** The account the member belongs to, and the member's API token. */
  member: { accountId: string; token: string };
  clouds: { id: string; name: string }[];
}

/** Bootstraps the database and creates accounts, the member and the 30 clouds through the services. */
export async function createFixtures(database: Database, log: FastifyBaseLogger): Promise<BenchFixtures> {
  await bootstrap(database.db, {
    adminEmail: 'admin@localhost',
    adminToken: BENCH_ADMIN_TOKEN,
    seed: 'none',
  });
  const ctx: AppContext = await createContext({ database, clock: () => LOAD_CLOCK }, log);
  const superuser = await principalOf(database, BENCH_ADMIN_TOKEN);
  const createAll = async (slugs: readonly string[]): Promise<AccountRef[]> => {
    const refs: AccountRef[] = [];
    for (const slug of slugs) {
      const account = await createAccount(ctx, superuser, {
        name: slug,
        description: `bench account ${slug}`,
      });
      refs.push({ id: account.id, slug });
    }
    return refs;
  };
  const accounts: RowAccounts = {
    owners: await createAll(OWNER_ACCOUNTS),
    sharees: await createAll(SHAREE_ACCOUNTS),
  };
  const memberAccount = accounts.sharees.find((a) => a.slug === MEMBER_ACCOUNT)!;
  const user = await createUser(ctx, superuser, { email: 'member@bench.example', name: 'Bench member' });
  const { token } = await createToken(ctx, superuser, user.id, 'bench');
  await putMember(ctx, superuser, memberAccount.id, user.id, ['observer']);
  const clouds: { id: string; name: string }[] = [];
  for (const region of BENCH_REGIONS) {
    const cloud = await createCloud(ctx, superuser, {
      name: `AWS ${region}`,
      cloudType: 'aws',
      region,
      description: `Amazon EC2 region ${region}`,
    });
    clouds.push({ id: cloud.id, name: cloud.name });
  }
  return { ctx, superuser, accounts, member: { accountId: memberAccount.id, token }, clouds };
}

/** The principal behind an API token, resolved as the HTTP layer does. */
async function principalOf(database: Database, token: string): Promise<Principal> {
  const principal = await identityRepository.findPrincipal(database.db, { tokenHash: hashSecret(token) });
  if (!principal) throw new Error('bench: the bootstrap token does not resolve to a user');
  return principal;
}
