import type { Principal } from '@mci/core';
import { auditRepository, type Executor } from '@mci/db';

/** Records who did what to which target, in the caller's transaction (every mutation does). */
export function audit(
  db: Executor,
  principal: Principal,
  accountId: string | null,
  targetType: string,
  targetId: string,
  action: string,
  summary: string,
): Promise<void> {
  return auditRepository.insert(db, {
    accountId,
    userId: principal.userId,
    action,
    targetType,
    targetId,
    summary,
  });
}
