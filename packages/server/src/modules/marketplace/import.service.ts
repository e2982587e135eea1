import {
  authorizeAccount,
  byPosition,
  planImport,
  planTemplateImport,
  type ImportPlan,
  type Principal,
  type PublicationKind,
} from '@mci/core';
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

/** An MCI copy a template import linked: imported with it, or already in the account. */
export interface ImportedMci {
  id: string;
  name: string;
  revision: number;
  importedFrom: string;
  created: boolean;
}

/** What an import answers: the local, read-only revision itself and what came along with it. */
export type ImportResult =
  | { kind: 'mci'; created: boolean; revision: MciRecord; importedMcis: ImportedMci[] }
  | { kind: 'server_template'; created: boolean; revision: TemplateRecord; importedMcis: ImportedMci[] };

const storeOf = (kind: PublicationKind) => (kind === 'mci' ? mciRepository : templateRepository);

/** The account's facts R-IMP-1/2 plan from: its copy of the publication and its local lineage. */
async function plan(tx: Executor, accountId: string, pub: PublicationRecord, along = false) {
  const store = storeOf(pub.kind);
  return planImport(
    pub,
    {
      existingCopyId: (await store.findImported(tx, accountId, pub.id)) ?? null,
      localLineageId: (await marketplaceRepository.findImportLineage(tx, accountId, pub.lineageId)) ?? null,
    },
    along,
  );
}

/** R-IMP-1: the revision row of a planned copy, in the lineage shared by the account's imports. */
async function insertCopy(
  tx: Executor,
  accountId: string,
  pub: PublicationRecord,
  copy: Extract<ImportPlan, { created: true }>,
  source: MciRecord | TemplateRecord,
): Promise<string> {
  const store = storeOf(pub.kind);
  let lineageId = copy.lineageId;
  if (!lineageId) {
    lineageId = await store.insertLineage(tx, accountId);
    await marketplaceRepository.insertImportLineage(tx, {
      accountId,
      sourceLineageId: pub.lineageId,
      kind: pub.kind,
      localLineageId: lineageId,
    });
  }
  return store.insertRevision(tx, {
    lineageId,
    revision: copy.revision,
    accountId,
    name: source.name,
    description: source.description,
    tags: source.tags,
    commitMessage: source.commitMessage,
    committedBy: source.committedBy,
    committedAt: source.committedAt ? new Date(source.committedAt) : null,
    importedFrom: copy.importedFrom,
  });
}

/** Copies a published MCI revision as planned: the revision row and its settings (R-IMP-1). */
async function copyMci(
  tx: Executor,
  accountId: string,
  pub: PublicationRecord,
  copy: Extract<ImportPlan, { created: true }>,
): Promise<string> {
  const source = (await mciRepository.find(tx, pub.sourceId))!;
  const id = await insertCopy(tx, accountId, pub, copy, source);
  await mciRepository.replaceAllSettings(tx, id, source.settings);
  return id;
}

/** An MCI publication a template links: the account's copy, made now if it lacks one (R-IMP-2). */
async function importLinkedMci(tx: Executor, accountId: string, pub: PublicationRecord) {
  const p = await plan(tx, accountId, pub, true);
  return p.created
    ? { id: await copyMci(tx, accountId, pub, p), created: true }
    : { id: p.id, created: false };
}

/** R-IMP-2: a template copy links the account's copies of its MCIs, importing those it lacks. */
async function importTemplate(
  tx: Executor,
  accountId: string,
  pub: PublicationRecord,
  copy: Extract<ImportPlan, { created: true }>,
): Promise<{ id: string; mcis: Map<string, { id: string; created: boolean }> }> {
  const source = (await templateRepository.find(tx, pub.sourceId))!;
  const linked = await marketplaceRepository.findPublications(tx, pub.linkedPublicationIds);
  // Deprecated MCI publications still come along with the template (R-IMP-3).
  const mcis = new Map<string, { id: string; created: boolean }>();
  for (const mciPub of linked) mcis.set(mciPub.id, await importLinkedMci(tx, accountId, mciPub));
  const { links } = planTemplateImport({
    sourceLinks: source.links,
    sourceMcis: await mciRepository.findMany(
      tx,
      source.links.map((l) => l.mciId),
    ),
    linkedPublications: linked,
    existingCopies: new Map([...mcis].map(([pubId, c]) => [pubId, c.id])),
  });
  const copies = new Map(
    (
      await mciRepository.findMany(
        tx,
        [...mcis.values()].map((c) => c.id),
      )
    ).map((m) => [m.id, m]),
  );
  const id = await insertCopy(tx, accountId, pub, copy, source);
  await templateRepository.replaceAllLinks(
    tx,
    id,
    links.map((l) => {
      const local = copies.get(mcis.get(l.publicationId)!.id)!;
      return { mciId: local.id, mciLineageId: local.lineageId, isDefault: l.isDefault, position: l.position };
    }),
  );
  return { id, mcis };
}

/** The MCI copies a template revision links, in link order, as the import answer names them. */
async function importedMcisOf(
  tx: Executor,
  template: TemplateRecord,
  createdIds: ReadonlySet<string>,
): Promise<ImportedMci[]> {
  const links = byPosition(template.links);
  const mcis = new Map(
    (
      await mciRepository.findMany(
        tx,
        links.map((l) => l.mciId),
      )
    ).map((m) => [m.id, m]),
  );
  return links.map((l) => {
    const m = mcis.get(l.mciId)!;
    return {
      id: m.id,
      name: m.name,
      revision: m.revision,
      // Every MCI an imported template links is itself an import (R-IMP-2).
      importedFrom: m.importedFrom!,
      created: createdIds.has(m.id),
    };
  });
}

/** One import inside a unit of work: the local copy's id and the MCI copies it created. */
export interface ImportStep {
  kind: PublicationKind;
  id: string;
  created: boolean;
  importedMciIds: string[];
}

/**
 * R-IMP-1..3: imports a visible publication as a read-only copy and answers that revision (as a
 * read shows it) with the MCI copies that came along. Importing it again answers the existing
 * copy (`created: false`, 200). Deprecated publications come only along with a template.
 */
export async function importPublication(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  publicationId: string,
): Promise<ImportResult> {
  authorizeAccount(principal, accountId, 'import.create');
  return mutate(ctx, principal, async (uow) => {
    const step = await importPublicationIn(uow, accountId, publicationId);
    const { tx } = uow;
    if (step.kind === 'mci') {
      const revision = (await mciRepository.find(tx, step.id))!;
      return { kind: 'mci', created: step.created, revision, importedMcis: [] };
    }
    const template = (await templateRepository.find(tx, step.id))!;
    return {
      kind: 'server_template',
      created: step.created,
      revision: template,
      importedMcis: await importedMcisOf(tx, template, new Set(step.importedMciIds)),
    };
  });
}

/** R-IMP-1..3 inside a unit of work (an import on its own, or one step of `template push`). */
export async function importPublicationIn(
  uow: UnitOfWork,
  accountId: string,
  publicationId: string,
): Promise<ImportStep> {
  const { tx } = uow;
  const pub = await requireVisiblePublication(tx, accountId, publicationId);
  const p = await plan(tx, accountId, pub);
  if (!p.created) return { kind: pub.kind, id: p.id, created: false, importedMciIds: [] };
  let id: string;
  let importedMciIds: string[] = [];
  if (pub.kind === 'mci') {
    id = await copyMci(tx, accountId, pub, p);
  } else {
    const result = await importTemplate(tx, accountId, pub, p);
    id = result.id;
    importedMciIds = [...result.mcis.values()].filter((m) => m.created).map((m) => m.id);
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
