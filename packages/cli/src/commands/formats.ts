import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { paths } from '@mci/client';
import { unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Run } from '../main.ts';

type ImportBody = NonNullable<
  paths['/v1/accounts/{a}/catalog-imports']['post']['requestBody']
>['content']['application/json'];

const FORMATS = ['cloudformation-mappings', 'coreos-stream', 'simplestreams'] as const;
const ARCHITECTURES = ['x86_64', 'arm64', 'i386'] as const;

interface ImportOptions {
  format: string;
  apply?: boolean;
  commit?: boolean;
  message?: string;
  prefix?: string;
  instanceType?: string[];
  mapName?: string;
  platform?: string;
  streamVersion?: string;
  product?: string;
}

/** `--instance-type x86_64=t3.micro arm64=t4g.micro` → the default instance type per architecture. */
function defaultTypes(pairs: string[] = []): ImportBody['defaultInstanceTypes'] {
  if (pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const [arch, type] = pair.split('=');
    if (!type || !(ARCHITECTURES as readonly string[]).includes(arch))
      throw new UsageError(
        `--instance-type ${pair}: give <architecture>=<type>, architecture one of ${ARCHITECTURES.join(', ')}`,
      );
    out[arch] = type;
  }
  return out;
}

/**
 * `mci import-catalog FILE --format …`: the server's preview (R-FMT-1) as a table of the MCIs and
 * settings it would write and the entries it cannot use; `--apply` writes exactly that (in one
 * transaction), `--commit -m …` commits what changed.
 */
export async function importCatalogFile(ctx: CliContext, file: string, opts: ImportOptions): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(opts.format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (opts.commit && !opts.message) throw new UsageError('--commit needs a message: -m "…"');
  if (opts.commit && !opts.apply) throw new UsageError('--commit writes: give --apply too');
  const document = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  const body: ImportBody = {
    format: opts.format as ImportBody['format'],
    document,
    dryRun: !opts.apply,
    commitMessage: opts.commit ? opts.message : undefined,
    namePrefix: opts.prefix,
    defaultInstanceTypes: defaultTypes(opts.instanceType),
    mapName: opts.mapName,
    platform: opts.platform,
    version: opts.streamVersion,
    product: opts.product,
  };
  const result = unwrap(
    await ctx.client().POST('/v1/accounts/{a}/catalog-imports', {
      params: { path: { a: ctx.account() } },
      body,
    }),
  );
  if (ctx.out.json) return ctx.out.print(result);
  const rows = result.mcis.flatMap((m) =>
    m.settings.map((s) => ({
      mci: m.name,
      action: m.action,
      region: s.region,
      cloud: s.cloudName,
      image: s.resourceUid,
      type: s.instanceType,
      change: s.change,
    })),
  );
  if (rows.length)
    ctx.out.print(rows, {
      mci: 'MCI',
      action: 'ACTION',
      region: 'REGION',
      cloud: 'CLOUD',
      image: 'IMAGE',
      type: 'TYPE',
      change: 'SETTING',
    });
  else ctx.out.info('No MCI: no entry of the document could be used.');
  if (result.skipped.length) {
    ctx.out.info(`\nNot imported (${result.skipped.length}):`);
    ctx.out.print(
      result.skipped.map((s) => ({
        variant: s.variant ?? '',
        region: s.region ?? '',
        reason: s.reason,
        why: s.message,
      })),
      { variant: 'VARIANT', region: 'REGION', reason: 'REASON', why: 'WHY' },
    );
  }
  for (const m of result.mcis.filter((x) => x.committedRevision !== null))
    ctx.out.info(`committed "${m.name}" as revision ${m.committedRevision} (${m.committedRevisionId})`);
  ctx.out.info(
    result.dryRun
      ? '\nPreview only: nothing was written. Run again with --apply (and --commit -m "…") to write it.'
      : `\nImported ${result.mcis.filter((m) => m.action !== 'unchanged').length} MCI(s); ${result.mcis.filter((m) => m.action === 'unchanged').length} unchanged.`,
  );
}

export function registerFormats(program: Command, run: Run): void {
  program
    .command('import-catalog')
    .description(
      'Import a CloudFormation map, a CoreOS stream or a simplestreams document as MCIs (a preview unless --apply)',
    )
    .argument('<file>', 'the document (JSON or YAML)')
    .requiredOption('--format <format>', FORMATS.join(' | '))
    .option('--apply', 'write what the preview shows (one transaction)')
    .option('--commit', 'commit every MCI the import creates or changes (needs -m)')
    .option('-m, --message <text>', 'the commit message')
    .option('--prefix <name>', 'name MCIs "<prefix> <variant>"')
    .option('--instance-type <arch=type...>', 'instance type per architecture where the document names none')
    .option('--map-name <name>', 'cloudformation-mappings: the mapping to read (default AWSRegionArch2AMI)')
    .option('--platform <name>', 'coreos-stream: the platform (default aws)')
    .option('--stream-version <version>', 'simplestreams: a version instead of the newest')
    .option('--product <name>', 'simplestreams: only this product')
    .action(run(async (ctx, file: string, opts: ImportOptions) => importCatalogFile(ctx, file, opts)));
}
