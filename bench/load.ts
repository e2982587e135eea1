/**
 * Loads of the same rows: a raw `COPY images FROM STDIN` (the baseline), the repository's
 * `insertImagesBulk` alone, and the project's bulk path `createImagesBulk` (authorize, validate,
 * insertImagesBulk, audit), both in batches of 10,000 rows, each its own transaction.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newImageFrom, type Principal } from '@mci/core';
import { catalogRepository, newId, type Database } from '@mci/db';
import pg from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import type { AppContext } from '../packages/server/src/context.ts';
import type { CreateImageInput } from '../packages/server/src/modules/catalog/catalog.service.ts';
import { createImagesBulk } from '../packages/server/src/modules/catalog/catalog.service.ts';
import { benchImage, cloudRowRange, LOAD_CLOCK, type RowAccounts } from './catalog-rows.ts';

export const BATCH_SIZE = 10_000;
const PROGRESS_EVERY = 100_000;

export interface LoadPlan {
  total: number;
  clouds: readonly { id: string }[];
  accounts: RowAccounts;
}

export interface LoadResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface Batch {
  cloudId: string;
  rows: CreateImageInput[];
}

/** The plan's rows cloud by cloud, in batches of at most {@link BATCH_SIZE}: what both loads consume. */
export function* batchesOf(plan: LoadPlan): Generator<Batch> {
  for (const [k, cloud] of plan.clouds.entries()) {
    const { from, to } = cloudRowRange(k, plan.clouds.length, plan.total);
    for (let start = from; start < to; start += BATCH_SIZE) {
      const rows: CreateImageInput[] = [];
      for (let i = start; i < Math.min(start + BATCH_SIZE, to); i++) rows.push(benchImage(i, plan.accounts));
      yield { cloudId: cloud.id, rows };
    }
  }
}

/** Prints one line each time another 100,000 rows have gone through, with the timed seconds so far. */
export function progressPrinter(label: string): (rows: number, seconds: number) => void {
  let done = 0;
  let nextMark = PROGRESS_EVERY;
  return (rows, seconds) => {
    done += rows;
    while (done >= nextMark) {
      console.log(
        `  ${label.padEnd(18)} ${fmtInt(nextMark).padStart(9)} rows  ${seconds.toFixed(1).padStart(6)} s`,
      );
      nextMark += PROGRESS_EVERY;
    }
  };
}

export const COPY_COLUMNS = [
  'id',
  'cloud_id',
  'resource_uid',
  'name',
  'description',
  'os_family',
  'os_version',
  'cpu_architecture',
  'virtualization_type',
  'root_device_type',
  'visibility',
  'owner_account_id',
  'launch_permissions',
  'state',
  'deprecated_at',
  'replacement_image_id',
] as const;

/** A value in COPY text format: `\N` for null, backslash escapes for the separators. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}

/** A text[] literal with every element quoted. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** One COPY line holding exactly what the service stores for this input (core's `newImageFrom`). */
export function copyLine(id: string, cloudId: string, input: CreateImageInput): string {
  const row = newImageFrom(cloudId, input, LOAD_CLOCK);
  const fields: (string | null)[] = [
    id,
    row.cloudId,
    row.resourceUid,
    row.name,
    row.description,
    row.osFamily,
    row.osVersion,
    row.cpuArchitecture,
    row.virtualizationType,
    row.rootDeviceType,
    row.visibility,
    row.ownerAccountId,
    arrayLiteral(row.launchPermissions),
    row.state,
    row.deprecatedAt,
    row.replacementImageId,
  ];
  return `${fields.map(copyField).join('\t')}\n`;
}

/** Asks for a checkpoint so one load's dirty pages are not flushed on the next one's clock. */
export async function checkpoint(database: Database): Promise<void> {
  await database.pool!.query('checkpoint').catch(() => undefined);
}

/** The COPY text of every row, one buffer per batch, made before the clock starts. */
export function encodeCopyData(plan: LoadPlan): {
  chunks: { data: Buffer; rows: number }[];
  seconds: number;
} {
  const started = performance.now();
  const chunks = [...batchesOf(plan)].map((batch) => ({
    data: Buffer.from(batch.rows.map((row) => copyLine(newId('image'), batch.cloudId, row)).join('')),
    rows: batch.rows.length,
  }));
  return { chunks, seconds: (performance.now() - started) / 1000 };
}

/** The baseline: the pre-encoded rows through one `COPY images (...) FROM STDIN` on a plain pg client. */
export async function copyLoad(
  url: string,
  chunks: readonly { data: Buffer; rows: number }[],
): Promise<LoadResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const progress = progressPrinter('COPY (raw)');
    const started = performance.now();
    function* feed(): Generator<Buffer> {
      for (const chunk of chunks) {
        yield chunk.data;
        progress(chunk.rows, (performance.now() - started) / 1000);
      }
    }
    const copy = client.query(pgCopyStreams.from(`copy images (${COPY_COLUMNS.join(', ')}) from stdin`));
    // One chunk of read-ahead keeps the progress lines close to what the server has taken.
    await pipeline(Readable.from(feed(), { highWaterMark: 1 }), copy);
    const seconds = (performance.now() - started) / 1000;
    const rows = chunks.reduce((n, c) => n + c.rows, 0);
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await client.end();
  }
}

/**
 * The repository alone: `insertImagesBulk` in `db.transaction`, one batch per transaction, to
 * tell the insert's own cost from the service's. Only the transactions are timed.
 */
export async function repositoryLoad(database: Database, plan: LoadPlan): Promise<LoadResult> {
  const progress = progressPrinter('insertImagesBulk');
  let seconds = 0;
  let rows = 0;
  for (const batch of batchesOf(plan)) {
    const images = batch.rows.map((row) => newImageFrom(batch.cloudId, row, LOAD_CLOCK));
    const started = performance.now();
    const inserted = await database.db.transaction((tx) => catalogRepository.insertImagesBulk(tx, images));
    seconds += (performance.now() - started) / 1000;
    rows += inserted;
    progress(inserted, seconds);
  }
  return { rows, seconds, rowsPerSecond: rows / seconds };
}

/**
 * The project's bulk path: `createImagesBulk` as the superuser, one 10,000-row batch per call
 * and transaction. Only the calls are timed; each batch is generated before its call.
 */
export async function serviceLoad(
  ctx: AppContext,
  superuser: Principal,
  plan: LoadPlan,
): Promise<LoadResult & { generationSeconds: number }> {
  const progress = progressPrinter('createImagesBulk');
  let seconds = 0;
  let rows = 0;
  const generationStarted = performance.now();
  for (const batch of batchesOf(plan)) {
    const started = performance.now();
    const { created } = await createImagesBulk(ctx, superuser, batch.cloudId, batch.rows);
    seconds += (performance.now() - started) / 1000;
    rows += created;
    progress(created, seconds);
  }
  const generationSeconds = (performance.now() - generationStarted) / 1000 - seconds;
  return { rows, seconds, rowsPerSecond: rows / seconds, generationSeconds };
}

/**
 * An order-independent digest of every stored column but the id and timestamps, to show that
 * both loads stored the same rows.
 */
export async function tableDigest(database: Database): Promise<{ rows: number; digest: string }> {
  const { rows } = await database.pool!.query<{ n: number; digest: string }>(`
    select count(*)::int as n,
      coalesce(sum(hashtextextended(concat_ws('|', cloud_id, resource_uid, name, description, os_family,
        os_version, cpu_architecture, virtualization_type, root_device_type, visibility,
        coalesce(owner_account_id, '-'), launch_permissions::text, state, coalesce(deprecated_at::text, '-'),
        coalesce(replacement_image_id, '-')), 0)), 0)::text as digest
    from images`);
  return { rows: rows[0].n, digest: rows[0].digest };
}

/** Empties the images table (its indexes stay), ready for the second load. */
export async function truncateImages(database: Database): Promise<void> {
  // CASCADE only because other tables declare foreign keys to images; in this database they are empty.
  await database.pool!.query('truncate images cascade');
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
