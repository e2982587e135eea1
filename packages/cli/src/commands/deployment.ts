import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Run } from '../main.ts';
import { resolveCloud, resolveImage, resolveInstanceType } from './catalog.ts';

const SERVER_COLUMNS = {
  id: 'ID',
  name: 'NAME',
  cloudId: 'CLOUD',
  mciId: 'MCI',
  imageId: 'IMAGE',
  instanceTypeId: 'TYPE',
  state: 'STATE',
  providerInstanceId: 'INSTANCE',
  source: 'INHERITED',
};

/** States a server passes through on its way (the reconciler moves it on). */
const TRANSITIONAL = new Set(['pending', 'booting', 'terminating']);

/** Asks on a terminal; elsewhere refuses unless --yes was given. */
async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new UsageError('not a terminal: pass --yes to confirm');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

type ServerPath = { a: string; d: string; s: string };

/** Polls a server until it leaves pending / booting / terminating, or `timeoutSeconds` pass. */
async function waitSettled(ctx: CliContext, path: ServerPath, timeoutSeconds: number) {
  const until = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const server = unwrap(
      await ctx.client().GET('/v1/accounts/{a}/deployments/{d}/servers/{s}', { params: { path } }),
    );
    if (server.state !== last && !ctx.out.json) ctx.out.info(`${server.name}: ${server.state}`);
    last = server.state;
    if (!TRANSITIONAL.has(server.state)) return server;
    if (Date.now() >= until)
      throw new UsageError(`server ${server.name} is still ${server.state} after ${timeoutSeconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function printServer(ctx: CliContext, server: Parameters<typeof withSource>[0] & Record<string, unknown>) {
  ctx.out.print(ctx.out.json ? server : withSource(server));
}
const withSource = (s: { inheritedSource: { mci: string; image: string; instanceType: string } }) => ({
  ...s,
  source: `mci:${s.inheritedSource.mci} image:${s.inheritedSource.image} type:${s.inheritedSource.instanceType}`,
});

export function registerDeployments(program: Command, run: Run): void {
  const dep = program.command('deployment').description('deployments');
  dep.command('list').action(
    run(async (ctx) => {
      const client = ctx.client();
      const a = ctx.account();
      const items = await allPages(async (cursor) =>
        unwrap(
          await client.GET('/v1/accounts/{a}/deployments', {
            params: { path: { a }, query: { limit: 200, cursor } },
          }),
        ),
      );
      ctx.out.print(items, { id: 'ID', name: 'NAME', description: 'DESCRIPTION' });
    }),
  );
  dep
    .command('create <name>')
    .option('--description <text>', 'description', '')
    .action(
      run(async (ctx, name: string, opts: { description: string }) =>
        ctx.out.print(
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/deployments', {
              params: { path: { a: ctx.account() } },
              body: { name, description: opts.description },
            }),
          ),
        ),
      ),
    );

  const srv = program.command('server').description('servers in a deployment');
  srv.command('list <deploymentId>').action(
    run(async (ctx, d: string) => {
      const client = ctx.client();
      const a = ctx.account();
      const items = await allPages(async (cursor) =>
        unwrap(
          await client.GET('/v1/accounts/{a}/deployments/{d}/servers', {
            params: { path: { a, d }, query: { limit: 200, cursor } },
          }),
        ),
      );
      if (ctx.out.json) return ctx.out.print(items);
      ctx.out.print(items.map(withSource), SERVER_COLUMNS);
    }),
  );
  srv
    .command('create <deploymentId> <name>')
    .description('add a server: the cloud picks what it inherits from the template')
    .requiredOption('--template <id>', 'ServerTemplate revision')
    .requiredOption('--cloud <cloud>', 'cloud id or name')
    .option('--mci <id>', 'one of the template’s MCIs instead of its choice')
    .option('--image <image>', 'image id or resourceUid instead of the MCI’s')
    .option('--type <instanceType>', 'instance type instead of the MCI’s')
    .action(
      run(
        async (
          ctx,
          d: string,
          name: string,
          opts: { template: string; cloud: string; mci?: string; image?: string; type?: string },
        ) => {
          const client = ctx.client();
          const cloud = await resolveCloud(client, opts.cloud);
          const body = {
            name,
            serverTemplateId: opts.template,
            cloudId: cloud.id,
            mciId: opts.mci,
            imageId: opts.image ? (await resolveImage(client, cloud.id, opts.image)).id : undefined,
            instanceTypeId: opts.type
              ? (await resolveInstanceType(client, cloud.id, opts.type)).id
              : undefined,
          };
          const server = unwrap(
            await client.POST('/v1/accounts/{a}/deployments/{d}/servers', {
              params: { path: { a: ctx.account(), d } },
              body,
            }),
          );
          ctx.out.print(ctx.out.json ? server : withSource(server));
        },
      ),
    );
  srv.command('show <deploymentId> <serverId>').action(
    run(async (ctx, d: string, s: string) => {
      const server = unwrap(
        await ctx.client().GET('/v1/accounts/{a}/deployments/{d}/servers/{s}', {
          params: { path: { a: ctx.account(), d, s } },
        }),
      );
      ctx.out.print(ctx.out.json ? server : withSource(server));
    }),
  );
  srv
    .command('update <deploymentId> <serverId>')
    .description(
      'point a server at another MCI or image of its cloud, or rename it (a running server: at its next launch)',
    )
    .option('--mci <id>', 'another MCI with a setting for the server’s cloud')
    .option('--image <id>', 'an image id of the server’s cloud')
    .option('--name <name>')
    .action(
      run(async (ctx, d: string, s: string, opts: { mci?: string; image?: string; name?: string }) => {
        const res = unwrap(
          await ctx.client().PATCH('/v1/accounts/{a}/deployments/{d}/servers/{s}', {
            params: { path: { a: ctx.account(), d, s } },
            body: { mciId: opts.mci, imageId: opts.image, name: opts.name },
          }),
        );
        ctx.out.print(ctx.out.json ? res : withSource(res));
        for (const w of ctx.out.json ? [] : res.warnings) ctx.out.info(`warning: ${w.message}`);
      }),
    );
  srv
    .command('launch <deploymentId> <serverId>')
    .description('launch the server in its cloud (inactive or stopped → pending → booting → operational)')
    .option('--wait', 'wait until it is operational (or the launch ended otherwise)')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action(
      run(async (ctx, d: string, s: string, opts: { wait?: boolean; timeout: string }) => {
        const path = { a: ctx.account(), d, s };
        let server = unwrap(
          await ctx
            .client()
            .POST('/v1/accounts/{a}/deployments/{d}/servers/{s}/launch', { params: { path } }),
        );
        if (opts.wait) server = await waitSettled(ctx, path, Number(opts.timeout));
        printServer(ctx, server);
      }),
    );
  srv
    .command('terminate <deploymentId> <serverId>')
    .description('terminate the server’s instance (→ terminating → inactive); the server is kept')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--wait', 'wait until it is inactive')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action(
      run(async (ctx, d: string, s: string, opts: { yes?: boolean; wait?: boolean; timeout: string }) => {
        const path = { a: ctx.account(), d, s };
        const client = ctx.client();
        const current = unwrap(
          await client.GET('/v1/accounts/{a}/deployments/{d}/servers/{s}', { params: { path } }),
        );
        const instance = current.providerInstanceId ? ` (instance ${current.providerInstanceId})` : '';
        if (
          !(await confirm(`terminate server "${current.name}"${instance}, now ${current.state}?`, opts.yes))
        ) {
          ctx.out.info('kept');
          return;
        }
        let server = unwrap(
          await client.POST('/v1/accounts/{a}/deployments/{d}/servers/{s}/terminate', { params: { path } }),
        );
        if (opts.wait) server = await waitSettled(ctx, path, Number(opts.timeout));
        printServer(ctx, server);
      }),
    );
  srv
    .command('refresh <deploymentId> <serverId>')
    .description('ask the cloud about the server’s instance now')
    .action(
      run(async (ctx, d: string, s: string) => {
        printServer(
          ctx,
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/deployments/{d}/servers/{s}/refresh', {
              params: { path: { a: ctx.account(), d, s } },
            }),
          ),
        );
      }),
    );
}
