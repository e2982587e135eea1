import { ConflictError, DomainError, type Principal } from '@mci/core';
import { auditRepository, sqlStateOf, type Executor } from '@mci/db';
import type { AppContext } from './context.ts';

/** The service itself acting (first start, scheduled work): audited with no user, under its name. */
export interface SystemActor {
  kind: 'system';
  /** What acted, e.g. `bootstrap` or `job:<id>`; it prefixes the audit summary. */
  name: string;
}

/** Who a change is made by: a signed-in user (a principal) or the service itself. */
export type Actor = Principal | SystemActor;

export function systemActor(name: string): SystemActor {
  return { kind: 'system', name };
}

function isSystem(actor: Actor): actor is SystemActor {
  return (actor as SystemActor).kind === 'system';
}

/** The user behind an actor, or null for the service itself. */
export function userIdOf(actor: Actor): string | null {
  return isSystem(actor) ? null : actor.userId;
}

/** One audit entry of a change: which account's which target, what was done, in a sentence. */
export interface AuditRecord {
  accountId: string | null;
  targetType: string;
  targetId: string;
  action: string;
  summary: string;
}

/** What a unit of work's body gets: the transaction, the time it started, and the audit log. */
export interface UnitOfWork {
  tx: Executor;
  actor: Actor;
  /** The context clock read once, so every row of one change carries the same time. */
  now: Date;
  /** Records an audit entry; entries are written just before the transaction commits. */
  audit(entry: AuditRecord): void;
}

/**
 * What a lost race looks like from inside a transaction on PostgreSQL: a serialization failure or
 * deadlock (the database chose a loser), or a unique / foreign-key violation that the service's
 * own checks did not see because a concurrent transaction committed in between.
 */
const RACE_STATES: Record<string, string> = {
  '40001': 'serialization failure',
  '40P01': 'deadlock',
  '23505': 'unique violation',
  '23503': 'foreign-key violation',
};

/** How often a change that lost a race is run again before the caller gets a 409. */
export const RACE_ATTEMPTS = 4;

/** The race a raw database error stands for, or undefined (domain errors are answers, not races). */
function raceOf(error: unknown): string | undefined {
  if (error instanceof DomainError) return undefined;
  const state = sqlStateOf(error);
  return state ? RACE_STATES[state] : undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one change as one transaction with its audit entries: either the change and its entries
 * are committed together, or (on any error) neither is. This is the single place that opens
 * write transactions for services, so an outbox of events can be added here later.
 *
 * A change that loses a race with a concurrent one is run again from the start, on a fresh
 * transaction that sees what the winner committed: its own checks then give the answer the rules
 * say (404 for a deployment deleted meanwhile, 409 for an MCI linked meanwhile, 200 with the copy
 * another import just made — R-IMP-2). `work` must therefore keep its effects inside `uow.tx`.
 * Only when every attempt loses does the caller get a 409 `concurrent_change`, never a 500.
 */
export async function mutate<T>(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOnce(ctx, actor, work);
    } catch (error) {
      const race = raceOf(error);
      if (!race) throw error;
      if (attempt >= RACE_ATTEMPTS) {
        throw new ConflictError(
          'concurrent_change',
          `Another request changed the same data at the same time (${race}); try again`,
          { cause: error },
        );
      }
      await pause(Math.random() * 10 * attempt);
    }
  }
}

async function runOnce<T>(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    const entries: AuditRecord[] = [];
    const result = await work({ tx, actor, now: ctx.clock(), audit: (e) => void entries.push(e) });
    for (const entry of entries) {
      await auditRepository.insert(tx, {
        ...entry,
        userId: userIdOf(actor),
        summary: isSystem(actor) ? `[${actor.name}] ${entry.summary}` : entry.summary,
      });
    }
    return result;
  });
}

/** Thrown inside a rehearsal to roll its transaction back while keeping what it computed. */
class Rehearsal<T> extends Error {
  constructor(readonly result: T) {
    super('dry run');
  }
}

/**
 * A unit of work that, when `dryRun`, does everything (every check and write, so the answer is
 * exactly what applying would do) and then rolls back: previews and applies share one path.
 */
export async function mutateOrRehearse<T>(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  dryRun: boolean,
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  try {
    return await mutate(ctx, actor, async (uow) => {
      const result = await work(uow);
      if (dryRun) throw new Rehearsal(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Rehearsal) return error.result as T;
    throw error;
  }
}
