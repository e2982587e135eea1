import {
  assertVersion,
  authorizeAccount,
  byPosition,
  InputError,
  type Principal,
  type Warning,
} from '@mci/core';
import {
  identityRepository,
  marketplaceRepository,
  templateRepository,
  type MciRecord,
  type TemplateRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { mutateOrRehearse, type UnitOfWork } from '../../unit-of-work.ts';
import { mciRevisions } from '../mci/mci.kind.ts';
import { importPublicationIn } from '../marketplace/import.service.ts';
import { syncMciIn, fillSettings, type SettingInput } from '../mci/mci.service.ts';
import { templateRevisions } from './template.kind.ts';

/**
 * One MCI of a template document: an existing revision by id, a published MCI (its copy in the
 * account, imported when missing), or a HEAD defined inline.
 */
export type DocumentMci =
  | { mciId: string }
  | { publicationId: string }
  | { name: string; description: string; tags: string[]; settings: SettingInput[] };

/** A ServerTemplate as code (right_st's files): its fields and its MCIs in order, the first the default. */
export interface TemplateDocument {
  name: string;
  description: string;
  tags: string[];
  mcis: DocumentMci[];
}

export interface ApplyResult {
  /** The template after the change; null on a dry run (nothing was written). */
  template: TemplateRecord | null;
  /** The template's id: null only for a dry run that would create it. */
  templateId: string | null;
  created: boolean;
  changes: string[];
  warnings: Warning[];
  dryRun: boolean;
}

/** Thrown to roll a dry run back after it has computed exactly what it would do. */
/** Makes the template's links exactly `mcis`, in order, the first the default (R-ST-1/2). */
async function syncLinks(uow: UnitOfWork, t: TemplateRecord, mcis: MciRecord[]): Promise<string[]> {
  const current = byPosition(t.links);
  const same =
    current.length === mcis.length &&
    current.every((l, i) => l.mciId === mcis[i].id && l.isDefault === (i === 0));
  if (same) return [];
  const changes: string[] = [];
  const wanted = new Set(mcis.map((m) => m.lineageId));
  for (const link of current.filter((l) => !wanted.has(l.mciLineageId))) {
    await templateRepository.deleteLink(uow.tx, link.id);
    changes.push(`unlink "${link.mciName}"`);
  }
  let firstLinkId = '';
  for (const [i, mci] of mcis.entries()) {
    const link = current.find((l) => l.mciLineageId === mci.lineageId);
    const position = i + 1;
    let linkId: string;
    if (!link) {
      linkId = await templateRepository.insertLink(uow.tx, t.id, {
        mciId: mci.id,
        mciLineageId: mci.lineageId,
        isDefault: false,
        position,
      });
      changes.push(`link "${mci.name}" r${mci.revision}`);
    } else {
      linkId = link.id;
      if (link.mciId !== mci.id) changes.push(`point "${mci.name}" at r${mci.revision}`);
      else if (link.position !== position) changes.push(`move "${mci.name}" to position ${position}`);
      await templateRepository.updateLink(uow.tx, link.id, { mciId: mci.id, position });
    }
    if (i === 0) firstLinkId = linkId;
  }
  if (!current.find((l) => l.id === firstLinkId)?.isDefault)
    changes.push(`make "${mcis[0].name}" the default`);
  await templateRepository.setDefaultLink(uow.tx, t.id, firstLinkId);
  return changes;
}

/** Resolves one document MCI in the unit of work: an existing revision, or a synced/created HEAD. */
async function resolveMci(
  uow: UnitOfWork,
  principal: Principal,
  accountId: string,
  m: DocumentMci,
  changes: string[],
  warnings: Warning[],
): Promise<MciRecord> {
  if ('mciId' in m) return mciRevisions.requireOwn(uow.tx, accountId, m.mciId);
  if ('publicationId' in m) {
    authorizeAccount(principal, accountId, 'import.create');
    const copy = await importPublicationIn(uow, accountId, m.publicationId);
    if (copy.kind !== 'mci') {
      throw new InputError('not_an_mci', `publication ${m.publicationId} is a ServerTemplate, not an MCI`, {
        errors: [{ path: 'mcis', message: `publication ${m.publicationId} is not an MCI` }],
      });
    }
    const mci = (await mciRevisions.find(uow.tx, copy.id))!;
    if (copy.created) {
      const pub = (await marketplaceRepository.findPublication(uow.tx, m.publicationId))!;
      const publisher = await identityRepository.findAccount(uow.tx, pub.publisherAccountId);
      changes.push(
        `import ${mci.name} r${mci.revision} from ${publisher?.name ?? pub.publisherAccountId} (${pub.id})`,
      );
    }
    return mci;
  }
  const head = await mciRevisions.kind.store.headNamed(uow.tx, accountId, m.name);
  if (!head) {
    const { settings, ...fields } = m;
    const created = await mciRevisions.createIn(uow, accountId, fields, fillSettings(settings));
    changes.push(`create MCI "${m.name}" with ${settings.length} setting(s)`);
    warnings.push(...created.warnings);
    return created;
  }
  const locked = await mciRevisions.editableHead(uow.tx, principal, accountId, head.id, undefined);
  const result = await syncMciIn(uow, locked, m);
  changes.push(...result.changes);
  warnings.push(...result.warnings);
  return (await mciRevisions.find(uow.tx, head.id))!;
}

/**
 * Applies a template document as one unit of work (`mci template push`): the HEAD template named
 * like it (created when missing; guarded by If-Match when `expected` is given), its inline HEAD
 * MCIs, and its links in order. Everything changes or nothing does; applying the same document
 * twice changes nothing the second time. A dry run computes the same changes and rolls back.
 */
export async function applyTemplateDocument(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  doc: TemplateDocument,
  opts: { dryRun: boolean; expected?: number },
): Promise<ApplyResult> {
  authorizeAccount(principal, accountId, 'template.write');
  authorizeAccount(principal, accountId, 'mci.write');
  return await mutateOrRehearse(ctx, principal, opts.dryRun, async (uow) => {
    const changes: string[] = [];
    const warnings: Warning[] = [];
    const mcis: MciRecord[] = [];
    for (const m of doc.mcis) mcis.push(await resolveMci(uow, principal, accountId, m, changes, warnings));
    const existing = await templateRevisions.kind.store.headNamed(uow.tx, accountId, doc.name);
    let template: TemplateRecord;
    if (!existing) {
      if (opts.expected !== undefined) assertVersion({ id: doc.name, version: 0 }, opts.expected);
      const fields = { name: doc.name, description: doc.description, tags: doc.tags };
      template = await templateRevisions.createIn(uow, accountId, fields, async () => []);
      changes.push(`create ServerTemplate "${doc.name}" linking ${mcis.length} MCI(s)`);
      await syncLinks(uow, template, mcis);
    } else {
      template = await templateRevisions.editableHead(
        uow.tx,
        principal,
        accountId,
        existing.id,
        opts.expected,
      );
      const own: string[] = [];
      if (
        template.description !== doc.description ||
        JSON.stringify(template.tags) !== JSON.stringify(doc.tags)
      ) {
        await templateRepository.updateRevision(uow.tx, template.id, {
          description: doc.description,
          tags: doc.tags,
        });
        own.push(`update ServerTemplate "${doc.name}": description/tags`);
      }
      own.push(...(await syncLinks(uow, template, mcis)));
      if (own.length > 0) await templateRevisions.touch(uow, template, 'apply', own.join('; '));
      changes.push(...own);
    }
    const result: ApplyResult = {
      template: (await templateRevisions.find(uow.tx, template.id))!,
      templateId: template.id,
      created: !existing,
      changes,
      warnings,
      dryRun: opts.dryRun,
    };
    return opts.dryRun ? { ...result, template: null, templateId: existing?.id ?? null } : result;
  });
}
