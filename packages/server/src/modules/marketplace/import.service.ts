import { assertImportable, authorizeAccount, type Principal } from '@mci/core';
import {
  marketplaceRepository,
  mciRepository,
  templateRepository,
  type Executor,
  type MciRecord,
  type PublicationRecord,
  type TemplateRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { mutate, type UnitOfWork } from '../../unit-of-work.ts';
import { requireVisiblePublication } from './publication.service.ts';

/** R-IMP-1: the local lineage that collects this account's imports of a published lineage. */
async function localLineage(tx: Executor, accountId: string, pub: PublicationRecord): Promise<string> {
  const existing = await marketplaceRepository.findImportLineage(tx, accountId, pub.lineageId);
  if (existing) return existing;
  const id =
    pub.kind === 'mci'
      ? await mciRepository.insertLineage(tx, accountId)
      : await templateRepository.insertLineage(tx, accountId);
  await marketplaceRepository.insertImportLineage(tx, {
    accountId,
    sourceLineageId: pub.lineageId,
    kind: pub.kind,
    localLineageId: id,
  });
  return id;
}

/** Copies a published MCI revision, or returns the account's existing copy (R-IMP-1, R-IMP-2). */
async function importMci(
  tx: Executor,
  accountId: string,
  pub: PublicationRecord,
): Promise<{ id: string; created: boolean }> {
  const existing = await mciRepository.findImported(tx, accountId, pub.id);
  if (existing) return { id: existing, created: false };
  const source = (await mciRepository.find(tx, pub.sourceId)) as MciRecord;
  const id = await mciRepository.insertRevision(tx, {
    lineageId: await localLineage(tx, accountId, pub),
    revision: pub.revision,
    accountId,
    name: source.name,
    description: source.description,
    tags: source.tags,
    commitMessage: source.commitMessage,
    committedBy: source.committedBy,
    committedAt: source.committedAt ? new Date(source.committedAt) : null,
    importedFrom: pub.id,
  });
  await mciRepository.replaceAllSettings(tx, id, source.settings);
  return { id, created: true };
}

/** A template copy links the account's copies of its MCIs, importing those it lacks (deprecated too). */
async function importTemplate(tx: Executor, accountId: string, pub: PublicationRecord) {
  const source = (await templateRepository.find(tx, pub.sourceId)) as TemplateRecord;
  const linked = await marketplaceRepository.findPublications(tx, pub.linkedPublicationIds);
  const copies = new Map<string, { id: string; created: boolean; lineageId: string }>();
  for (const mciPub of linked) {
    const copy = await importMci(tx, accountId, mciPub);
    const local = (await mciRepository.find(tx, copy.id))!;
    copies.set(mciPub.sourceId, { ...copy, lineageId: local.lineageId });
  }
  // A link's MCI may itself be an import the publisher made: match it by the publication it came from.
  const sourceMcis = await mciRepository.findMany(
    tx,
    source.links.map((l) => l.mciId),
  );
  const copyFor = (mciId: string) => {
    const mci = sourceMcis.find((m) => m.id === mciId)!;
    const pubOf = linked.find((p) => p.sourceId === mci.id || p.id === mci.importedFrom)!;
    return copies.get(pubOf.sourceId)!;
  };
  const id = await templateRepository.insertRevision(tx, {
    lineageId: await localLineage(tx, accountId, pub),
    revision: pub.revision,
    accountId,
    name: source.name,
    description: source.description,
    tags: source.tags,
    commitMessage: source.commitMessage,
    committedBy: source.committedBy,
    committedAt: source.committedAt ? new Date(source.committedAt) : null,
    importedFrom: pub.id,
  });
  await templateRepository.replaceAllLinks(
    tx,
    id,
    source.links.map((l) => {
      const copy = copyFor(l.mciId);
      return { mciId: copy.id, mciLineageId: copy.lineageId, isDefault: l.isDefault, position: l.position };
    }),
  );
  return { id, mcis: [...copies.values()] };
}

/**
 * R-IMP-1..3: imports a visible publication as a read-only copy. Importing it again returns the
 * existing copy (`created: false`, 200). Deprecated publications come only along with a template.
 */
export async function importPublication(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  publicationId: string,
) {
  authorizeAccount(principal, accountId, 'import.create');
  return mutate(ctx, principal, (uow) => importPublicationIn(uow, accountId, publicationId));
}

/** R-IMP-1..3 inside a unit of work (an import on its own, or one step of `template push`). */
export async function importPublicationIn(uow: UnitOfWork, accountId: string, publicationId: string) {
  const { tx } = uow;
  const pub = await requireVisiblePublication(tx, accountId, publicationId);
  const existing =
    pub.kind === 'mci'
      ? await mciRepository.findImported(tx, accountId, pub.id)
      : await templateRepository.findImported(tx, accountId, pub.id);
  if (existing) return { kind: pub.kind, id: existing, created: false, importedMciIds: [] as string[] };
  assertImportable(pub);
  let id: string;
  let importedMciIds: string[] = [];
  if (pub.kind === 'mci') {
    id = (await importMci(tx, accountId, pub)).id;
  } else {
    const result = await importTemplate(tx, accountId, pub);
    id = result.id;
    importedMciIds = result.mcis.filter((m) => m.created).map((m) => m.id);
  }
  const what = `${pub.kind === 'mci' ? 'MCI' : 'ServerTemplate'} "${pub.name}" r${pub.revision}`;
  uow.audit({
    accountId,
    action: 'import.create',
    targetType: pub.kind,
    targetId: id,
    summary: `imported ${what} from publication ${pub.id}`,
  });
  uow.audit({
    accountId: pub.publisherAccountId,
    action: 'publication.imported',
    targetType: 'publication',
    targetId: pub.id,
    summary: `account ${accountId} imported ${what}`,
  });
  return { kind: pub.kind, id, created: true, importedMciIds };
}
