import {
  assertUnpublished,
  InputError,
  mergedLinks,
  mergeTemplate,
  planTemplateCommit,
  templateSnapshot,
  type McILink,
} from '@mci/core';
import { marketplaceRepository, templateRepository, type Executor, type TemplateRecord } from '@mci/db';
import { mciRevisions } from '../mci/mci.kind.ts';
import type { RevisionKind } from '../revision/revision.kind.ts';
import { revisionService } from '../revision/revision.service.ts';

/** MCI names by lineage over some template revisions (for diffs, merges and conflicts). */
export function lineageNames(...templates: (TemplateRecord | null)[]): Map<string, string> {
  return new Map(templates.flatMap((t) => t?.links.map((l) => [l.mciLineageId, l.mciName] as const) ?? []));
}

/**
 * A link a template takes in from elsewhere (a clone's source, a merge's theirs) must name an
 * MCI revision the account can read: its own, or one published to it (422 naming the link).
 */
async function assertLinkReadable(tx: Executor, accountId: string, link: McILink, mciName: string) {
  try {
    await mciRevisions.requireReadable(tx, accountId, link.mciId);
  } catch {
    throw new InputError(
      'mci_not_readable',
      `the link to MCI "${mciName}" (${link.mciId}) names a revision this account cannot read; import or publish it first`,
      {
        errors: [
          { path: `links.${link.mciLineageId}`, message: 'MCI revision not readable by this account' },
        ],
      },
    );
  }
}

/** ServerTemplates for the revision kernel: content = MCI links keyed by MCI lineage. */
export const templateKind: RevisionKind<TemplateRecord, McILink> = {
  name: 'server_template',
  label: 'ServerTemplate',
  notFoundLabel: 'server template',
  auditPrefix: 'template',
  writeAction: 'template.write',
  store: templateRepository,
  findMany: templateRepository.findMany,
  list: templateRepository.list,

  copyContent: (tx, fromId, toId) => templateRepository.copyLinks(tx, fromId, toId),

  async checkIncoming(tx, accountId, source) {
    if (source.accountId === accountId) return;
    for (const link of source.links) await assertLinkReadable(tx, accountId, link, link.mciName);
  },

  /**
   * R-ST-4: a template needs a link to commit. With `commitHeadDependencies` each linked HEAD
   * MCI is committed first (same message) and its link re-pointed; without, the commit warns.
   */
  async prepareCommit(uow, head, input) {
    const plan = planTemplateCommit(head, input.commitHeadDependencies ?? false);
    for (const link of plan.commitFirst) {
      const mciHead = await mciRevisions.requireOwn(uow.tx, head.accountId, link.mciId);
      const committed = await mciRevisions.commitIn(uow, mciHead, { message: input.message });
      await templateRepository.updateLink(uow.tx, link.id, { mciId: committed.id });
    }
    return plan.warnings;
  },

  // Servers keep their pinned ids and importers their copies; a published revision stays, as its
  // publication is what further imports copy from.
  async assertDeletable(tx, template) {
    const revisions = await templateRepository.revisions(tx, template.lineageId);
    const published = await marketplaceRepository.publicationsOfSources(
      tx,
      revisions.map((r) => r.id),
    );
    assertUnpublished('ServerTemplate', template.name, published);
  },

  snapshot: templateSnapshot,
  entryNames: lineageNames,
  mergeSnapshots: (base, ours, theirs, names) => mergeTemplate(base, ours, theirs, names),

  async applyMerge(uow, head, theirs, merged) {
    const names = lineageNames(head, theirs);
    const ours = new Map(head.links.map((l) => [l.mciLineageId, l.mciId]));
    for (const link of merged.entries.values()) {
      if (ours.get(link.mciLineageId) !== link.mciId) {
        await assertLinkReadable(uow.tx, head.accountId, link, names.get(link.mciLineageId) ?? link.mciId);
      }
    }
    await templateRepository.replaceAllLinks(uow.tx, head.id, mergedLinks(merged, head.links, theirs.links));
    return [];
  },
};

/** The revision kernel over ServerTemplates. */
export const templateRevisions = revisionService(templateKind);
