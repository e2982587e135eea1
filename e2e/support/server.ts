import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningServer {
  baseUrl: string;
  /** The HTTPS address, when started with TLS_CERT_FILE and TLS_KEY_FILE. */
  httpsUrl?: string;
  /** The server process's pid. */
  pid: number;
  /** Everything the process printed on stdout so far. */
  output(): string;
  /** Everything the process printed on stderr so far. */
  errors(): string;
  stop(): Promise<number | null>;
  /** Kills the process with `signal` (default SIGKILL: no clean-up at all) and waits for it to end. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  /**
   * Run what `npm start` runs in production: scripts/start.mjs, the compiled server (built first
   * when stale; set DASHBOARD_DIR to skip the dashboard's build). Default: the TypeScript entry
   * point through tsx, so a test needs no build.
   */
  compiled?: boolean;
}

/**
 * Starts the service as `npm start` does (a real process on a free loopback port) and resolves
 * once it logs that it is listening.
 */
export async function startServer(
  env: Record<string, string | undefined>,
  options: StartOptions = {},
): Promise<RunningServer> {
  const entry = options.compiled ? ['scripts/start.mjs'] : ['--import', 'tsx', 'packages/server/src/main.ts'];
  const child: ChildProcess = spawn(process.execPath, entry, {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const tls = Boolean(env.TLS_CERT_FILE);
  let httpsUrl: string | undefined;
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in 60 s:\n${out}\n${err}`)),
      60_000,
    );
    const check = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      httpsUrl = /Server listening at (https:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (m && (!tls || httpsUrl)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
  return {
    baseUrl,
    httpsUrl,
    pid: child.pid!,
    output: () => out,
    errors: () => err,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** One JSON call to a running server as `token`; throws with the answer on any non-2xx status. */
export type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<T>;

export function apiOf(server: Pick<RunningServer, 'baseUrl'>, token: string): Api {
  return async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
