import type { Cloud } from './catalog.ts';
import { ConflictError, InputError } from './errors.ts';
import type { MciSetting, RevisionFields, Warning } from './mci.ts';

/** A template's link to one MCI revision (HEAD or committed). */
export interface McILink {
  id: string;
  mciId: string;
  mciLineageId: string;
  isDefault: boolean;
  position: number;
}

export interface ServerTemplate extends RevisionFields {
  links: McILink[];
}

/**
 * R-ST-1, R-ST-2: where a new link goes and whether it becomes the default.
 * @rule R-ST-1
 * @rule R-ST-2
 */
export function planNewLink(
  links: readonly McILink[],
  mci: { id: string; lineageId: string; name: string },
): { isDefault: boolean; position: number } {
  const existing = links.find((l) => l.mciLineageId === mci.lineageId);
  if (existing) {
    throw new ConflictError(
      'lineage_already_linked',
      `The template already links a revision of MCI "${mci.name}" (link ${existing.id}, MCI ${existing.mciId}); change that link's revision instead`,
      { details: { linkId: existing.id } },
    );
  }
  return {
    isDefault: links.length === 0,
    position: links.reduce((max, l) => Math.max(max, l.position), 0) + 1,
  };
}

/**
 * R-ST-1: a link's revision can change only within its MCI lineage.
 * @rule R-ST-1
 */
export function assertSameLineage(link: McILink, mci: { id: string; lineageId: string }): void {
  if (link.mciLineageId !== mci.lineageId) {
    throw new ConflictError(
      'different_lineage',
      `MCI ${mci.id} is not a revision of the lineage this link points to (${link.mciLineageId}); link it as a new MCI instead`,
      { errors: [{ path: 'mciId', message: 'must be a revision of the same MCI lineage' }] },
    );
  }
}

/**
 * R-ST-2: the default link cannot go while others exist, and the last link cannot go.
 * @rule R-ST-2
 */
export function assertRemovable(links: readonly McILink[], link: McILink): void {
  if (links.length === 1) {
    throw new ConflictError('last_link', 'A template needs at least one MCI: this is its last link');
  }
  if (link.isDefault) {
    throw new ConflictError(
      'default_link',
      'This link is the default MCI; make another link the default first',
      {
        details: { hint: { operation: 'makeDefault' } },
      },
    );
  }
}

/** Links in position order. */
export function byPosition<T extends { position: number }>(links: readonly T[]): T[] {
  return [...links].sort((a, b) => a.position - b.position);
}

export interface LinkWithSettings extends McILink {
  settings: readonly Pick<MciSetting, 'cloudId'>[];
}

/**
 * R-SRV-2 without an explicit choice: the default MCI if it supports the cloud, otherwise the
 * first linked MCI by position that does; undefined if none does.
 * @rule R-SRV-2
 */
export function chooseMciForCloud<T extends LinkWithSettings>(
  links: readonly T[],
  cloudId: string,
): T | undefined {
  const covers = (l: T) => l.settings.some((s) => s.cloudId === cloudId);
  const def = links.find((l) => l.isDefault);
  if (def && covers(def)) return def;
  return byPosition(links).find(covers);
}

/**
 * R-ST-3: the union of the linked MCIs' clouds, in cloud-name order, each with the MCI that
 * would serve it (R-SRV-2) and every MCI that covers it.
 * @rule R-ST-3
 */
export function supportedClouds<T extends LinkWithSettings>(
  links: readonly T[],
  cloudsById: ReadonlyMap<string, Pick<Cloud, 'id' | 'name'>>,
): { cloudId: string; cloudName: string; mciId: string; linkId: string; coveredBy: string[] }[] {
  const cloudIds = new Set(links.flatMap((l) => l.settings.map((s) => s.cloudId)));
  return [...cloudIds]
    .map((cloudId) => {
      const chosen = chooseMciForCloud(links, cloudId)!;
      return {
        cloudId,
        cloudName: cloudsById.get(cloudId)?.name ?? cloudId,
        mciId: chosen.mciId,
        linkId: chosen.id,
        coveredBy: byPosition(links)
          .filter((l) => l.settings.some((s) => s.cloudId === cloudId))
          .map((l) => l.mciId),
      };
    })
    .sort((a, b) => a.cloudName.localeCompare(b.cloudName) || a.cloudId.localeCompare(b.cloudId));
}

/** A link as a commit or a reader sees it: which MCI revision it names. */
export interface LinkedRevision extends McILink {
  mciName: string;
  /** 0 = the MCI's HEAD. */
  mciRevision: number;
}

/** R-ST-4: what committing a template HEAD does before the copy is made. */
export interface TemplateCommitPlan<T extends LinkedRevision> {
  /** Links to HEAD MCIs, by position, whose MCI is committed first and the link re-pointed. */
  commitFirst: T[];
  /** `links_head_mci` for each link left pointing at a HEAD MCI. */
  warnings: Warning[];
}

/**
 * R-ST-4: a template needs a link to commit (422 `no_links`). With `commitHeadDependencies`
 * every linked HEAD MCI is committed first (same message) and its link re-pointed; without it
 * the commit goes ahead and warns, per such link, that the revision links a HEAD.
 * @rule R-ST-4
 */
export function planTemplateCommit<T extends LinkedRevision>(
  head: { id: string; links: readonly T[] },
  commitHeadDependencies: boolean,
): TemplateCommitPlan<T> {
  if (head.links.length === 0) {
    throw new InputError(
      'no_links',
      `ServerTemplate ${head.id} links no MCI; link at least one before committing`,
    );
  }
  const heads = byPosition(head.links).filter((l) => l.mciRevision === 0);
  if (commitHeadDependencies) return { commitFirst: heads, warnings: [] };
  return {
    commitFirst: [],
    warnings: heads.map((link) => ({
      code: 'links_head_mci',
      message: `the committed revision links the HEAD of MCI "${link.mciName}" (${link.mciId}), which can still change; commit it and re-point the link, or commit with commitHeadDependencies`,
    })),
  };
}

/**
 * R-VC-3 (account): the lineage's newest committed revision, when it is newer than the one the
 * link names. A link to a HEAD MCI follows it already, so only committed links fall behind.
 * @rule R-VC-3
 */
export function newerRevisionNotice(
  link: Pick<LinkedRevision, 'mciRevision'>,
  newestCommitted: { mciId: string; revision: number } | null,
): { mciId: string; revision: number } | null {
  if (!newestCommitted || link.mciRevision === 0) return null;
  return newestCommitted.revision > link.mciRevision
    ? { mciId: newestCommitted.mciId, revision: newestCommitted.revision }
    : null;
}

/**
 * R-VC-3 (marketplace): for a link to an imported MCI, the newest revision of its published
 * lineage the account may import, when it is newer than the linked revision.
 * @rule R-VC-3
 */
export function newerInMarketplaceNotice(
  linkRevision: number,
  newestPublished: { id: string; revision: number } | null,
): { publicationId: string; revision: number } | null {
  return newestPublished && newestPublished.revision > linkRevision
    ? { publicationId: newestPublished.id, revision: newestPublished.revision }
    : null;
}
