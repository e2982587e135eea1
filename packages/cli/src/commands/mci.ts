import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Run } from '../main.ts';
import { resolveCloud, resolveImage, resolveInstanceType } from './catalog.ts';

const MCI_COLUMNS = {
  id: 'ID',
  name: 'NAME',
  revision: 'REV',
  clouds: 'CLOUDS',
  commitMessage: 'MESSAGE',
  lineageId: 'LINEAGE',
};

type MciLike = {
  settings: {
    cloudName: string;
    imageResourceUid: string;
    imageName: string;
    instanceTypeName: string;
    userData: string | null;
  }[];
  warnings?: { code: string; message: string }[];
};

/** Prints an MCI: its fields, then its cloud grid, then any warnings. */
export function printMci(ctx: CliContext, mci: Record<string, unknown> & MciLike): void {
  if (ctx.out.json) return ctx.out.print(mci);
  ctx.out.print(mci, {
    id: 'id',
    name: 'name',
    revision: 'revision',
    lineageId: 'lineage',
    description: 'description',
    tags: 'tags',
    baseRevision: 'base revision',
    clonedFrom: 'cloned from',
    importedFrom: 'imported from',
    commitMessage: 'commit message',
  });
  ctx.out.print(
    mci.settings.map((s) => ({ ...s, userData: s.userData ? `${s.userData.length} bytes` : '' })),
    {
      cloudName: 'CLOUD',
      imageResourceUid: 'IMAGE',
      imageName: 'IMAGE NAME',
      instanceTypeName: 'INSTANCE TYPE',
      cpuArchitecture: 'ARCH',
      userData: 'USER DATA',
    },
  );
  for (const w of mci.warnings ?? []) ctx.out.info(`warning: ${w.message} (${w.code})`);
}

/** A setting from names: cloud by name or id, instance type by name or resourceUid, image by resourceUid. */
async function settingFrom(
  ctx: CliContext,
  opts: { cloud: string; image: string; type: string; userDataFile?: string },
) {
  const client = ctx.client();
  const cloud = await resolveCloud(client, opts.cloud);
  const image = await resolveImage(client, cloud.id, opts.image);
  const type = await resolveInstanceType(client, cloud.id, opts.type);
  const userData = opts.userDataFile ? await readFile(opts.userDataFile, 'utf8') : undefined;
  return {
    cloudId: cloud.id,
    imageId: image.id,
    instanceTypeId: type.id,
    ...(userData !== undefined ? { userData } : {}),
  };
}

function parseResolutions(values: string[]): Record<string, 'ours' | 'theirs'> {
  const out: Record<string, 'ours' | 'theirs'> = {};
  for (const v of values) {
    const [key, side] = v.split('=');
    if (!key || (side !== 'ours' && side !== 'theirs'))
      throw new UsageError(`--resolve takes KEY=ours|theirs, got "${v}"`);
    out[key] = side;
  }
  return out;
}
const collect = (v: string, prev: string[]) => [...prev, v];

export function registerMcis(program: Command, run: Run): void {
  const mci = program.command('mci').description('MultiCloud Images');
  const path = (ctx: CliContext, id: string) => ({ params: { path: { a: ctx.account(), id } } });

  mci
    .command('list')
    .option('-q, --query <text>', 'text in the name')
    .option('--heads', 'HEADs only (revision 0)')
    .option('--lineage <id>', 'revisions of one lineage')
    .action(
      run(async (ctx, opts: { query?: string; heads?: boolean; lineage?: string }) => {
        const client = ctx.client();
        const a = ctx.account();
        const bar = ctx.out.progress('MCIs');
        const items = await allPages(
          async (cursor) =>
            unwrap(
              await client.GET('/v1/accounts/{a}/mcis', {
                params: {
                  path: { a },
                  query: {
                    q: opts.query,
                    revision: opts.heads ? 0 : undefined,
                    lineageId: opts.lineage,
                    limit: 200,
                    cursor,
                  },
                },
              }),
            ),
          (n) => bar.update(n),
        );
        bar.stop();
        if (ctx.out.json) return ctx.out.print(items);
        ctx.out.print(
          items.map((m) => ({ ...m, clouds: m.settings.length })),
          MCI_COLUMNS,
        );
      }),
    );
  mci
    .command('show <id>')
    .action(
      run(async (ctx, id: string) =>
        printMci(ctx, unwrap(await ctx.client().GET('/v1/accounts/{a}/mcis/{id}', path(ctx, id)))),
      ),
    );
  mci
    .command('create <name>')
    .option('--description <text>', 'description', '')
    .option('--tag <tag>', 'a tag (repeatable)', collect, [])
    .action(
      run(async (ctx, name: string, opts: { description: string; tag: string[] }) =>
        printMci(
          ctx,
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/mcis', {
              params: { path: { a: ctx.account() } },
              body: { name, description: opts.description, tags: opts.tag, settings: [] },
            }),
          ),
        ),
      ),
    );
  mci
    .command('edit <id>')
    .description('rename, describe or tag the HEAD')
    .option('--name <name>')
    .option('--description <text>')
    .option('--tag <tag>', 'replace the tags (repeatable)', collect)
    .action(
      run(async (ctx, id: string, opts: { name?: string; description?: string; tag?: string[] }) => {
        const body = { name: opts.name, description: opts.description, tags: opts.tag };
        printMci(
          ctx,
          unwrap(await ctx.client().PATCH('/v1/accounts/{a}/mcis/{id}', { ...path(ctx, id), body })),
        );
      }),
    );
  mci
    .command('delete <id>')
    .description('delete the whole lineage')
    .action(
      run(async (ctx, id: string) => {
        unwrap(await ctx.client().DELETE('/v1/accounts/{a}/mcis/{id}', path(ctx, id)));
        ctx.out.info(`deleted ${id}`);
      }),
    );
  for (const [verb, description] of [
    ['add-setting', 'add the setting for a cloud'],
    ['set-setting', "replace a cloud's setting"],
  ] as const) {
    mci
      .command(`${verb} <id>`)
      .description(description)
      .requiredOption('--cloud <cloud>', 'cloud id or name')
      .requiredOption('--image <image>', 'image id or resourceUid')
      .requiredOption('--type <instanceType>', 'instance type id, name or resourceUid')
      .option('--user-data-file <file>', 'user data (up to 16 KiB)')
      .action(
        run(async (ctx, id: string, opts) => {
          const setting = await settingFrom(ctx, opts);
          const client = ctx.client();
          const res =
            verb === 'add-setting'
              ? await client.POST('/v1/accounts/{a}/mcis/{id}/settings', { ...path(ctx, id), body: setting })
              : await client.PUT('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
                  params: { path: { a: ctx.account(), id, cloudId: setting.cloudId } },
                  body: {
                    imageId: setting.imageId,
                    instanceTypeId: setting.instanceTypeId,
                    userData: setting.userData,
                  },
                });
          printMci(ctx, unwrap(res));
        }),
      );
  }
  mci.command('remove-setting <id> <cloud>').action(
    run(async (ctx, id: string, cloudRef: string) => {
      const cloud = await resolveCloud(ctx.client(), cloudRef);
      printMci(
        ctx,
        unwrap(
          await ctx.client().DELETE('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
            params: { path: { a: ctx.account(), id, cloudId: cloud.id } },
          }),
        ),
      );
    }),
  );
  mci
    .command('commit <id>')
    .requiredOption('-m, --message <message>', 'what changed')
    .action(
      run(async (ctx, id: string, opts: { message: string }) =>
        printMci(
          ctx,
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/mcis/{id}/commit', {
              ...path(ctx, id),
              body: { message: opts.message },
            }),
          ),
        ),
      ),
    );
  mci
    .command('clone <id> <name>')
    .action(
      run(async (ctx, id: string, name: string) =>
        printMci(
          ctx,
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/mcis/{id}/clone', { ...path(ctx, id), body: { name } }),
          ),
        ),
      ),
    );
  mci.command('revisions <id>').action(
    run(async (ctx, id: string) => {
      const page = unwrap(await ctx.client().GET('/v1/accounts/{a}/mcis/{id}/revisions', path(ctx, id)));
      ctx.out.print(page.items, {
        revision: 'REV',
        id: 'ID',
        committedAt: 'COMMITTED',
        committedBy: 'BY',
        commitMessage: 'MESSAGE',
      });
    }),
  );
  mci
    .command('diff <id>')
    .description('what revision <id> changes relative to --against')
    .requiredOption('--against <id>', 'the revision to compare with')
    .action(
      run(async (ctx, id: string, opts: { against: string }) => {
        const d = unwrap(
          await ctx.client().GET('/v1/accounts/{a}/mcis/{id}/diff', {
            params: { path: { a: ctx.account(), id }, query: { against: opts.against } },
          }),
        );
        if (ctx.out.json) return ctx.out.print(d);
        ctx.out.info(
          `--- ${d.from.name} r${d.from.revision} (${d.from.id})\n+++ ${d.to.name} r${d.to.revision} (${d.to.id})`,
        );
        for (const [field, change] of Object.entries(d.fields))
          ctx.out.info(`~ ${field}: ${JSON.stringify(change!.from)} → ${JSON.stringify(change!.to)}`);
        for (const c of d.clouds) {
          const sign = c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~';
          const s = c.to ?? c.from!;
          const detail =
            c.change === 'changed'
              ? Object.entries(c.fields)
                  .map(
                    ([f, v]) =>
                      `${f}: ${typeof v!.from === 'object' && v!.from ? (v!.from as { resourceUid: string }).resourceUid : JSON.stringify(v!.from)} → ${typeof v!.to === 'object' && v!.to ? (v!.to as { resourceUid: string }).resourceUid : JSON.stringify(v!.to)}`,
                  )
                  .join('; ')
              : `${s.imageResourceUid} on ${s.instanceTypeName}`;
          ctx.out.info(`${sign} ${c.cloudName}: ${detail}`);
        }
        if (Object.keys(d.fields).length === 0 && d.clouds.length === 0) ctx.out.info('no differences');
      }),
    );
  mci
    .command('merge <id>')
    .description('three-way merge --from into the HEAD <id>')
    .requiredOption('--from <id>', 'the revision to merge in')
    .option('--resolve <key=side>', 'resolve a conflict: cloudId=ours|theirs (repeatable)', collect, [])
    .action(
      run(async (ctx, id: string, opts: { from: string; resolve: string[] }) => {
        const res = unwrap(
          await ctx.client().POST('/v1/accounts/{a}/mcis/{id}/merge', {
            ...path(ctx, id),
            body: { from: opts.from, resolutions: parseResolutions(opts.resolve) },
          }),
        );
        if (!ctx.out.json)
          ctx.out.info(
            `merged (base ${res.merge.baseId ?? 'none'}; from theirs: ${res.merge.fromTheirs.join(', ') || 'nothing'})`,
          );
        printMci(ctx, res);
      }),
    );
  mci.command('lint <id>').action(
    run(async (ctx, id: string) => {
      const res = unwrap(await ctx.client().GET('/v1/accounts/{a}/mcis/{id}/lint', path(ctx, id)));
      if (ctx.out.json) return ctx.out.print(res);
      if (res.warnings.length === 0) ctx.out.info('no warnings');
      else ctx.out.print(res.warnings, { code: 'CODE', message: 'MESSAGE', cloudId: 'CLOUD' });
    }),
  );
  mci.command('usage <id>').action(
    run(async (ctx, id: string) => {
      const res = unwrap(await ctx.client().GET('/v1/accounts/{a}/mcis/{id}/usage', path(ctx, id)));
      if (ctx.out.json) return ctx.out.print(res);
      ctx.out.print(
        res.revisions.map((r) => ({
          revision: r.revision,
          templates: r.templates.map((t) => `${t.name} r${t.revision}`),
          servers: r.servers.map((s) => s.name),
        })),
        { revision: 'REV', templates: 'TEMPLATES', servers: 'SERVERS' },
      );
    }),
  );
}
