/**
 * The processes the HTTP benches measure from outside: the service as `npm start` runs it (so the
 * bench follows whatever `npm start` becomes: a build step, compiled JavaScript, a log level), and
 * the bare fastify baseline (bench/bare-server.js) run by the same node with the same loader.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./bare-server.js', import.meta.url));

export interface Running {
  baseUrl: string;
  /** The process that listens (the service's node, not npm's). */
  pid: number;
  /** How that process was started (its argv), for the report. */
  command: string;
  /** Its argv, e.g. to start the same program again with other node options. */
  argv: string[];
  /** What it printed so far (stdout and stderr go to a file, not through this process). */
  output(): Promise<string>;
  stop(): Promise<void>;
}

/** A free loopback port (bound once and let go). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in kB, or NaN when it is gone. */
export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Peak resident set size (VmHWM) in kB. */
export function peakRssKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The socket inode listening on 127.0.0.1:port (from /proc/net/tcp), if any. */
function listeningInode(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[1].endsWith(`:${hexPort}`) && f[3] === '0A') return f[9];
  }
  return undefined;
}

/** Children of `pid`, recursively (from /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let children = '';
      try {
        children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        visit(c);
      }
    }
  };
  visit(pid);
  return out;
}

/** Which of `root` and its descendants holds the socket listening on `port`. */
function listenerPid(root: number, port: number): number | undefined {
  const inode = listeningInode(port);
  if (!inode) return undefined;
  for (const pid of [root, ...descendants(root)]) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return undefined;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
}

/**
 * Spawns `argv` in its own process group with output to `logFile`, waits until
 * http://127.0.0.1:port/healthz answers 200, and finds the process that listens.
 */
async function startListening(
  argv: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  what: string,
  timeoutMs: number,
): Promise<Running> {
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(argv[0], argv.slice(1), {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const output = () => readFile(logFile, 'utf8').catch(() => '');
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The whole group this bench started (npm, its shell, the service): SIGTERM, then SIGKILL.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 10_000);
    await gone;
    clearTimeout(timer);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`bench: ${what} exited before it was healthy:\n${await output()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`bench: ${what} not healthy after ${timeoutMs / 1000} s:\n${await output()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = listenerPid(child.pid!, port);
  if (!pid) {
    await stop();
    throw new Error(`bench: cannot tell which process of ${what} listens on ${port}`);
  }
  const argvOf = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  return { baseUrl, pid, command: commandOf(pid), argv: argvOf, output, stop };
}

/**
 * The service, started by `npm start` with `env` on a free port; resolves once /healthz is 200.
 * BENCH_SERVICE_CMD (a shell command) replaces `npm start` when that is broken or to compare.
 */
export async function startService(env: Record<string, string>, logFile: string): Promise<Running> {
  const port = await freePort();
  const custom = process.env.BENCH_SERVICE_CMD;
  const argv = custom ? ['sh', '-c', custom] : ['npm', 'start', '--silent'];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env };
  // The bench's own settings are not the service's.
  delete childEnv.BENCH_ROWS;
  delete childEnv.BENCH_DATABASE_URL;
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  if (!env.LOG_LEVEL) delete childEnv.LOG_LEVEL;
  return startListening(argv, childEnv, port, logFile, custom ? `"${custom}"` : '`npm start`', 180_000);
}

/**
 * The service's listening process started again directly from its argv (`like.argv`) with
 * `nodeFlags` added after the node executable (e.g. --cpu-prof, which NODE_OPTIONS refuses).
 */
export async function startServiceLike(
  like: Running,
  nodeFlags: string[],
  env: Record<string, string>,
  logFile: string,
): Promise<Running> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env };
  delete childEnv.BENCH_ROWS;
  delete childEnv.BENCH_DATABASE_URL;
  if (!env.LOG_LEVEL) delete childEnv.LOG_LEVEL;
  const [node, ...rest] = like.argv;
  return startListening([node, ...nodeFlags, ...rest], childEnv, port, logFile, like.command, 120_000);
}

/**
 * The bare fastify baseline, run by the same node executable with the same loader options
 * (e.g. `--import tsx`) as the service process, so that neither pays for a loader alone.
 */
export async function startBare(
  service: Running | undefined,
  env: Record<string, string>,
  logFile: string,
  nodeFlags: string[] = [],
) {
  const port = await freePort();
  const serviceArgv = service ? readFileSync(`/proc/${service.pid}/cmdline`, 'utf8').split('\0') : [];
  const loaderFlags: string[] = [];
  for (let i = 1; i < serviceArgv.length; i++) {
    const a = serviceArgv[i];
    if ((a === '--import' || a === '--loader' || a === '--require' || a === '-r') && serviceArgv[i + 1]) {
      loaderFlags.push(a, serviceArgv[++i]);
    } else if (a.startsWith('--import=') || a.startsWith('--loader=')) loaderFlags.push(a);
    else if (!a.startsWith('-')) break;
  }
  const node = serviceArgv[0] && serviceArgv[0].includes('node') ? serviceArgv[0] : process.execPath;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  return startListening(
    [node, ...nodeFlags, ...loaderFlags, BARE_SERVER],
    childEnv,
    port,
    logFile,
    'the bare fastify baseline',
    60_000,
  );
}
