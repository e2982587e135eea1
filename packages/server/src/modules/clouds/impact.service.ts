import {
  decodeCursor,
  encodeCursor,
  memberAccountIds,
  visibleImpact,
  type ImpactReader,
  type Page,
  type Principal,
} from '@mci/core';
import {
  catalogRepository,
  impactRepository,
  marketplaceRepository,
  type Executor,
  type ImageChangeRecord,
  type ImageImpact,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { getImage } from '../catalog/catalog.service.ts';
import { mciRevisions } from '../mci/mci.kind.ts';

/** An impact as one reader may see it: items of other accounts they may not see are only counted. */
export interface VisibleImpact extends ImageImpact {
  /** Items of accounts the reader is not in (and publications not visible to them), counted only. */
  hiddenCount: number;
}

export type VisibleImageChange = Omit<ImageChangeRecord, 'impact'> & { impact: VisibleImpact };

async function readerOf(db: Executor, principal: Principal): Promise<ImpactReader> {
  if (principal.isSuperuser) return { all: true, accounts: new Set(), groups: new Set() };
  const accounts = memberAccountIds(principal);
  const groups = new Set<string>();
  for (const accountId of accounts) {
    for (const id of await marketplaceRepository.memberGroupIds(db, accountId)) groups.add(id);
  }
  return { all: false, accounts: new Set(accounts), groups };
}

export interface ImpactQuery {
  limit: number;
  cursor?: string;
}

/**
 * An image's blast radius now (`current`) and its recorded changes to deprecated / unavailable
 * (newest first, a page), each filtered to what the caller may see. 404 for an image the caller
 * cannot see.
 */
export async function imageImpact(
  ctx: AppContext,
  principal: Principal,
  cloudId: string,
  imageId: string,
  query: ImpactQuery,
) {
  const image = await getImage(ctx, principal, cloudId, imageId);
  const reader = await readerOf(ctx.db, principal);
  let before: [string, string] | undefined;
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, 2);
    before = [String(at), String(id)];
  }
  const [current, rows] = await Promise.all([
    impactRepository.impactOf(ctx.db, [image.id]),
    impactRepository.listChanges(ctx.db, { imageId: image.id, before, limit: query.limit }),
  ]);
  const items = rows.slice(0, query.limit);
  const changes: Page<VisibleImageChange> = {
    items: items.map((c) => ({ ...c, impact: visibleImpact(c.impact, reader) })),
    nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.at, items.at(-1)!.id]) : null,
  };
  return {
    image: {
      id: image.id,
      cloudId: image.cloudId,
      resourceUid: image.resourceUid,
      name: image.name,
      state: image.state,
      deprecatedAt: image.deprecatedAt,
      unavailableReason: image.unavailableReason,
      unavailableAt: image.unavailableAt,
      replacementImageId: image.replacementImageId,
    },
    current: visibleImpact(current, reader),
    changes: changes.items,
    nextCursor: changes.nextCursor,
  };
}

/**
 * For one MCI revision the caller can read: its settings whose image is deprecated or
 * unavailable, each with the image's state and reason and its last recorded change (the MCI
 * page's alert).
 */
export async function mciImageAlerts(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  mciId: string,
) {
  const mci = await mciRevisions.get(ctx, principal, accountId, mciId);
  const affected = mci.settings.filter((s) => s.imageState !== 'available');
  const images = await Promise.all(affected.map((s) => catalogRepository.findImage(ctx.db, s.imageId)));
  const last = await impactRepository.lastChanges(
    ctx.db,
    affected.map((s) => s.imageId),
  );
  return {
    mciId: mci.id,
    items: affected.map((s, i) => {
      const image = images[i]!;
      const change = last.get(s.imageId);
      return {
        cloudId: s.cloudId,
        cloudName: s.cloudName,
        imageId: s.imageId,
        imageResourceUid: s.imageResourceUid,
        imageName: s.imageName,
        state: image.state,
        deprecatedAt: image.deprecatedAt,
        unavailableReason: image.unavailableReason,
        unavailableAt: image.unavailableAt,
        replacementImageId: image.replacementImageId,
        lastChange: change
          ? {
              id: change.id,
              fromState: change.fromState,
              toState: change.toState,
              reason: change.reason,
              jobId: change.jobId,
              at: change.at,
            }
          : null,
      };
    }),
  };
}
