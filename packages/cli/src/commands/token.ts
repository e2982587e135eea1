import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import type { Run } from '../main.ts';

/** The user whose tokens a command manages: --user, or the signed-in user. */
async function userOf(ctx: CliContext, user: string | undefined): Promise<string> {
  if (user) return user;
  return unwrap(await ctx.client().GET('/v1/me')).user.id;
}

/** `mci token list` and `mci token revoke`: the API tokens of a user (yourself, or any for the superuser). */
export function registerTokens(program: Command, run: Run): void {
  const tokens = program
    .command('token')
    .description('API tokens: list them with their last use, revoke one');
  tokens
    .command('list')
    .description('your API tokens (or --user, for the superuser) with when each was last used')
    .option('--user <userId>', 'another user (superuser)')
    .action(
      run(async (ctx, opts: { user?: string }) => {
        const client = ctx.client();
        const id = await userOf(ctx, opts.user);
        const items = await allPages(async (cursor) =>
          unwrap(
            await client.GET('/v1/users/{id}/tokens', {
              params: { path: { id }, query: { limit: 500, cursor } },
            }),
          ),
        );
        if (ctx.out.json) return ctx.out.print(items);
        ctx.out.print(
          items.map((t) => ({ ...t, lastUsedAt: t.lastUsedAt ?? 'never' })),
          { id: 'ID', name: 'NAME', createdAt: 'CREATED', lastUsedAt: 'LAST USED' },
        );
      }),
    );
  tokens
    .command('revoke <tokenId>')
    .description('revoke an API token: it stops working at once')
    .option('--user <userId>', 'another user (superuser)')
    .action(
      run(async (ctx, tokenId: string, opts: { user?: string }) => {
        const id = await userOf(ctx, opts.user);
        unwrap(
          await ctx.client().DELETE('/v1/users/{id}/tokens/{tokenId}', { params: { path: { id, tokenId } } }),
        );
        if (ctx.out.json) return ctx.out.print({ revoked: tokenId });
        ctx.out.info(`revoked ${tokenId}`);
      }),
    );
}
