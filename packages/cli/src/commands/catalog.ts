import type { ApiClient } from '@mci/client';
import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Run } from '../main.ts';

/** A cloud given by id or by exact name ("AWS us-east-1"). */
export async function resolveCloud(client: ApiClient, ref: string): Promise<{ id: string; name: string }> {
  if (ref.startsWith('cld_'))
    return unwrap(await client.GET('/v1/clouds/{c}', { params: { path: { c: ref } } }));
  const page = unwrap(await client.GET('/v1/clouds', { params: { query: { q: ref, limit: 500 } } }));
  const found = page.items.find((c) => c.name === ref || c.name.toLowerCase() === ref.toLowerCase());
  if (!found) throw new UsageError(`no cloud named "${ref}" (try \`mci clouds list\`)`);
  return found;
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`not a positive integer: ${v}`);
  return n;
};

/** Lists every page when --all, showing progress; else one page with its next cursor. */
async function listPaged<T>(
  ctx: CliContext,
  opts: { all?: boolean; limit?: number; cursor?: string },
  label: string,
  fetchPage: (
    cursor: string | undefined,
    limit: number,
  ) => Promise<{ items: T[]; nextCursor: string | null }>,
  columns: Record<string, string>,
) {
  if (opts.all) {
    const bar = ctx.out.progress(label);
    const items = await allPages(
      (cursor) => fetchPage(cursor, 500),
      (n) => bar.update(n),
    );
    bar.stop();
    return ctx.out.print(items, columns);
  }
  const page = await fetchPage(opts.cursor, opts.limit ?? 50);
  if (ctx.out.json) return ctx.out.print(page);
  ctx.out.print(page.items, columns);
  if (page.nextCursor) ctx.out.info(`more: --cursor ${page.nextCursor}  (or --all)`);
}

export function registerCatalog(program: Command, run: Run): void {
  const clouds = program.command('clouds').description('the cloud catalog');
  clouds
    .command('list')
    .option('-q, --query <text>', 'text in the name')
    .option('--type <cloudType>', 'aws, azure, google, openstack, vsphere or simulated')
    .action(
      run(async (ctx, opts: { query?: string; type?: string }) => {
        const client = ctx.client();
        const items = await allPages(async (cursor) =>
          unwrap(
            await client.GET('/v1/clouds', {
              params: { query: { q: opts.query, cloudType: opts.type as 'aws', limit: 500, cursor } },
            }),
          ),
        );
        ctx.out.print(items, { id: 'ID', name: 'NAME', cloudType: 'TYPE', region: 'REGION' });
      }),
    );
  clouds
    .command('create <name>')
    .description('add a cloud (superuser)')
    .requiredOption('--type <cloudType>', 'aws, azure, google, openstack, vsphere or simulated')
    .requiredOption('--region <region>', 'the provider region')
    .option('--description <text>', 'description', '')
    .action(
      run(async (ctx, name: string, opts: { type: string; region: string; description: string }) => {
        ctx.out.print(
          unwrap(
            await ctx.client().POST('/v1/clouds', {
              body: {
                name,
                cloudType: opts.type as 'aws',
                region: opts.region,
                description: opts.description,
              },
            }),
          ),
        );
      }),
    );

  const images = program.command('images').description("a cloud's images");
  images
    .command('list <cloud>')
    .description('images you may see in a cloud (by id or name)')
    .option('-q, --query <text>', 'text in the name or resourceUid')
    .option('--os <family>', 'OS family')
    .option('--arch <arch>', 'i386, x86_64 or arm64')
    .option('--state <state>', 'available, deprecated or unavailable')
    .option('--usable', 'only images the current account can launch')
    .option('--all', 'walk every page (with a progress bar on a terminal)')
    .option('--limit <n>', 'page size', int)
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(
      run(async (ctx, cloudRef: string, opts) => {
        const client = ctx.client();
        const cloud = await resolveCloud(client, cloudRef);
        const query = {
          q: opts.query,
          osFamily: opts.os,
          cpuArchitecture: opts.arch,
          state: opts.state,
          usableBy: opts.usable ? ctx.account() : undefined,
        };
        await listPaged(
          ctx,
          opts,
          `images of ${cloud.name}`,
          async (cursor, limit) =>
            unwrap(
              await client.GET('/v1/clouds/{c}/images', {
                params: { path: { c: cloud.id }, query: { ...query, limit, cursor } },
              }),
            ),
          {
            id: 'ID',
            resourceUid: 'RESOURCE UID',
            name: 'NAME',
            osFamily: 'OS',
            osVersion: 'VERSION',
            cpuArchitecture: 'ARCH',
            visibility: 'VISIBILITY',
            state: 'STATE',
          },
        );
      }),
    );

  images
    .command('create <cloud>')
    .description('register an image: public (superuser) or private to the current account (designer)')
    .requiredOption('--uid <resourceUid>', 'the provider id, e.g. ami-0abc…')
    .requiredOption('--name <name>', 'image name')
    .requiredOption('--arch <arch>', 'i386, x86_64 or arm64')
    .option('--os <family>', 'OS family', '')
    .option('--os-version <version>', 'OS version', '')
    .option('--private', 'private to the current account')
    .option(
      '--share <accountId>',
      'let another account launch it (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .action(
      run(async (ctx, cloudRef: string, opts) => {
        const client = ctx.client();
        const cloud = await resolveCloud(client, cloudRef);
        const body = {
          resourceUid: opts.uid,
          name: opts.name,
          cpuArchitecture: opts.arch,
          osFamily: opts.os,
          osVersion: opts.osVersion,
          visibility: opts.private ? 'private' : 'public',
          ownerAccountId: opts.private ? ctx.account() : undefined,
          launchPermissions: opts.share,
        } as const;
        ctx.out.print(
          unwrap(await client.POST('/v1/clouds/{c}/images', { params: { path: { c: cloud.id } }, body })),
        );
      }),
    );

  const types = program.command('instance-types').description("a cloud's instance types");
  types
    .command('create <cloud>')
    .description('add an instance type (superuser)')
    .requiredOption('--uid <resourceUid>', 'e.g. m5.large')
    .requiredOption('--cpus <n>', 'vCPUs', int)
    .requiredOption('--memory <mb>', 'memory in MB', int)
    .requiredOption(
      '--arch <arch>',
      'a supported architecture (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .action(
      run(
        async (
          ctx,
          cloudRef: string,
          opts: { uid: string; cpus: number; memory: number; arch: string[] },
        ) => {
          const client = ctx.client();
          const cloud = await resolveCloud(client, cloudRef);
          const body = {
            resourceUid: opts.uid,
            name: opts.uid,
            cpuCount: opts.cpus,
            memoryMb: opts.memory,
            cpuArchitectures: opts.arch as 'x86_64'[],
          };
          ctx.out.print(
            unwrap(
              await client.POST('/v1/clouds/{c}/instance-types', { params: { path: { c: cloud.id } }, body }),
            ),
          );
        },
      ),
    );
  types
    .command('list <cloud>')
    .option('--arch <arch>', 'only types that run this architecture')
    .action(
      run(async (ctx, cloudRef: string, opts: { arch?: string }) => {
        const client = ctx.client();
        const cloud = await resolveCloud(client, cloudRef);
        const items = await allPages(async (cursor) =>
          unwrap(
            await client.GET('/v1/clouds/{c}/instance-types', {
              params: {
                path: { c: cloud.id },
                query: { cpuArchitecture: opts.arch as 'x86_64', limit: 500, cursor },
              },
            }),
          ),
        );
        ctx.out.print(items, {
          id: 'ID',
          resourceUid: 'RESOURCE UID',
          cpuCount: 'CPUS',
          memoryMb: 'MEMORY MB',
          cpuArchitectures: 'ARCHITECTURES',
        });
      }),
    );
}

/** An instance type of a cloud by id, name or resourceUid. */
export async function resolveInstanceType(
  client: ApiClient,
  cloudId: string,
  ref: string,
): Promise<{ id: string; name: string; resourceUid: string }> {
  const items = await allPages(async (cursor) =>
    unwrap(
      await client.GET('/v1/clouds/{c}/instance-types', {
        params: { path: { c: cloudId }, query: { limit: 500, cursor } },
      }),
    ),
  );
  const found = items.find((t) => t.id === ref || t.name === ref || t.resourceUid === ref);
  if (!found) throw new UsageError(`no instance type "${ref}" in cloud ${cloudId}`);
  return found;
}

/** An image of a cloud by id or resourceUid (e.g. ami-0abc…). */
export async function resolveImage(
  client: ApiClient,
  cloudId: string,
  ref: string,
): Promise<{ id: string; resourceUid: string; name: string }> {
  if (ref.startsWith('img_'))
    return unwrap(
      await client.GET('/v1/clouds/{c}/images/{id}', { params: { path: { c: cloudId, id: ref } } }),
    );
  const page = unwrap(
    await client.GET('/v1/clouds/{c}/images', {
      params: { path: { c: cloudId }, query: { q: ref, limit: 500 } },
    }),
  );
  const found = page.items.find((i) => i.resourceUid === ref);
  if (!found) throw new UsageError(`no image with resourceUid "${ref}" in cloud ${cloudId}`);
  return found;
}
