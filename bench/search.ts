/**
 * Filtered, paginated searches over HTTP (`GET /v1/clouds/{c}/images`), then the very SQL the
 * repository sent for each of them replayed on a plain pg client: the difference is the
 * service's own cost (HTTP, auth lookup, cloud check, validation, serialization).
 */
import { decodeCursor, type ImageState, type ImageVisibility, type CpuArchitecture } from '@mci/core';
import { catalogRepository, schema, type Db, type ImageFilter } from '@mci/db';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { benchImage, cloudRowRange, prng, type RowAccounts } from './catalog-rows.ts';

export const PAGE_LIMIT = 50;
const PAGES_PER_WALK = 4;
const WALKS_PER_KIND = 12;
const WARMUP_ROUNDS = 2;

type SearchParams = Partial<
  Pick<ImageFilter, 'q' | 'osFamily' | 'cpuArchitecture' | 'state' | 'visibility' | 'usableBy'>
>;

export interface SearchSetup {
  baseUrl: string;
  adminToken: string;
  member: { accountId: string; token: string };
  clouds: readonly { id: string }[];
  total: number;
  accounts: RowAccounts;
}

interface SearchKind {
  name: string;
  asMember: boolean;
  params(rng: () => number, cloudIndex: number): SearchParams;
}

export interface Sample {
  kind: string;
  ms: number;
  /** What the service passed to `listImages` for this request, to replay its SQL. */
  filter: ImageFilter;
}

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

const OS_FAMILIES = ['ubuntu', 'amazon-linux', 'windows', 'rhel', 'debian', 'sles', 'rocky', 'fedora-coreos'];
const Q_TERMS = [
  'jammy',
  'noble',
  'al2023',
  'Windows_Server-2022',
  'minimal',
  'sles-15',
  'ContainersLatest',
  'acme-platform-web',
];

/** The filter kinds the bench times; `q` also pastes an exact AMI id now and then, as people do. */
function searchKinds(setup: SearchSetup): SearchKind[] {
  const uidOf = (rng: () => number, cloudIndex: number) => {
    const { from, to } = cloudRowRange(cloudIndex, setup.clouds.length, setup.total);
    return benchImage(from + Math.floor(rng() * (to - from)), setup.accounts).resourceUid;
  };
  return [
    { name: 'none', asMember: false, params: () => ({}) },
    {
      name: 'q',
      asMember: false,
      params: (rng, k) => ({ q: rng() < 1 / (Q_TERMS.length + 1) ? uidOf(rng, k) : pick(rng, Q_TERMS) }),
    },
    { name: 'osFamily', asMember: false, params: (rng) => ({ osFamily: pick(rng, OS_FAMILIES) }) },
    {
      name: 'cpuArchitecture',
      asMember: false,
      params: (rng) => ({
        cpuArchitecture: pick<CpuArchitecture>(rng, ['x86_64', 'arm64', 'x86_64', 'arm64', 'i386']),
      }),
    },
    {
      name: 'state',
      asMember: false,
      params: (rng) => ({ state: pick<ImageState>(rng, ['available', 'deprecated', 'unavailable']) }),
    },
    {
      name: 'visibility',
      asMember: false,
      params: (rng) => ({ visibility: pick<ImageVisibility>(rng, ['public', 'private']) }),
    },
    { name: 'usableBy (member)', asMember: true, params: () => ({ usableBy: setup.member.accountId }) },
    {
      name: 'os+arch+state',
      asMember: false,
      params: (rng) => ({
        osFamily: pick(rng, OS_FAMILIES.slice(0, 5)),
        cpuArchitecture: pick<CpuArchitecture>(rng, ['x86_64', 'arm64']),
        state: 'available',
      }),
    },
  ];
}

/** One timed GET of a page; returns the elapsed time to the last byte and the next cursor. */
async function getPage(
  url: string,
  token: string,
): Promise<{ ms: number; nextCursor: string | null; items: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`bench: GET ${url} answered ${res.status}: ${body}`);
  const page = JSON.parse(body) as { items: unknown[]; nextCursor: string | null };
  return { ms, nextCursor: page.nextCursor, items: page.items.length };
}

/** The `listImages` filter the service builds for these parameters, caller and cursor. */
function serviceFilter(
  cloudId: string,
  params: SearchParams,
  visibleTo: string[] | undefined,
  cursor: string | undefined,
): ImageFilter {
  const after = cursor ? decodeCursor(cursor, 2) : undefined;
  return {
    ...params,
    cloudId,
    limit: PAGE_LIMIT,
    visibleTo,
    after: after ? { name: String(after[0]), id: String(after[1]) } : undefined,
  };
}

/** Walks up to 4 pages of one search, following `nextCursor`. */
async function walk(
  setup: SearchSetup,
  kind: SearchKind,
  cloudIndex: number,
  params: SearchParams,
): Promise<Sample[]> {
  const cloudId = setup.clouds[cloudIndex].id;
  const token = kind.asMember ? setup.member.token : setup.adminToken;
  const visibleTo = kind.asMember ? [setup.member.accountId] : undefined;
  const samples: Sample[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < PAGES_PER_WALK; page++) {
    const query = new URLSearchParams({ ...(params as Record<string, string>), limit: String(PAGE_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    const res = await getPage(`${setup.baseUrl}/v1/clouds/${cloudId}/images?${query}`, token);
    samples.push({ kind: kind.name, ms: res.ms, filter: serviceFilter(cloudId, params, visibleTo, cursor) });
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  return samples;
}

/** Warm-up rounds, then {@link WALKS_PER_KIND} walks of every kind, interleaved so drift hits all kinds alike. */
export async function runHttpSearches(setup: SearchSetup): Promise<Sample[]> {
  const kinds = searchKinds(setup);
  const rng = prng(0x5ea6c4);
  const samples: Sample[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + WALKS_PER_KIND; round++) {
    for (const kind of kinds) {
      const cloudIndex = Math.floor(rng() * setup.clouds.length);
      const walked = await walk(setup, kind, cloudIndex, kind.params(rng, cloudIndex));
      if (round >= WARMUP_ROUNDS) samples.push(...walked);
    }
  }
  return samples;
}

export interface CapturedSql {
  text: string;
  values: unknown[];
}

/** The exact statement and parameters `catalogRepository.listImages` sends, captured without running it. */
export function sqlCapturer(): (filter: ImageFilter) => Promise<CapturedSql> {
  let last: CapturedSql | undefined;
  const client = { query: async () => ({ rows: [], fields: [] }) };
  const recorder = drizzle({
    client: client as unknown as pg.Pool,
    schema,
    logger: { logQuery: (text: string, values: unknown[]) => void (last = { text, values }) },
  }) as unknown as Db;
  return async (filter) => {
    last = undefined;
    await catalogRepository.listImages(recorder, filter);
    if (!last) throw new Error('bench: listImages sent no query');
    return last;
  };
}

/** The SQL baseline: each sample's statement replayed on one plain pg client, after a short warm-up. */
export async function replaySql(url: string, samples: readonly Sample[]): Promise<Sample[]> {
  const capture = sqlCapturer();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const queries: CapturedSql[] = [];
    // One at a time: the capturer keeps the last statement it saw.
    for (const sample of samples) queries.push(await capture(sample.filter));
    for (const q of queries.slice(0, 50))
      await client.query({ text: q.text, values: q.values, rowMode: 'array' });
    const timed: Sample[] = [];
    for (const [i, q] of queries.entries()) {
      const started = performance.now();
      await client.query({ text: q.text, values: q.values, rowMode: 'array' });
      timed.push({ ...samples[i], ms: performance.now() - started });
    }
    return timed;
  } finally {
    await client.end();
  }
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of the statement behind `filter`, as lines. */
export async function explainAnalyze(url: string, filter: ImageFilter): Promise<string[]> {
  const { text, values } = await sqlCapturer()(filter);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>({
      text: `explain (analyze, buffers) ${text}`,
      values,
    });
    return rows.map((r) => r['QUERY PLAN']);
  } finally {
    await client.end();
  }
}
