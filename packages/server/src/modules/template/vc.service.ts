import {
  assertEditable,
  authorizeAccount,
  diffTemplate,
  mergeBaseId,
  provenanceAfterMerge,
  mergedLinks,
  mergeTemplate,
  resolveMerge,
  templateSnapshot,
  type McILink,
  type MergeConflict,
  type Principal,
} from '@mci/core';
import {
  auditRepository,
  templateRepository,
  type Executor,
  type LinkView,
  type TemplateRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { assertVersion } from '../../http/etag.ts';
import { fieldChanges } from '../mci/vc.service.ts';
import { requireReadableTemplate, requireTemplate } from './template.service.ts';

const side = (t: TemplateRecord) => ({
  id: t.id,
  lineageId: t.lineageId,
  revision: t.revision,
  name: t.name,
});

function lineageNames(...templates: (TemplateRecord | null)[]): Map<string, string> {
  return new Map(templates.flatMap((t) => t?.links.map((l) => [l.mciLineageId, l.mciName] as const) ?? []));
}

/** R-VC-1 for templates: fields, links added/removed/revision changed, default changed. */
export async function diff(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  against: string,
) {
  authorizeAccount(principal, accountId, 'account.read');
  const to = await requireReadableTemplate(ctx.db, accountId, id);
  const from = await requireReadableTemplate(ctx.db, accountId, against);
  const names = lineageNames(from, to);
  const d = diffTemplate(from, to, names);
  const ref = (l: McILink | undefined) =>
    l ? { mciId: l.mciId, revision: (l as LinkView).mciRevision } : null;
  const def = (key: unknown) =>
    key ? { mciLineageId: key as string, mciName: names.get(key as string) ?? (key as string) } : null;
  return {
    from: side(from),
    to: side(to),
    fields: fieldChanges(d.fields),
    defaultChanged: d.fields.defaultKey
      ? { from: def(d.fields.defaultKey[0]), to: def(d.fields.defaultKey[1]) }
      : null,
    links: d.entries.map((e) => ({
      mciLineageId: e.key,
      mciName: names.get(e.key) ?? e.key,
      change: e.change === 'changed' ? ('revision_changed' as const) : e.change,
      from: ref(e.change === 'added' ? undefined : e.from),
      to: ref(e.change === 'removed' ? undefined : e.to),
    })),
  };
}

async function loadBase(
  db: Executor,
  head: TemplateRecord,
  from: TemplateRecord,
): Promise<TemplateRecord | null> {
  const revisions = await templateRepository.revisions(db, head.lineageId);
  const provenance = (
    await Promise.all(
      [head.clonedFrom, from.clonedFrom]
        .filter((x): x is string => Boolean(x))
        .map((id) => templateRepository.find(db, id)),
    )
  ).filter((t): t is TemplateRecord => Boolean(t));
  const baseId = mergeBaseId(
    head,
    from,
    (lineageId, revision) =>
      lineageId === head.lineageId ? revisions.find((r) => r.revision === revision)?.id : undefined,
    (id) => provenance.find((t) => t.id === id)?.lineageId,
  );
  return baseId ? ((await templateRepository.find(db, baseId)) ?? null) : null;
}

/** R-VC-2 for templates: links merge keyed by MCI lineage; writes only HEAD. */
export async function merge(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: { from: string; resolutions: Record<string, 'ours' | 'theirs'> },
  expected?: number,
) {
  authorizeAccount(principal, accountId, 'template.write');
  return ctx.db.transaction(async (tx) => {
    const head = await requireTemplate(tx, accountId, id);
    assertEditable(head, 'ServerTemplate');
    assertVersion(head, expected);
    const theirs = await requireTemplate(tx, accountId, input.from);
    const base = await loadBase(tx, head, theirs);
    const names = lineageNames(base, head, theirs);
    const m = mergeTemplate(base, head, theirs, names);
    const describe = (c: MergeConflict<McILink>) => ({
      key: c.key,
      kind: c.kind,
      label: c.kind === 'entry' ? (names.get(c.key) ?? c.key) : c.key,
      base: c.base ?? null,
      ours: c.ours ?? null,
      theirs: c.theirs ?? null,
    });
    const result = resolveMerge(
      m,
      templateSnapshot(head),
      templateSnapshot(theirs),
      input.resolutions,
      describe,
    );
    await templateRepository.replaceAllLinks(tx, head.id, mergedLinks(result, head.links, theirs.links));
    const provenance = provenanceAfterMerge(head, theirs, base);
    await templateRepository.updateRevision(tx, head.id, {
      name: result.name,
      description: result.description,
      tags: result.tags,
      ...provenance,
    });
    await auditRepository.insert(tx, {
      accountId,
      userId: principal.userId,
      action: 'template.merge',
      targetType: 'server_template',
      targetId: head.id,
      summary: `merged ${theirs.name} r${theirs.revision} (${theirs.id}) into the HEAD of "${head.name}"`,
    });
    const merged = (await templateRepository.find(tx, head.id))!;
    return {
      ...merged,
      merge: { baseId: base?.id ?? null, fromTheirs: m.fromTheirs, resolved: input.resolutions },
    };
  });
}
