import {
  linkSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * One server per PGlite data directory (ADR 010). PGlite is an embedded PostgreSQL without a
 * postmaster: two processes on one directory each keep their own buffers and WAL position and
 * silently lose each other's writes. The lock is a file in the directory naming its holder; a
 * holder is alive while a process of that pid exists *and* started at the recorded time (so a
 * reused pid does not keep a dead server's lock). Where the pid cannot be checked — the holder ran
 * in another PID namespace (a container) or before a reboot — the holder's heartbeat (the file's
 * mtime, touched every few seconds) decides.
 */
export const LOCK_FILE = 'mci-server.lock';

/** What the lock file says about its holder. */
export interface LockHolder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot): tells a reused pid apart. */
  startTime: string | null;
  bootId: string | null;
  pidNamespace: string | null;
  /** The directory's real path when the lock was taken (a copied directory's lock is not a lock). */
  dir: string;
  startedAt: string;
}

export interface DataDirLock {
  path: string;
  holder: LockHolder;
  /** Removes the lock file if it is still this process's. Safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  /** How often the holder touches the lock file (default 5 s). */
  heartbeatMs?: number;
  /** A holder that cannot be checked by pid is gone once its heartbeat is this old (default 30 s). */
  staleAfterMs?: number;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
    reason: string,
  ) {
    super(
      `Cannot start: the data directory ${dir} is in use by another MultiCloud Images server ` +
        `(pid ${holder.pid}, started ${holder.startedAt}${reason}).\n` +
        `Two servers on one embedded database would each lose the other's writes, so this one stops here; ` +
        `nothing was changed. Stop the other server (kill ${holder.pid}), or give this one its own DATA_DIR. ` +
        `Several servers can share a PostgreSQL database (DATABASE_URL).`,
    );
    this.name = 'DataDirLockedError';
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The start time of process `pid` (field 22 of /proc/<pid>/stat), or null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string | null): LockHolder | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as LockHolder;
    return Number.isInteger(value.pid) && typeof value.dir === 'string' ? value : null;
  } catch {
    return null;
  }
}

function sameHolder(a: LockHolder | null, b: LockHolder | null): boolean {
  return !!a && !!b && a.pid === b.pid && a.startTime === b.startTime && a.startedAt === b.startedAt;
}

/** Why `holder` still holds the lock (a phrase for the message), or null when it is gone. */
function stillHeld(
  holder: LockHolder,
  me: LockHolder,
  lockPath: string,
  staleAfterMs: number,
): string | null {
  if (holder.dir !== me.dir) return null;
  if (holder.bootId === me.bootId && holder.pidNamespace === me.pidNamespace) {
    if (!processExists(holder.pid)) return null;
    if (holder.startTime !== null && processStartTime(holder.pid) !== holder.startTime) return null;
    return '';
  }
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return null;
  }
  if (ageMs > staleAfterMs) return null;
  return (
    `, in another PID namespace or boot, so its pid cannot be checked; it was alive ${Math.round(ageMs / 1000)} s ago ` +
    `and its lock counts as abandoned ${Math.round(staleAfterMs / 1000)} s after its last sign of life`
  );
}

/**
 * Takes the lock of PGlite data directory `dir` (which must exist) for the life of this process,
 * or throws {@link DataDirLockedError} naming the directory and the holder's pid. A dead holder's
 * lock (`kill -9`, a crash, a reboot) is taken over. Released on `release()` and on process exit.
 */
export function lockDataDir(dir: string, options: LockOptions = {}): DataDirLock {
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const realDir = realpathSync(dir);
  const path = join(realDir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: readOrNull('/proc/sys/kernel/random/boot_id'),
    pidNamespace: pidNamespace(),
    dir: realDir,
    startedAt: new Date().toISOString(),
  };
  const unique = () => `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;

  for (let attempt = 0; attempt < 20; attempt++) {
    // The record is written in full under another name and linked into place: link(2) fails when
    // the lock exists, and a reader never sees a half-written lock.
    const tmp = unique();
    writeFileSync(tmp, JSON.stringify(me) + '\n', { mode: 0o644 });
    try {
      linkSync(tmp, path);
      return held(path, me, heartbeatMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(tmp);
    }
    const holder = parseHolder(readOrNull(path));
    if (holder) {
      const reason = stillHeld(holder, me, path, staleAfterMs);
      if (reason !== null) throw new DataDirLockedError(realDir, holder, reason);
    }
    // A dead holder's lock: move it aside, then check that what was moved is the lock judged dead
    // (another starting server may have replaced it in between); if not, put that one back.
    const aside = unique();
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = parseHolder(readOrNull(aside));
    if (moved && !sameHolder(holder, moved)) {
      try {
        linkSync(aside, path);
      } catch {
        // A third server took the place meanwhile; the loop re-reads whoever holds it now.
      }
    }
    unlinkSync(aside);
  }
  throw new Error(`Cannot start: could not take the lock ${path} (it keeps changing hands).`);
}

function held(path: string, me: LockHolder, heartbeatMs: number): DataDirLock {
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // The directory went away; nothing to keep alive.
    }
  }, heartbeatMs);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release);
    if (sameHolder(parseHolder(readOrNull(path)), me)) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    }
  };
  process.on('exit', release);
  return { path, holder: me, release };
}
