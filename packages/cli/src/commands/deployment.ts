import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
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
  source: 'INHERITED',
};
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
    .description('point a server at another MCI or image of its cloud, rename it or set its state')
    .option('--mci <id>', 'another MCI with a setting for the server’s cloud')
    .option('--image <id>', 'an image id of the server’s cloud')
    .option('--name <name>')
    .option('--state <state>')
    .action(
      run(
        async (
          ctx,
          d: string,
          s: string,
          opts: { mci?: string; image?: string; name?: string; state?: string },
        ) => {
          const res = unwrap(
            await ctx.client().PATCH('/v1/accounts/{a}/deployments/{d}/servers/{s}', {
              params: { path: { a: ctx.account(), d, s } },
              body: {
                mciId: opts.mci,
                imageId: opts.image,
                name: opts.name,
                state: opts.state as 'inactive',
              },
            }),
          );
          ctx.out.print(ctx.out.json ? res : withSource(res));
          for (const w of ctx.out.json ? [] : res.warnings) ctx.out.info(`warning: ${w.message}`);
        },
      ),
    );
}
