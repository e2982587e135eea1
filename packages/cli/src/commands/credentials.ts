import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Run } from '../main.ts';
import { resolveCloud } from './catalog.ts';

const CLOUD_TYPES = ['aws', 'simulated'] as const;
type CredentialCloudType = (typeof CLOUD_TYPES)[number];

const repeat = (v: string, previous: string[] | undefined) => [...(previous ?? []), v];

const COLUMNS = {
  id: 'ID',
  cloudType: 'TYPE',
  accessKeyHint: 'KEY',
  principal: 'PRINCIPAL',
  fingerprint: 'FINGERPRINT',
  lastUsedAt: 'LAST USED',
  lastError: 'LAST ERROR',
};

interface KeyOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  secretStdin?: boolean;
  sessionToken?: string;
  endpoint?: string;
  roleArn?: string;
  owner?: string[];
  nameFilter?: string[];
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError('--secret-stdin reads the secret from a pipe, e.g. `pass aws/secret | mci …`');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0].trim();
}

/**
 * The keys from the options or the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), the secret from stdin with --secret-stdin. The secret is never printed.
 */
async function keysOf(opts: KeyOptions) {
  const accessKeyId = opts.accessKeyId ?? (process.env.AWS_ACCESS_KEY_ID || undefined);
  if (!accessKeyId) throw new UsageError('give --access-key-id (or $AWS_ACCESS_KEY_ID)');
  if (opts.secretStdin && opts.secretAccessKey)
    throw new UsageError('give the secret either with --secret-access-key or on stdin, not both');
  const secretAccessKey = opts.secretStdin
    ? await readStdin()
    : (opts.secretAccessKey ?? (process.env.AWS_SECRET_ACCESS_KEY || undefined));
  if (!secretAccessKey)
    throw new UsageError('give the secret: $AWS_SECRET_ACCESS_KEY, --secret-stdin, or --secret-access-key');
  const sessionToken = opts.sessionToken ?? (process.env.AWS_SESSION_TOKEN || undefined);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function withKeyOptions(cmd: Command): Command {
  return cmd
    .option('--access-key-id <id>', 'the access key id (default: $AWS_ACCESS_KEY_ID)')
    .option(
      '--secret-access-key <secret>',
      'the secret (prefer $AWS_SECRET_ACCESS_KEY or --secret-stdin: arguments show in the process list)',
    )
    .option('--secret-stdin', 'read the secret from the first line of stdin')
    .option('--session-token <token>', 'for temporary keys (default: $AWS_SESSION_TOKEN)')
    .option('--endpoint <url>', 'endpoint override, e.g. an emulator (http://127.0.0.1:5000)')
    .option('--role-arn <arn>', 'a role to assume with the keys')
    .option('--owner <owner>', "owners of the account's own image listing (repeatable; default self)", repeat)
    .option('--name-filter <pattern>', 'image name patterns of that listing (repeatable)', repeat);
}

/** A credential by id, or by its cloud type (an account has at most one per type). */
async function resolveCredential(ctx: CliContext, ref: string) {
  const a = ctx.account();
  const client = ctx.client();
  if (ref.startsWith('ccr_'))
    return unwrap(
      await client.GET('/v1/accounts/{a}/cloud-credentials/{id}', { params: { path: { a, id: ref } } }),
    );
  const items = await allPages(async (cursor) =>
    unwrap(
      await client.GET('/v1/accounts/{a}/cloud-credentials', {
        params: { path: { a }, query: { limit: 100, cursor } },
      }),
    ),
  );
  const found = items.find((c) => c.cloudType === ref);
  if (!found) throw new UsageError(`no ${ref} credentials in account ${a} (try \`mci credentials list\`)`);
  return found;
}

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

function printCredential(ctx: CliContext, view: Record<string, unknown>) {
  if (ctx.out.json) return ctx.out.print(view);
  const { accountId: _accountId, ...rest } = view;
  ctx.out.print(rest);
}

/**
 * `mci credentials add|list|show|rotate|set|check|rm` (R-CLD-1, account admins) and
 * `mci cloud set` (superuser: a cloud's driver and sync settings).
 */
export function registerCredentials(program: Command, run: Run): void {
  const credentials = program
    .command('credentials')
    .description("the current account's cloud credentials (admin): secrets are never shown");

  withKeyOptions(
    credentials
      .command('add')
      .description('register credentials for a cloud type; the cloud is asked who they belong to')
      .requiredOption('--cloud-type <type>', CLOUD_TYPES.join(' or ')),
  ).action(
    run(async (ctx, opts: KeyOptions & { cloudType: string }) => {
      if (!CLOUD_TYPES.includes(opts.cloudType as CredentialCloudType))
        throw new UsageError(`--cloud-type must be ${CLOUD_TYPES.join(' or ')}`);
      const view = unwrap(
        await ctx.client().POST('/v1/accounts/{a}/cloud-credentials', {
          params: { path: { a: ctx.account() } },
          body: {
            cloudType: opts.cloudType as CredentialCloudType,
            ...(await keysOf(opts)),
            endpoint: opts.endpoint,
            roleArn: opts.roleArn,
            syncOwners: opts.owner,
            syncNameFilters: opts.nameFilter,
          },
        }),
      );
      printCredential(ctx, view);
    }),
  );

  credentials
    .command('list')
    .description('credentials of the account: fingerprint, principal, last use and error')
    .action(
      run(async (ctx) => {
        const a = ctx.account();
        const client = ctx.client();
        const items = await allPages(async (cursor) =>
          unwrap(
            await client.GET('/v1/accounts/{a}/cloud-credentials', {
              params: { path: { a }, query: { limit: 100, cursor } },
            }),
          ),
        );
        if (ctx.out.json) return ctx.out.print(items);
        ctx.out.print(
          items.map((c) => ({ ...c, lastUsedAt: c.lastUsedAt ?? 'never' })),
          COLUMNS,
        );
      }),
    );

  credentials
    .command('show <credential>')
    .description('one set of credentials, by id or cloud type')
    .action(run(async (ctx, ref: string) => printCredential(ctx, await resolveCredential(ctx, ref))));

  withKeyOptions(
    credentials
      .command('rotate <credential>')
      .description(
        'replace the keys (by id or cloud type); endpoint, role and sync settings kept unless given',
      ),
  )
    .option('--no-endpoint', 'clear the endpoint override')
    .option('--no-role-arn', 'clear the role to assume')
    .action(
      run(
        async (
          ctx,
          ref: string,
          opts: Omit<KeyOptions, 'endpoint' | 'roleArn'> & {
            endpoint?: string | false;
            roleArn?: string | false;
          },
        ) => {
          const current = await resolveCredential(ctx, ref);
          const keys = await keysOf({ ...opts, endpoint: undefined, roleArn: undefined });
          const view = unwrap(
            await ctx.client().PUT('/v1/accounts/{a}/cloud-credentials/{id}', {
              params: { path: { a: ctx.account(), id: current.id } },
              body: {
                ...keys,
                endpoint: opts.endpoint === false ? null : opts.endpoint,
                roleArn: opts.roleArn === false ? null : opts.roleArn,
                syncOwners: opts.owner,
                syncNameFilters: opts.nameFilter,
              },
            }),
          );
          printCredential(ctx, view);
        },
      ),
    );

  credentials
    .command('set <credential>')
    .description("what the account's own image listing asks for (by id or cloud type); keys untouched")
    .option(
      '--owner <owner>',
      'an owner: self, an account id, an alias (repeatable; replaces the list)',
      repeat,
    )
    .option('--name-filter <pattern>', 'an image name pattern (repeatable; replaces the list)', repeat)
    .option('--no-name-filters', 'list every name')
    .action(
      run(
        async (
          ctx,
          ref: string,
          opts: { owner?: string[]; nameFilter?: string[]; nameFilters?: boolean },
        ) => {
          const nameFilters = opts.nameFilters === false ? [] : opts.nameFilter;
          if (!opts.owner && !nameFilters)
            throw new UsageError('nothing to change: give --owner or --name-filter');
          const current = await resolveCredential(ctx, ref);
          const view = unwrap(
            await ctx.client().PATCH('/v1/accounts/{a}/cloud-credentials/{id}', {
              params: { path: { a: ctx.account(), id: current.id } },
              body: {
                ...(opts.owner ? { syncOwners: opts.owner } : {}),
                ...(nameFilters ? { syncNameFilters: nameFilters } : {}),
              },
            }),
          );
          printCredential(ctx, view);
        },
      ),
    );

  credentials
    .command('check <credential>')
    .description('ask the cloud whether the stored credentials still work, and whose they are')
    .action(
      run(async (ctx, ref: string) => {
        const current = await resolveCredential(ctx, ref);
        const view = unwrap(
          await ctx.client().POST('/v1/accounts/{a}/cloud-credentials/{id}/check', {
            params: { path: { a: ctx.account(), id: current.id } },
          }),
        );
        printCredential(ctx, view);
      }),
    );

  credentials
    .command('rm <credential>')
    .description('delete credentials (by id or cloud type): syncs and launches needing them stop')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      run(async (ctx, ref: string, opts: { yes?: boolean }) => {
        const current = await resolveCredential(ctx, ref);
        const question = `delete the ${current.cloudType} credentials ${current.id} (key ${current.accessKeyHint}) of account ${current.accountId}?`;
        if (!(await confirm(question, opts.yes))) {
          ctx.out.info('kept');
          return;
        }
        unwrap(
          await ctx.client().DELETE('/v1/accounts/{a}/cloud-credentials/{id}', {
            params: { path: { a: ctx.account(), id: current.id } },
          }),
        );
        if (ctx.out.json) return ctx.out.print({ deleted: current.id });
        ctx.out.info(`deleted ${current.id}`);
      }),
    );

  registerCloudSet(program, run);
}

/** `mci cloud set NAME …`: `cloud` is the `clouds` group under its singular name too. */
function registerCloudSet(program: Command, run: Run): void {
  // A `cloud` group of its own (another command file's) takes `set`; else `clouds` answers to `cloud`.
  let clouds = program.commands.find((c) => c.name() === 'cloud' || c.aliases().includes('cloud'));
  if (!clouds) {
    clouds = program.commands.find((c) => c.name() === 'clouds') ?? program.command('clouds');
    clouds.alias('cloud');
  }
  clouds
    .command('set <cloud>')
    .description("change a cloud's driver and sync settings (superuser)")
    .option('--driver <driver>', 'none, simulated or aws')
    .option('--owners <owners>', 'owners a sync lists, comma-separated (`amazon,self`); "" for none')
    .option('--owner <owner>', 'an owner a sync lists (repeatable; replaces the list)', repeat)
    .option('--name-filter <pattern>', 'an image name pattern (repeatable; replaces the list)', repeat)
    .option('--no-name-filters', 'list every name')
    .option('--interval <seconds>', 'scheduled sync every so many seconds (≥ 60); "off" for none')
    .option('--description <text>', 'description')
    .action(
      run(
        async (
          ctx,
          ref: string,
          opts: {
            driver?: string;
            owners?: string;
            owner?: string[];
            nameFilter?: string[];
            nameFilters?: boolean;
            interval?: string;
            description?: string;
          },
        ) => {
          const client = ctx.client();
          const cloud = await resolveCloud(client, ref);
          const owners =
            opts.owners !== undefined
              ? opts.owners
                  .split(',')
                  .map((o) => o.trim())
                  .filter(Boolean)
              : opts.owner;
          const nameFilters = opts.nameFilters === false ? [] : opts.nameFilter;
          let intervalSeconds: number | null | undefined;
          if (opts.interval !== undefined) {
            intervalSeconds = /^(off|none|0)$/i.test(opts.interval) ? null : Number(opts.interval);
            if (intervalSeconds !== null && (!Number.isInteger(intervalSeconds) || intervalSeconds < 60))
              throw new UsageError(
                `--interval must be a whole number of seconds ≥ 60, or "off": ${opts.interval}`,
              );
          }
          const sync = {
            ...(owners !== undefined ? { owners } : {}),
            ...(nameFilters !== undefined ? { nameFilters } : {}),
            ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
          };
          const body = {
            ...(opts.driver ? { driver: opts.driver as 'aws' } : {}),
            ...(opts.description !== undefined ? { description: opts.description } : {}),
            ...(Object.keys(sync).length > 0 ? { sync } : {}),
          };
          if (Object.keys(body).length === 0)
            throw new UsageError(
              'nothing to change: give --driver, --owners, --name-filter, --interval or --description',
            );
          const updated = unwrap(
            await client.PATCH('/v1/clouds/{c}', { params: { path: { c: cloud.id } }, body }),
          );
          if (ctx.out.json) return ctx.out.print(updated);
          ctx.out.print({
            id: updated.id,
            name: updated.name,
            driver: updated.driver,
            owners: updated.sync.owners,
            nameFilters: updated.sync.nameFilters,
            intervalSeconds: updated.sync.intervalSeconds ?? 'on request',
          });
        },
      ),
    );
}
