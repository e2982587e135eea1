import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import type { Run } from '../main.ts';

const PUB_COLUMNS = {
  id: 'ID',
  kind: 'KIND',
  name: 'NAME',
  revision: 'REV',
  publisherName: 'PUBLISHER',
  visibility: 'VISIBILITY',
  state: 'STATE',
  shortDescription: 'DESCRIPTION',
};
const collect = (v: string, prev: string[]) => [...prev, v];

type PreflightReport = {
  receivingAccounts: { id: string; name: string }[];
  images: { imageId: string; resourceUid: string; cloudName: string; visibility: string }[];
  matrix: { imageId: string; accountId: string; usable: boolean; reason: string | null }[];
  warnings: { code: string; message: string }[];
  gaps: number;
  ok: boolean;
};

/** The preflight as a grid: one row per image, one column per receiving account. */
export function printPreflight(ctx: CliContext, report: PreflightReport): void {
  if (ctx.out.json) return ctx.out.print(report);
  const rows = report.images.map((img) => {
    const row: Record<string, string> = {
      cloud: img.cloudName,
      image: `${img.resourceUid} (${img.visibility})`,
    };
    for (const acc of report.receivingAccounts) {
      const cell = report.matrix.find((c) => c.imageId === img.imageId && c.accountId === acc.id);
      row[acc.id] = !cell
        ? ''
        : cell.usable
          ? cell.reason
            ? `ok (${cell.reason})`
            : 'ok'
          : `NO: ${cell.reason}`;
    }
    return row;
  });
  ctx.out.print(rows, {
    cloud: 'CLOUD',
    image: 'IMAGE',
    ...Object.fromEntries(report.receivingAccounts.map((a) => [a.id, a.name])),
  });
  for (const w of report.warnings) ctx.out.info(`warning: ${w.message}`);
  ctx.out.info(
    report.ok
      ? 'preflight: every receiving account can launch every image'
      : `preflight: ${report.gaps} gap(s)`,
  );
}

export function registerMarketplace(program: Command, run: Run): void {
  const market = program.command('market').description('the marketplace');
  market
    .command('search [text]')
    .option('--kind <kind>', 'mci or server_template')
    .option('--category <category>')
    .option('--publisher <accountId>')
    .option('--cloud <cloudId>')
    .action(
      run(
        async (
          ctx,
          text: string | undefined,
          opts: { kind?: string; category?: string; publisher?: string; cloud?: string },
        ) => {
          const client = ctx.client();
          const a = ctx.account();
          const items = await allPages(async (cursor) =>
            unwrap(
              await client.GET('/v1/accounts/{a}/marketplace', {
                params: {
                  path: { a },
                  query: {
                    q: text,
                    kind: opts.kind as 'mci',
                    category: opts.category,
                    publisher: opts.publisher,
                    cloudId: opts.cloud,
                    limit: 200,
                    cursor,
                  },
                },
              }),
            ),
          );
          ctx.out.print(items, PUB_COLUMNS);
        },
      ),
    );
  market
    .command('show <publicationId>')
    .action(
      run(async (ctx, p: string) =>
        ctx.out.print(
          unwrap(
            await ctx
              .client()
              .GET('/v1/accounts/{a}/publications/{p}', { params: { path: { a: ctx.account(), p } } }),
          ),
        ),
      ),
    );

  const publishOptions = (cmd: Command) =>
    cmd
      .requiredOption('--description <text>', 'short description')
      .option('--long-description <text>', 'long description', '')
      .option('--notes <text>', 'revision notes (default: the commit message)')
      .option(
        '--group <groupId>',
        'share with an account group instead of publicly (repeatable)',
        collect,
        [],
      )
      .option('--category <category>', 'a category (repeatable)', collect, [])
      .option('--strict', 'refuse if any receiving account could not launch an image');
  const body = (
    sourceId: string,
    o: {
      description: string;
      longDescription: string;
      notes?: string;
      group: string[];
      category: string[];
      strict?: boolean;
    },
  ) => ({
    sourceId,
    visibility: o.group.length > 0 ? ('groups' as const) : ('public' as const),
    groupIds: o.group,
    shortDescription: o.description,
    longDescription: o.longDescription,
    revisionNotes: o.notes,
    categories: o.category,
    strict: Boolean(o.strict),
  });

  publishOptions(
    program
      .command('preflight <sourceId>')
      .description('can every receiving account launch every image? (publishes nothing)'),
  ).action(
    run(async (ctx, sourceId: string, o) =>
      printPreflight(
        ctx,
        unwrap(
          await ctx.client().POST('/v1/accounts/{a}/publications/preflight', {
            params: { path: { a: ctx.account() } },
            body: body(sourceId, o),
          }),
        ),
      ),
    ),
  );
  publishOptions(
    program
      .command('publish <sourceId>')
      .description('publish a committed MCI or template revision (runs the preflight first)'),
  ).action(
    run(async (ctx, sourceId: string, o) => {
      const res = unwrap(
        await ctx.client().POST('/v1/accounts/{a}/publications', {
          params: { path: { a: ctx.account() } },
          body: body(sourceId, o),
        }),
      );
      if (ctx.out.json) return ctx.out.print(res);
      printPreflight(ctx, res.preflight);
      ctx.out.print([res.publication, ...res.publishedAlong], PUB_COLUMNS);
    }),
  );
  program
    .command('import <publicationId>')
    .description('import a publication as a read-only copy (again: returns the existing copy)')
    .action(
      run(async (ctx, publicationId: string) => {
        const res = unwrap(
          await ctx.client().POST('/v1/accounts/{a}/imports', {
            params: { path: { a: ctx.account() } },
            body: { publicationId },
          }),
        );
        if (ctx.out.json) return ctx.out.print(res);
        const along = res.importedMcis.filter((m) => m.created).length;
        ctx.out.info(
          `${res.created ? 'imported' : 'already imported'}: ${res.kind} ${res.id} "${res.name}" r${res.revision}${along ? ` (with ${along} MCI(s))` : ''}`,
        );
      }),
    );
  const publication = program.command('publication').description("your account's publications");
  publication.command('list').action(
    run(async (ctx) => {
      const client = ctx.client();
      const a = ctx.account();
      ctx.out.print(
        await allPages(async (cursor) =>
          unwrap(
            await client.GET('/v1/accounts/{a}/publications', {
              params: { path: { a }, query: { limit: 200, cursor } },
            }),
          ),
        ),
        PUB_COLUMNS,
      );
    }),
  );
  for (const action of ['deprecate', 'reactivate'] as const) {
    publication.command(`${action} <publicationId>`).action(
      run(async (ctx, p: string) => {
        const path =
          action === 'deprecate'
            ? '/v1/accounts/{a}/publications/{p}/deprecate'
            : '/v1/accounts/{a}/publications/{p}/reactivate';
        ctx.out.print(
          unwrap(await ctx.client().POST(path, { params: { path: { a: ctx.account(), p } } })),
          PUB_COLUMNS,
        );
      }),
    );
  }

  const group = program.command('group').description('account groups and invitations');
  group.command('list').action(
    run(async (ctx) => {
      const page = unwrap(
        await ctx.client().GET('/v1/accounts/{a}/account-groups', { params: { path: { a: ctx.account() } } }),
      );
      ctx.out.print(page.items, {
        id: 'ID',
        name: 'NAME',
        ownerAccountId: 'OWNER',
        memberAccountIds: 'MEMBERS',
      });
    }),
  );
  group
    .command('create <name>')
    .option('--description <text>', 'description', '')
    .action(
      run(async (ctx, name: string, o: { description: string }) =>
        ctx.out.print(
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/account-groups', {
              params: { path: { a: ctx.account() } },
              body: { name, description: o.description },
            }),
          ),
        ),
      ),
    );
  group
    .command('invite <groupId> <accountId>')
    .description('invite an account; prints the code to give its admin (shown once, valid 6 days)')
    .action(
      run(async (ctx, g: string, accountId: string) =>
        ctx.out.print(
          unwrap(
            await ctx.client().POST('/v1/accounts/{a}/account-groups/{g}/invitations', {
              params: { path: { a: ctx.account(), g } },
              body: { accountId },
            }),
          ),
        ),
      ),
    );
  group
    .command('invitations [groupId]')
    .description("a group's invitations, or those your account received")
    .action(
      run(async (ctx, g?: string) => {
        const client = ctx.client();
        const page = g
          ? unwrap(
              await client.GET('/v1/accounts/{a}/account-groups/{g}/invitations', {
                params: { path: { a: ctx.account(), g } },
              }),
            )
          : unwrap(
              await client.GET('/v1/accounts/{a}/invitations', { params: { path: { a: ctx.account() } } }),
            );
        ctx.out.print(page.items, {
          id: 'ID',
          groupId: 'GROUP',
          inviteeAccountId: 'INVITEE',
          state: 'STATE',
          expiresAt: 'EXPIRES',
        });
      }),
    );
  group.command('cancel <groupId> <invitationId>').action(
    run(async (ctx, g: string, invitationId: string) =>
      ctx.out.print(
        unwrap(
          await ctx.client().DELETE('/v1/accounts/{a}/account-groups/{g}/invitations/{invitationId}', {
            params: { path: { a: ctx.account(), g, invitationId } },
          }),
        ),
      ),
    ),
  );
  group
    .command('accept <code>')
    .description('accept an invitation for your account (admin)')
    .action(
      run(async (ctx, code: string) => {
        const res = unwrap(
          await ctx.client().POST('/v1/accounts/{b}/invitations/{code}/accept', {
            params: { path: { b: ctx.account(), code } },
          }),
        );
        if (ctx.out.json) return ctx.out.print(res);
        ctx.out.info(`joined account group "${res.group.name}" (${res.group.id})`);
      }),
    );
  group.command('remove-member <groupId> <accountId>').action(
    run(async (ctx, g: string, accountId: string) => {
      unwrap(
        await ctx.client().DELETE('/v1/accounts/{a}/account-groups/{g}/members/{accountId}', {
          params: { path: { a: ctx.account(), g, accountId } },
        }),
      );
      ctx.out.info(`removed ${accountId} from ${g}`);
    }),
  );
}
