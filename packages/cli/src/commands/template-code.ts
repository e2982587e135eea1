import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { ApiClient, paths, Schemas } from '@mci/client';
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

type Mci = Schemas['Mci'];

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

/** One MCI of the document sent to the server: an existing revision, or an inline HEAD. */
type ApplyBody = NonNullable<
  paths['/v1/accounts/{a}/server-templates/apply']['post']['requestBody']
>['content']['application/json'];
type DocumentMci = ApplyBody['mcis'][number];

/**
 * Resolves one MultiCloudImages entry to what the document sends: a revision id, a publication
 * (imported by the server in the same call), or an inline HEAD with names resolved to ids.
 */
async function resolveRef(ctx: CliContext, client: ApiClient, ref: RightStMciRef): Promise<DocumentMci> {
  const a = ctx.account();
  switch (ref.kind) {
    case 'href': {
      const id = ref.href.split('/').filter(Boolean).pop()!;
      return {
        mciId: unwrap(await client.GET('/v1/accounts/{a}/mcis/{id}', { params: { path: { a, id } } })).id,
      };
    }
    case 'account': {
      const named = await mcisNamed(client, a, ref.name);
      const lineages = new Set(named.map((m) => m.lineageId));
      if (lineages.size === 0) throw new UsageError(`no MCI named "${ref.name}" in this account`);
      if (lineages.size > 1)
        throw new UsageError(
          `"${ref.name}" names ${lineages.size} MCI lineages in this account; use an Href`,
        );
      return { mciId: pickRevision(named, ref.revision, `MCI "${ref.name}"`).id };
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
      // Imported (or found already imported, R-IMP-2) by the server in the same call.
      return { publicationId: found.id };
    }
    case 'inline':
    case 'file':
      return inlineMci(client, ref.mci);
  }
}

/** An inline MCI definition with cloud, image and instance type names resolved to ids. */
async function inlineMci(client: ApiClient, def: RightStMci): Promise<DocumentMci> {
  const settings = [];
  for (const s of def.settings) {
    const cloud = await resolveCloud(client, s.cloud);
    const image = await resolveImage(client, cloud.id, s.image);
    const type = await resolveInstanceType(client, cloud.id, s.instanceType);
    settings.push({
      cloudId: cloud.id,
      imageId: image.id,
      instanceTypeId: type.id,
      userData: s.userData ?? null,
    });
  }
  return { name: def.name, description: def.description, tags: def.tags, settings };
}

/** The ETag of the HEAD template named like the file, if there is one (for If-Match). */
async function headEtag(ctx: CliContext, client: ApiClient, name: string): Promise<string | undefined> {
  const a = ctx.account();
  const heads = await allPages(async (cursor) =>
    unwrap(
      await client.GET('/v1/accounts/{a}/server-templates', {
        params: { path: { a }, query: { q: name, revision: 0, limit: 500, cursor } },
      }),
    ),
  );
  const head = heads.find((x) => x.name === name && !x.importedFrom);
  if (!head) return undefined;
  const read = await client.GET('/v1/accounts/{a}/server-templates/{id}', {
    params: { path: { a, id: head.id } },
  });
  unwrap(read);
  return read.response.headers.get('etag') ?? undefined;
}

/**
 * Sends one file's template document to the server, which applies it in one transaction
 * guarded by If-Match (`POST …/server-templates/apply`), or plans it with `dryRun`.
 */
async function applyTemplate(
  ctx: CliContext,
  client: ApiClient,
  t: RightStTemplate,
  mcis: DocumentMci[],
  dryRun: boolean,
  actions: string[],
): Promise<string | null> {
  const etag = await headEtag(ctx, client, t.name);
  const result = unwrap(
    await client.POST('/v1/accounts/{a}/server-templates/apply', {
      params: { path: { a: ctx.account() }, header: etag ? { 'if-match': etag } : {} },
      body: { name: t.name, description: t.description, tags: [], mcis, dryRun },
    }),
  );
  actions.push(...result.changes);
  return result.templateId;
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
    const mcis: DocumentMci[] = [];
    for (const ref of template.mcis) mcis.push(await resolveRef(ctx, client, ref));
    const templateId = await applyTemplate(ctx, client, template, mcis, dryRun, actions);
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
