import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Run } from '../main.ts';
import { pullTemplate, pushTemplates } from './template-code.ts';

type TemplateLike = Record<string, unknown> & {
  links: {
    id: string;
    mciId: string;
    mciName: string;
    mciRevision: number;
    isDefault: boolean;
    position: number;
    newerRevision: { revision: number } | null;
  }[];
  warnings?: { code: string; message: string }[];
};

/** Prints a template with its MCI links, the default marked, and update notices. */
export function printTemplate(ctx: CliContext, t: TemplateLike): void {
  if (ctx.out.json) return ctx.out.print(t);
  ctx.out.print(t, {
    id: 'id',
    name: 'name',
    revision: 'revision',
    lineageId: 'lineage',
    description: 'description',
    commitMessage: 'commit message',
  });
  ctx.out.print(
    t.links.map((l) => ({
      ...l,
      default: l.isDefault ? '*' : '',
      revision: l.mciRevision === 0 ? 'HEAD' : l.mciRevision,
      notice: l.newerRevision ? `r${l.newerRevision.revision} available` : '',
    })),
    { default: 'DEFAULT', id: 'LINK', mciName: 'MCI', revision: 'REV', mciId: 'MCI ID', notice: 'NOTICE' },
  );
  for (const w of t.warnings ?? []) ctx.out.info(`warning: ${w.message} (${w.code})`);
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerTemplates(program: Command, run: Run): void {
  const tpl = program.command('template').description('ServerTemplates');
  const path = (ctx: CliContext, id: string) => ({ params: { path: { a: ctx.account(), id } } });
  const linkPath = (ctx: CliContext, id: string, linkId: string) => ({
    params: { path: { a: ctx.account(), id, linkId } },
  });

  tpl
    .command('list')
    .option('-q, --query <text>', 'text in the name')
    .option('--heads', 'HEADs only')
    .action(
      run(async (ctx, opts: { query?: string; heads?: boolean }) => {
        const client = ctx.client();
        const a = ctx.account();
        const items = await allPages(async (cursor) =>
          unwrap(
            await client.GET('/v1/accounts/{a}/server-templates', {
              params: {
                path: { a },
                query: { q: opts.query, revision: opts.heads ? 0 : undefined, limit: 200, cursor },
              },
            }),
          ),
        );
        if (ctx.out.json) return ctx.out.print(items);
        ctx.out.print(
          items.map((t) => ({ ...t, mcis: t.links.length })),
          { id: 'ID', name: 'NAME', revision: 'REV', mcis: 'MCIS', commitMessage: 'MESSAGE' },
        );
      }),
    );
  tpl
    .command('show <id>')
    .action(
      run(async (ctx, id: string) =>
        printTemplate(
          ctx,
          unwrap(await ctx.client().GET('/v1/accounts/{a}/server-templates/{id}', path(ctx, id))),
        ),
      ),
    );
  tpl
    .command('create <name>')
    .option('--description <text>', 'description', '')
    .option('--mci <id>', 'an MCI revision to link; the first is the default (repeatable)', collect, [])
    .action(
      run(async (ctx, name: string, opts: { description: string; mci: string[] }) =>
        printTemplate(
          ctx,
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/server-templates', {
              params: { path: { a: ctx.account() } },
              body: { name, description: opts.description, tags: [], mciIds: opts.mci },
            }),
          ),
        ),
      ),
    );
  tpl.command('delete <id>').action(
    run(async (ctx, id: string) => {
      unwrap(await ctx.client().DELETE('/v1/accounts/{a}/server-templates/{id}', path(ctx, id)));
      ctx.out.info(`deleted ${id}`);
    }),
  );
  tpl
    .command('link <id> <mciId>')
    .description('link an MCI revision')
    .action(
      run(async (ctx, id: string, mciId: string) => {
        const client = ctx.client();
        unwrap(
          await client.POST('/v1/accounts/{a}/server-templates/{id}/mcis', {
            ...path(ctx, id),
            body: { mciId },
          }),
        );
        printTemplate(ctx, unwrap(await client.GET('/v1/accounts/{a}/server-templates/{id}', path(ctx, id))));
      }),
    );
  tpl
    .command('relink <id> <linkId> <mciId>')
    .description('point a link at another revision of its MCI')
    .action(
      run(async (ctx, id: string, linkId: string, mciId: string) =>
        printTemplate(
          ctx,
          unwrap(
            await ctx.client().PATCH('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', {
              ...linkPath(ctx, id, linkId),
              body: { mciId },
            }),
          ),
        ),
      ),
    );
  tpl
    .command('unlink <id> <linkId>')
    .action(
      run(async (ctx, id: string, linkId: string) =>
        printTemplate(
          ctx,
          unwrap(
            await ctx
              .client()
              .DELETE('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', linkPath(ctx, id, linkId)),
          ),
        ),
      ),
    );
  tpl
    .command('make-default <id> <linkId>')
    .action(
      run(async (ctx, id: string, linkId: string) =>
        printTemplate(
          ctx,
          unwrap(
            await ctx
              .client()
              .POST(
                '/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}/make-default',
                linkPath(ctx, id, linkId),
              ),
          ),
        ),
      ),
    );
  tpl
    .command('clouds <id>')
    .description('supported clouds and the MCI that serves each')
    .action(
      run(async (ctx, id: string) => {
        const page = unwrap(
          await ctx.client().GET('/v1/accounts/{a}/server-templates/{id}/clouds', path(ctx, id)),
        );
        ctx.out.print(page.items, {
          cloudName: 'CLOUD',
          cloudId: 'CLOUD ID',
          mciId: 'SERVED BY',
          coveredBy: 'COVERED BY',
        });
      }),
    );
  tpl
    .command('commit <id>')
    .requiredOption('-m, --message <message>', 'what changed')
    .option('--with-mcis', 'first commit every linked HEAD MCI and re-point the links')
    .action(
      run(async (ctx, id: string, opts: { message: string; withMcis?: boolean }) =>
        printTemplate(
          ctx,
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/server-templates/{id}/commit', {
              ...path(ctx, id),
              body: { message: opts.message, commitHeadDependencies: Boolean(opts.withMcis) },
            }),
          ),
        ),
      ),
    );
  tpl
    .command('clone <id> <name>')
    .action(
      run(async (ctx, id: string, name: string) =>
        printTemplate(
          ctx,
          unwrap(
            await ctx
              .client()
              .POST('/v1/accounts/{a}/server-templates/{id}/clone', { ...path(ctx, id), body: { name } }),
          ),
        ),
      ),
    );
  tpl
    .command('diff <id>')
    .requiredOption('--against <id>', 'the revision to compare with')
    .action(
      run(async (ctx, id: string, opts: { against: string }) => {
        const d = unwrap(
          await ctx.client().GET('/v1/accounts/{a}/server-templates/{id}/diff', {
            params: { path: { a: ctx.account(), id }, query: { against: opts.against } },
          }),
        );
        if (ctx.out.json) return ctx.out.print(d);
        ctx.out.info(`--- ${d.from.name} r${d.from.revision}\n+++ ${d.to.name} r${d.to.revision}`);
        for (const [field, change] of Object.entries(d.fields))
          ctx.out.info(`~ ${field}: ${JSON.stringify(change!.from)} → ${JSON.stringify(change!.to)}`);
        if (d.defaultChanged)
          ctx.out.info(
            `~ default: ${d.defaultChanged.from?.mciName ?? 'none'} → ${d.defaultChanged.to?.mciName ?? 'none'}`,
          );
        for (const l of d.links) {
          const sign = l.change === 'added' ? '+' : l.change === 'removed' ? '-' : '~';
          ctx.out.info(
            `${sign} ${l.mciName}${l.from ? ` r${l.from.revision}` : ''}${l.from && l.to ? ' →' : ''}${l.to ? ` r${l.to.revision}` : ''}`,
          );
        }
      }),
    );
  tpl
    .command('merge <id>')
    .requiredOption('--from <id>', 'the revision to merge in')
    .option('--resolve <key=side>', 'resolve a conflict: mciLineageId=ours|theirs (repeatable)', collect, [])
    .action(
      run(async (ctx, id: string, opts: { from: string; resolve: string[] }) => {
        const resolutions = Object.fromEntries(
          opts.resolve.map((v) => {
            const [k, side] = v.split('=');
            if (!k || (side !== 'ours' && side !== 'theirs'))
              throw new UsageError(`--resolve takes KEY=ours|theirs, got "${v}"`);
            return [k, side];
          }),
        ) as Record<string, 'ours' | 'theirs'>;
        printTemplate(
          ctx,
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/server-templates/{id}/merge', {
              ...path(ctx, id),
              body: { from: opts.from, resolutions },
            }),
          ),
        );
      }),
    );
  tpl
    .command('push <files...>')
    .description('create or update HEAD templates from right_st YAML files (or folders of them)')
    .option('--dry-run', 'print the plan without changing anything')
    .action(
      run(async (ctx, files: string[], opts: { dryRun?: boolean }) =>
        pushTemplates(ctx, files, Boolean(opts.dryRun)),
      ),
    );
  tpl
    .command('pull <id>')
    .description('write a template in right_st YAML')
    .option('-o, --output <file>', 'write to a file (keeping its unmodelled sections) instead of stdout')
    .action(run(async (ctx, id: string, opts: { output?: string }) => pullTemplate(ctx, id, opts.output)));
}
