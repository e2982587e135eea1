/**
 * Which SQL statements one request makes the service issue, read from PostgreSQL's own log:
 * `log_statement = all` is switched on for the bench's throw-away cluster around the request
 * (ALTER SYSTEM + pg_reload_conf, reset afterwards), and the log lines of the bench database
 * are parsed back into statements with their parameters. The baseline routes replay them.
 */
import { open, stat } from 'node:fs/promises';
import pg from 'pg';

export interface Statement {
  text: string;
  /** Parameters as PostgreSQL logged them (text form), null for NULL. */
  values: (string | null)[];
}

const PREFIX = '@@%d@@%c@@ ';
const settle = () => new Promise((r) => setTimeout(r, 300));

async function setLogging(adminUrl: string, on: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    if (on) {
      await client.query(`alter system set log_line_prefix = '${PREFIX}'`);
      await client.query(`alter system set log_statement = 'all'`);
    } else {
      await client.query('alter system reset log_statement');
      await client.query('alter system reset log_line_prefix');
    }
    await client.query('select pg_reload_conf()');
  } finally {
    await client.end();
  }
  // Each backend applies a reload before its next command; give the signal time to arrive.
  await settle();
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** `$1 = 'a''b', $2 = NULL` → ['a\'b', null]. */
export function parseParameters(detail: string): (string | null)[] {
  const values: (string | null)[] = [];
  const re = /\$(\d+) = (NULL|'((?:[^']|'')*)')(?:, |$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(detail)) !== null) {
    values[Number(m[1]) - 1] = m[2] === 'NULL' ? null : m[3].replaceAll("''", "'");
  }
  return values;
}

/** The statements of database `dbName` in a stretch of log written with {@link PREFIX}. */
export function parseStatementLog(log: string, dbName: string): Statement[] {
  const records: { db: string; body: string }[] = [];
  for (const line of log.split('\n')) {
    const m = /^@@([^@]*)@@([^@]*)@@ (.*)$/.exec(line);
    if (m) records.push({ db: m[1], body: m[3] });
    else if (records.length > 0) records[records.length - 1].body += `\n${line}`;
  }
  const statements: Statement[] = [];
  for (const r of records) {
    if (r.db !== dbName) continue;
    const simple = /^LOG:\s+statement: ([\s\S]*)$/.exec(r.body);
    const extended = /^LOG:\s+execute [^:]*: ([\s\S]*)$/.exec(r.body);
    const detail = /^DETAIL:\s+parameters: ([\s\S]*)$/i.exec(r.body);
    if (simple || extended) statements.push({ text: (simple ?? extended)![1].trimEnd(), values: [] });
    else if (detail && statements.length > 0)
      statements[statements.length - 1].values = parseParameters(detail[1].trimEnd());
  }
  return statements;
}

/**
 * Runs `fn` with statement logging on and returns what database `dbName` executed meanwhile.
 * Nothing else may use that database while it runs.
 */
export async function captureStatements(
  adminUrl: string,
  logFile: string,
  dbName: string,
  fn: () => Promise<void>,
): Promise<Statement[]> {
  await setLogging(adminUrl, true);
  const offset = (await stat(logFile)).size;
  try {
    await fn();
    await settle();
  } finally {
    await setLogging(adminUrl, false);
  }
  return parseStatementLog(await readFrom(logFile, offset), dbName);
}

/** The statement's verb (select, insert, begin, …) for the report. */
export function verbOf(statement: Statement): string {
  return (/^\s*(\w+)/.exec(statement.text)?.[1] ?? '?').toLowerCase();
}
