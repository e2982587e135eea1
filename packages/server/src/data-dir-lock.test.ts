import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataDirLockedError,
  LOCK_FILE,
  lockDataDir,
  processStartTime,
  type DataDirLock,
  type LockHolder,
} from './data-dir-lock.ts';

let dir: string;
const locks: DataDirLock[] = [];
const take = (options?: Parameters<typeof lockDataDir>[1]) => {
  const lock = lockDataDir(dir, options);
  locks.push(lock);
  return lock;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mci-lock-'));
});
afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  rmSync(dir, { recursive: true, force: true });
});

/** A real other process: its pid and start time while it runs, and a way to end it. */
async function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid!;
  return {
    pid,
    startTime: processStartTime(pid),
    end: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Writes a lock file as if `holder` (merged over this process's own record) had taken it. */
function plant(holder: Partial<LockHolder>): void {
  const probe = lockDataDir(dir);
  const mine = probe.holder;
  probe.release();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...mine, startedAt: 'earlier', ...holder }));
}

describe('one server per PGlite data directory (issue 11 item 2)', () => {
  it('the lock names this process, and a second taker is refused with the directory and the pid', () => {
    const lock = take();
    const record = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(record.pid).toBe(process.pid);
    expect(record.startTime).toBe(processStartTime(process.pid));

    let refused: unknown;
    try {
      lockDataDir(dir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`data directory ${lock.holder.dir} is in use`);
    expect((refused as Error).message).toContain(`pid ${process.pid}`);
  });

  it('release removes the lock file, so the directory can be taken again', () => {
    const lock = take();
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    take();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  it('release leaves a lock that is no longer this process’s alone', () => {
    const lock = take();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...lock.holder, startedAt: 'someone else' }));
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  it('a running process holding the lock refuses the taker', async () => {
    const other = await otherProcess();
    try {
      plant({ pid: other.pid, startTime: other.startTime });
      expect(() => lockDataDir(dir)).toThrow(`pid ${other.pid}`);
    } finally {
      await other.end();
    }
  });

  it('the lock of a process that died (kill -9) is taken over', async () => {
    const other = await otherProcess();
    await other.end();
    plant({ pid: other.pid, startTime: other.startTime });
    expect(take().holder.pid).toBe(process.pid);
  });

  it('a reused pid does not keep a dead holder’s lock: the start time differs', () => {
    // This process's own pid stands for a pid the kernel handed to a new process.
    plant({ pid: process.pid, startTime: '1' });
    expect(take().holder.startTime).toBe(processStartTime(process.pid));
  });

  it('a copied data directory’s lock is not a lock', () => {
    plant({ dir: '/somewhere/else' });
    expect(take().holder.dir).not.toBe('/somewhere/else');
  });

  it('a garbled lock file is replaced', () => {
    writeFileSync(join(dir, LOCK_FILE), '{"pid":');
    expect(take().holder.pid).toBe(process.pid);
  });

  it('a holder in another PID namespace counts while its heartbeat is fresh, and not after', () => {
    plant({ pidNamespace: 'pid:[1]', pid: 1 });
    expect(() => lockDataDir(dir, { staleAfterMs: 30_000 })).toThrow(/another PID namespace/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    expect(take({ staleAfterMs: 30_000 }).holder.pid).toBe(process.pid);
  });

  it('the holder keeps its heartbeat fresh', async () => {
    take({ heartbeatMs: 20 });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const { mtimeMs } = statSync(join(dir, LOCK_FILE));
    expect(Date.now() - mtimeMs).toBeLessThan(5_000);
  });
});
