import { isImpactChange, type Image, type ImageState } from '@mci/core';
import { impactOfImage, impactRepository, type ImageChangeRecord, type ImageImpact } from '@mci/db';
import type { UnitOfWork } from '../../unit-of-work.ts';

/** One image's move to `deprecated` or `unavailable`, as the caller made it (sync, launch, by hand). */
export interface ImageChange {
  /** The image (after or before the change: only its id, cloud, uid and owner are read). */
  image: Image;
  from: ImageState;
  to: ImageState;
  /** Why, in a word or a sentence: `deregistered`, `deprecation time passed`, `by hand`… */
  reason: string;
  /** The job that found the change, if one did. */
  jobId?: string;
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** What one account is hit by, in a few words: `2 MCI revisions, 1 server`. */
function countsOf(impact: ImageImpact, accountId: string): string {
  const mine = <T extends { accountId: string }>(items: T[]) =>
    items.filter((i) => i.accountId === accountId).length;
  return [
    [mine(impact.mcis), 'MCI revision'],
    [mine(impact.templates), 'ServerTemplate revision'],
    [mine(impact.servers), 'server'],
    [mine(impact.publications), 'publication'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => plural(n as number, what as string))
    .join(', ');
}

/** The accounts an impact touches, each once, in a stable order. */
function accountsOf(impact: ImageImpact): string[] {
  const ids = new Set<string>();
  for (const list of [impact.mcis, impact.templates, impact.servers, impact.publications]) {
    for (const item of list) ids.add(item.accountId);
  }
  return [...ids].sort();
}

/**
 * R-CLD-5: records images' moves to `deprecated` or `unavailable` with their blast radius, in the
 * caller's transaction (the caller changes the image rows; this only records). The impact of all
 * the changes is read in one statement, then one `image_changes` row is written per change and
 * one audit entry per affected account and change, under the unit of work's actor (a job's
 * `systemActor`, or the user who patched the image). Changes to any other state, or to the state
 * the image already had, are not recorded.
 */
export async function recordImageChanges(
  uow: UnitOfWork,
  changes: readonly ImageChange[],
): Promise<ImageChangeRecord[]> {
  const recorded = changes.filter((c) => isImpactChange(c.from, c.to));
  if (recorded.length === 0) return [];
  const impact = await impactRepository.impactOf(uow.tx, [...new Set(recorded.map((c) => c.image.id))]);
  const rows = await impactRepository.insertChanges(
    uow.tx,
    recorded.map((c) => ({
      imageId: c.image.id,
      cloudId: c.image.cloudId,
      fromState: c.from,
      toState: c.to,
      reason: c.reason,
      jobId: c.jobId ?? null,
      impact: impactOfImage(impact, c.image.id),
    })),
    uow.now,
  );
  for (const [i, row] of rows.entries()) {
    const { image } = recorded[i];
    for (const accountId of accountsOf(row.impact)) {
      uow.audit({
        accountId,
        action: 'image.impact',
        targetType: 'image',
        targetId: image.id,
        summary:
          `image ${image.resourceUid} became ${row.toState}` +
          (row.reason ? ` (${row.reason})` : '') +
          `: ${countsOf(row.impact, accountId)} of this account use it`,
      });
    }
  }
  return rows;
}
