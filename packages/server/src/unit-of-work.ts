import type { Principal } from '@mci/core';
import { auditRepository, type Executor } from '@mci/db';
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
 * Runs one change as one transaction with its audit entries: either the change and its entries
 * are committed together, or (on any error) neither is. This is the single place that opens
 * write transactions for services, so an outbox of events can be added here later.
 */
export async function mutate<T>(
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
