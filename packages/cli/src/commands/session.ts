import { hostname } from 'node:os';
import type { Command } from 'commander';
import { allPages, connect, unwrap } from '../api.ts';
import { configPath, deleteConfig, readConfig, writeConfig } from '../config.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';

import type { Run } from '../main.ts';

/**
 * `mci login` stores a server and a token: given with --token, or created for this machine after
 * signing in with email and password.
 */
async function login(ctx: CliContext, url: string, opts: { email?: string; password?: string }) {
  const server = url.replace(/\/$/, '');
  let token = ctx.options.token ?? (process.env.MCI_TOKEN || undefined);
  if (!token) {
    const email = opts.email;
    const password = opts.password ?? process.env.MCI_PASSWORD;
    if (!email || !password)
      throw new UsageError('give --token, or --email with --password (or $MCI_PASSWORD)');
    const anonymous = connect(server);
    const session = await anonymous.POST('/v1/session', { body: { email, password } });
    const user = unwrap(session).user;
    const cookie = (session.response.headers.get('set-cookie') ?? '').split(';')[0];
    const created = unwrap(
      await anonymous.POST('/v1/users/{id}/tokens', {
        params: { path: { id: user.id } },
        body: { name: `mci CLI on ${hostname()}` },
        headers: { cookie },
      }),
    );
    token = created.token;
  }
  const client = connect(server, token);
  const me = unwrap(await client.GET('/v1/me'));
  const account = ctx.options.account ?? (me.accounts.length === 1 ? me.accounts[0].id : undefined);
  await writeConfig({ server, token, account });
  ctx.out.print({
    server,
    user: me.user.email,
    account: account ?? '(none: choose with `mci use <accountId>`)',
    config: configPath(),
  });
}

export function registerSession(program: Command, run: Run): void {
  program
    .command('login <url>')
    .description(
      'store a server and an API token (--token, or --email/--password) in the config file (mode 0600)',
    )
    .option('--email <email>', 'sign in with email and password and create a token for this machine')
    .option('--password <password>', 'the password (or $MCI_PASSWORD)')
    .action(run(async (ctx, url, opts) => login(ctx, url, opts)));

  program
    .command('logout')
    .description('forget the stored server and token')
    .action(
      run(async (ctx) => {
        await deleteConfig();
        ctx.out.info(`removed ${configPath()}`);
      }),
    );

  program
    .command('whoami')
    .description('the signed-in user and their accounts and roles')
    .action(
      run(async (ctx) => {
        const me = unwrap(await ctx.client().GET('/v1/me'));
        if (ctx.out.json) return ctx.out.print(me);
        ctx.out.info(`${me.user.email}${me.user.isSuperuser ? ' (superuser)' : ''} on ${ctx.server}`);
        ctx.out.print(
          me.accounts.map((a) => ({ ...a, roles: a.roles.join(' ') })),
          { id: 'ACCOUNT', name: 'NAME', roles: 'ROLES' },
        );
      }),
    );

  program
    .command('use <accountId>')
    .description('make an account the default for later commands')
    .action(
      run(async (ctx, accountId: string) => {
        const config = await readConfig();
        if (!config) throw new UsageError('not logged in: run `mci login <url>` first');
        unwrap(await ctx.client().GET('/v1/accounts/{a}', { params: { path: { a: accountId } } }));
        await writeConfig({ ...config, account: accountId });
        ctx.out.info(`default account: ${accountId}`);
      }),
    );

  const accounts = program.command('accounts').description('accounts');
  accounts
    .command('list')
    .description('accounts you belong to')
    .action(
      run(async (ctx) => {
        const client = ctx.client();
        const items = await allPages(async (cursor) =>
          unwrap(await client.GET('/v1/accounts', { params: { query: { limit: 500, cursor } } })),
        );
        ctx.out.print(items, { id: 'ID', name: 'NAME', description: 'DESCRIPTION' });
      }),
    );
  accounts
    .command('create <name>')
    .description('create an account (superuser)')
    .option('--description <text>', 'description', '')
    .action(
      run(async (ctx, name: string, opts: { description: string }) => {
        ctx.out.print(
          unwrap(await ctx.client().POST('/v1/accounts', { body: { name, description: opts.description } })),
        );
      }),
    );
}
