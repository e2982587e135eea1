import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { ApiClient } from '@mci/client';
import { allPages, unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import {
  parseServerTemplate,
  serializeServerTemplate,
  type RevisionSpec,
  type RightStMci,
  type RightStMciRef,
  type RightStTemplate,
} from '../right-st/right-st.ts';
import { resolveCloud, resolveImage, resolveInstanceType } from './catalog.ts';

/** One file's push: what was (or, with --dry-run, would be) done. */
interface PushReport {
  file: string;
  template: string;
  templateId: string | null;
  actions: string[];
  ignored: string[];
}

/** The .yml/.yaml files under the given paths (folders are walked), in name order. */
async function expandFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => {
      throw new UsageError(`no such file or folder: ${p}`);
    });
    if (info.isDirectory()) {
      const entries = (await readdir(p, { recursive: true })).map(String).sort();
      files.push(...entries.filter((e) => ['.yml', '.yaml'].includes(extname(e))).map((e) => join(p, e)));
    } else files.push(p);
  }
  return files;
}

type Mci = {
  id: string;
  lineageId: string;
  revision: number;
  name: string;
  description: string;
  tags: string[];
  importedFrom: string | null;
  settings: { cloudId: string; imageId: string; instanceTypeId: string; userData: string | null }[];
};

/** Every revision in the account named exactly `name`. */
async function mcisNamed(client: ApiClient, a: string, name: string): Promise<Mci[]> {
  const all = await allPages(async (cursor) =>
    unwrap(
      await client.GET('/v1/accounts/{a}/mcis', {
        params: { path: { a }, query: { q: name, limit: 500, cursor } },
      }),
    ),
  );
  return all.filter((m) => m.name === name);
}

function pickRevision(revisions: Mci[], spec: RevisionSpec, what: string): Mci {
  const found =
    spec === 'head'
      ? revisions.find((m) => m.revision === 0)
      : spec === 'latest'
        ? revisions.filter((m) => m.revision > 0).sort((x, y) => y.revision - x.revision)[0]
        : revisions.find((m) => m.revision === spec);
  if (!found) throw new UsageError(`${what}: no revision ${spec === 'head' ? 'HEAD' : spec}`);
  return found;
}

/** Resolves one MultiCloudImages entry to the MCI revision the template should link. */
async function resolveRef(
  ctx: CliContext,
  client: ApiClient,
  ref: RightStMciRef,
  dryRun: boolean,
  actions: string[],
): Promise<string | null> {
  const a = ctx.account();
  switch (ref.kind) {
    case 'href': {
      const id = ref.href.split('/').filter(Boolean).pop()!;
      return unwrap(await client.GET('/v1/accounts/{a}/mcis/{id}', { params: { path: { a, id } } })).id;
    }
    case 'account': {
      const named = await mcisNamed(client, a, ref.name);
      const lineages = new Set(named.map((m) => m.lineageId));
      if (lineages.size === 0) throw new UsageError(`no MCI named "${ref.name}" in this account`);
      if (lineages.size > 1)
        throw new UsageError(
          `"${ref.name}" names ${lineages.size} MCI lineages in this account; use an Href`,
        );
      return pickRevision(named, ref.revision, `MCI "${ref.name}"`).id;
    }
    case 'publisher': {
      if (ref.revision === 'head')
        throw new UsageError(
          `MCI "${ref.name}" from ${ref.publisher}: a published MCI has no HEAD; give a revision or "latest"`,
        );
      const query = {
        q: ref.name,
        kind: 'mci' as const,
        revision: ref.revision === 'latest' ? undefined : ref.revision,
        limit: 500,
      };
      const found = unwrap(
        await client.GET('/v1/accounts/{a}/marketplace', { params: { path: { a }, query } }),
      ).items.find(
        (p) => p.name === ref.name && p.publisherName.toLowerCase() === ref.publisher.toLowerCase(),
      );
      if (!found)
        throw new UsageError(
          `MCI "${ref.name}" revision ${ref.revision} by ${ref.publisher} is not in the marketplace`,
        );
      const imported = (await mcisNamed(client, a, found.name)).find((m) => m.importedFrom === found.id);
      if (imported) return imported.id;
      actions.push(`import ${found.name} r${found.revision} from ${found.publisherName} (${found.id})`);
      if (dryRun) return null;
      return unwrap(
        await client.POST('/v1/accounts/{a}/imports', {
          params: { path: { a } },
          body: { publicationId: found.id },
        }),
      ).id;
    }
    case 'inline':
    case 'file':
      return upsertMci(ctx, client, ref.mci, dryRun, actions);
  }
}

/** Creates or updates the HEAD MCI named like an inline definition, setting by setting. */
async function upsertMci(
  ctx: CliContext,
  client: ApiClient,
  def: RightStMci,
  dryRun: boolean,
  actions: string[],
): Promise<string | null> {
  const a = ctx.account();
  const desired: {
    cloudId: string;
    cloudName: string;
    imageId: string;
    instanceTypeId: string;
    userData: string | null;
  }[] = [];
  for (const s of def.settings) {
    const cloud = await resolveCloud(client, s.cloud);
    const image = await resolveImage(client, cloud.id, s.image);
    const type = await resolveInstanceType(client, cloud.id, s.instanceType);
    desired.push({
      cloudId: cloud.id,
      cloudName: cloud.name,
      imageId: image.id,
      instanceTypeId: type.id,
      userData: s.userData ?? null,
    });
  }
  const head = (await mcisNamed(client, a, def.name)).find((m) => m.revision === 0 && !m.importedFrom);
  if (!head) {
    actions.push(`create MCI "${def.name}" with ${desired.length} setting(s)`);
    if (dryRun) return null;
    const settings = desired.map(({ cloudName: _n, ...s }) => s);
    return unwrap(
      await client.POST('/v1/accounts/{a}/mcis', {
        params: { path: { a } },
        body: { name: def.name, description: def.description, tags: def.tags, settings },
      }),
    ).id;
  }
  const p = { params: { path: { a, id: head.id } } };
  if (head.description !== def.description || JSON.stringify(head.tags) !== JSON.stringify(def.tags)) {
    actions.push(`update MCI "${def.name}": description/tags`);
    if (!dryRun)
      unwrap(
        await client.PATCH('/v1/accounts/{a}/mcis/{id}', {
          ...p,
          body: { description: def.description, tags: def.tags },
        }),
      );
  }
  for (const s of desired) {
    const current = head.settings.find((c) => c.cloudId === s.cloudId);
    const body = { imageId: s.imageId, instanceTypeId: s.instanceTypeId, userData: s.userData };
    if (!current) {
      actions.push(`MCI "${def.name}": add setting for ${s.cloudName}`);
      if (!dryRun)
        unwrap(
          await client.POST('/v1/accounts/{a}/mcis/{id}/settings', {
            ...p,
            body: { cloudId: s.cloudId, ...body },
          }),
        );
    } else if (
      current.imageId !== s.imageId ||
      current.instanceTypeId !== s.instanceTypeId ||
      (current.userData ?? null) !== s.userData
    ) {
      actions.push(`MCI "${def.name}": replace setting for ${s.cloudName}`);
      if (!dryRun)
        unwrap(
          await client.PUT('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
            params: { path: { a, id: head.id, cloudId: s.cloudId } },
            body,
          }),
        );
    }
  }
  for (const c of head.settings.filter((c) => !desired.some((s) => s.cloudId === c.cloudId))) {
    actions.push(`MCI "${def.name}": remove setting for cloud ${c.cloudId}`);
    if (!dryRun)
      unwrap(
        await client.DELETE('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
          params: { path: { a, id: head.id, cloudId: c.cloudId } },
        }),
      );
  }
  return head.id;
}

/** Makes a HEAD template named like the file link exactly `mciIds`, the first as default. */
async function upsertTemplate(
  ctx: CliContext,
  client: ApiClient,
  t: RightStTemplate,
  mciIds: (string | null)[],
  dryRun: boolean,
  actions: string[],
): Promise<string | null> {
  const a = ctx.account();
  const heads = await allPages(async (cursor) =>
    unwrap(
      await client.GET('/v1/accounts/{a}/server-templates', {
        params: { path: { a }, query: { q: t.name, revision: 0, limit: 500, cursor } },
      }),
    ),
  );
  const head = heads.find((x) => x.name === t.name && !x.importedFrom);
  if (!head) {
    actions.push(`create ServerTemplate "${t.name}" linking ${mciIds.length} MCI(s)`);
    if (dryRun) return null;
    return unwrap(
      await client.POST('/v1/accounts/{a}/server-templates', {
        params: { path: { a } },
        body: { name: t.name, description: t.description, tags: [], mciIds: mciIds as string[] },
      }),
    ).id;
  }
  const p = { params: { path: { a, id: head.id } } };
  if (head.description !== t.description) {
    actions.push(`update ServerTemplate "${t.name}": description`);
    if (!dryRun)
      unwrap(
        await client.PATCH('/v1/accounts/{a}/server-templates/{id}', {
          ...p,
          body: { description: t.description },
        }),
      );
  }
  if (dryRun) {
    actions.push(`relink ServerTemplate "${t.name}" to ${mciIds.length} MCI(s)`);
    return head.id;
  }
  const mcis = await Promise.all(
    (mciIds as string[]).map(async (id) =>
      unwrap(await client.GET('/v1/accounts/{a}/mcis/{id}', { params: { path: { a, id } } })),
    ),
  );
  let current = head;
  for (const mci of mcis) {
    const link = current.links.find((l) => l.mciLineageId === mci.lineageId);
    if (!link) {
      actions.push(`link "${mci.name}" r${mci.revision}`);
      unwrap(
        await client.POST('/v1/accounts/{a}/server-templates/{id}/mcis', { ...p, body: { mciId: mci.id } }),
      );
      current = unwrap(await client.GET('/v1/accounts/{a}/server-templates/{id}', p));
    } else if (link.mciId !== mci.id) {
      actions.push(`point "${mci.name}" at r${mci.revision}`);
      current = unwrap(
        await client.PATCH('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', {
          params: { path: { a, id: head.id, linkId: link.id } },
          body: { mciId: mci.id },
        }),
      );
    }
  }
  const first = current.links.find((l) => l.mciLineageId === mcis[0]?.lineageId);
  if (first && !first.isDefault) {
    actions.push(`make "${first.mciName}" the default`);
    current = unwrap(
      await client.POST('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}/make-default', {
        params: { path: { a, id: head.id, linkId: first.id } },
      }),
    );
  }
  for (const link of current.links.filter((l) => !mcis.some((m) => m.lineageId === l.mciLineageId))) {
    actions.push(`unlink "${link.mciName}"`);
    unwrap(
      await client.DELETE('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', {
        params: { path: { a, id: head.id, linkId: link.id } },
      }),
    );
  }
  return head.id;
}

/** `mci template push`: each right_st file becomes (or updates) a HEAD template. */
export async function pushTemplates(ctx: CliContext, paths: string[], dryRun: boolean): Promise<void> {
  const client = ctx.client();
  const files = await expandFiles(paths);
  const bar = ctx.out.progress(dryRun ? 'planning' : 'pushing', files.length);
  const reports: PushReport[] = [];
  for (const [i, file] of files.entries()) {
    const text = await readFile(file, 'utf8');
    if (!/^MultiCloudImages\s*:/m.test(text)) continue; // an MCI file referenced by templates, not a template
    const template = await parseServerTemplate(text, {
      readFile: (rel) => readFile(resolve(dirname(file), rel), 'utf8'),
    });
    const actions: string[] = [];
    const mciIds: (string | null)[] = [];
    for (const ref of template.mcis) mciIds.push(await resolveRef(ctx, client, ref, dryRun, actions));
    const templateId = await upsertTemplate(ctx, client, template, mciIds, dryRun, actions);
    reports.push({
      file,
      template: template.name,
      templateId,
      actions,
      ignored: template.ignored.map((s) => `${s.section}: ${s.summary}`),
    });
    bar.update(i + 1);
  }
  bar.stop();
  if (ctx.out.json) return ctx.out.print(reports);
  for (const r of reports) {
    ctx.out.info(
      `${r.file}: ServerTemplate "${r.template}"${r.templateId ? ` (${r.templateId})` : ''}${dryRun ? ' — dry run, nothing changed' : ''}`,
    );
    for (const action of r.actions) ctx.out.info(`  ${dryRun ? 'would ' : ''}${action}`);
    if (r.actions.length === 0) ctx.out.info('  up to date');
    for (const s of r.ignored) ctx.out.info(`  ignored (not modelled yet, kept in the file): ${s}`);
  }
}

/** `mci template pull`: the template in right_st YAML; an existing output file keeps its unmodelled sections. */
export async function pullTemplate(ctx: CliContext, id: string, output?: string): Promise<void> {
  const client = ctx.client();
  const a = ctx.account();
  const t = unwrap(
    await client.GET('/v1/accounts/{a}/server-templates/{id}', { params: { path: { a, id } } }),
  );
  const mcis: RightStMciRef[] = [];
  for (const link of [...t.links].sort(
    (x, y) => Number(y.isDefault) - Number(x.isDefault) || x.position - y.position,
  )) {
    const mci = unwrap(
      await client.GET('/v1/accounts/{a}/mcis/{id}', { params: { path: { a, id: link.mciId } } }),
    );
    if (mci.importedFrom) {
      const pub = unwrap(
        await client.GET('/v1/accounts/{a}/publications/{p}', {
          params: { path: { a, p: mci.importedFrom } },
        }),
      );
      mcis.push({ kind: 'publisher', name: pub.name, revision: pub.revision, publisher: pub.publisherName });
    } else if (mci.revision > 0) {
      mcis.push({ kind: 'account', name: mci.name, revision: mci.revision });
    } else {
      mcis.push({
        kind: 'inline',
        mci: {
          name: mci.name,
          description: mci.description,
          tags: mci.tags,
          settings: mci.settings.map((s) => ({
            cloud: s.cloudName,
            instanceType: s.instanceTypeName,
            image: s.imageResourceUid,
            ...(s.userData ? { userData: s.userData } : {}),
          })),
        },
      });
    }
  }
  let extra: Record<string, unknown> = {};
  if (output) {
    const existing = await readFile(output, 'utf8').catch(() => undefined);
    if (existing)
      extra = (
        await parseServerTemplate(existing, {
          readFile: (rel) => readFile(resolve(dirname(output), rel), 'utf8'),
        })
      ).extra;
  }
  const text = serializeServerTemplate({
    name: t.name,
    description: t.description,
    mcis,
    ignored: [],
    extra,
  });
  if (output) {
    await writeFile(output, text);
    ctx.out.info(`wrote ${output}`);
  } else process.stdout.write(text);
}
