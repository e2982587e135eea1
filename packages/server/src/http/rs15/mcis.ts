import { NotFoundError, revisionActions, type Principal } from '@mci/core';
import { rs15Repository, type MciRecord, type MciSettingView } from '@mci/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { mciRevisions } from '../../modules/mci/mci.kind.ts';
import * as mcis from '../../modules/mci/mci.service.ts';
import * as templates from '../../modules/template/template.service.ts';
import {
  actionsOf,
  allPages,
  callerOf,
  exactFilter,
  hrefs,
  idOfHref,
  idsOfHref,
  invalidParameter,
  linksOf,
  matchesFilters,
  paramsOf,
  parseFilters,
  parseParams,
  parseView,
  partialFilter,
  pathOf,
  rsName,
  rsText,
  sendCollection,
  sendCreated,
  sendNoContent,
  sendResource,
} from './wire.ts';

type WithId = { Params: { id: string } };
type WithSetting = { Params: { id: string; cloudId: string } };

const PAGE = 500;
const MCI_FILTERS = { name: { partial: true }, description: { partial: true }, revision: {} };
const SETTING_FILTERS = { cloud_href: {} };
const SETTING = 'multi_cloud_image_setting';

const createFields = z.object({
  multi_cloud_image: z.object({ name: rsName(), description: rsText().optional() }),
});
const updateFields = z.object({
  multi_cloud_image: z.object({ name: rsName().optional(), description: rsText().optional() }),
});
const commitFields = z.object({ commit_message: rsName(1000) });

const settingShape = {
  cloud_href: z.string().optional(),
  image_href: z.string().optional(),
  instance_type_href: z.string().optional(),
  user_data: rsText(16_384).optional(),
  // Kernel and ramdisk images are not part of the service's catalog (they are AKI/ARI era).
  kernel_image_href: z.undefined({ error: 'kernel images are not supported' }).optional(),
  ramdisk_image_href: z.undefined({ error: 'ramdisk images are not supported' }).optional(),
};
const settingFields = z.object({ [SETTING]: z.object(settingShape) });

const intOf = (value: string | undefined) =>
  value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;

export function presentMci(m: MciRecord, principal: Principal, accountId: string) {
  const allowed = revisionActions(principal, accountId, 'mci', m);
  const self = hrefs.mci(m.id);
  return {
    name: m.name,
    description: m.description,
    revision: m.revision,
    links: linksOf(self, { settings: `${self}/settings` }),
    actions: actionsOf([allowed.includes('commit') && 'commit', allowed.includes('clone') && 'clone']),
  };
}

export function presentSetting(m: MciRecord, s: MciSettingView) {
  return {
    user_data: s.userData ?? undefined,
    links: linksOf(hrefs.mciSetting(m.id, s.cloudId), {
      cloud: hrefs.cloud(s.cloudId),
      image: hrefs.image(s.cloudId, s.imageId),
      instance_type: hrefs.instanceType(s.cloudId, s.instanceTypeId),
      multi_cloud_image: hrefs.mci(m.id),
    }),
    actions: [],
  };
}

/** The image and instance type hrefs of a setting, each in the setting's cloud (400 otherwise). */
function settingRefs(p: z.infer<typeof settingFields>[typeof SETTING], cloudId: string | undefined) {
  const named = (key: 'image_href' | 'instance_type_href', kind: 'image' | 'instanceType') => {
    const href = p[key];
    if (href === undefined) return undefined;
    const [cloud, id] = idsOfHref(kind, href, `${SETTING}[${key}]`);
    if (cloudId !== undefined && cloud !== cloudId)
      throw invalidParameter(`${SETTING}[${key}] must name the setting's cloud (${hrefs.cloud(cloudId)})`);
    return { cloud, id };
  };
  return { image: named('image_href', 'image'), type: named('instance_type_href', 'instanceType') };
}

/**
 * API 1.5 MultiCloud Images (index, show, create, update, destroy, clone, commit) and their
 * settings (index, show, create, update, destroy) over the MCI and revision services (R-RS).
 * A setting is named by its cloud (R-MCI-2: one per cloud). The rules of SPEC §3 (R-MCI-1..3:
 * the image and type exist in the cloud, match in architecture, one setting per cloud) are the
 * service's; their refusals reach the client as 422.
 */
export function mcisRoutes(api: FastifyInstance, ctx: AppContext): void {
  const who = (request: FastifyRequest) => callerOf(request);

  async function index(request: FastifyRequest, scope?: MciRecord[]) {
    const { principal, accountId } = who(request);
    const params = paramsOf(request);
    parseView(params, ['default']);
    const filters = parseFilters(params, MCI_FILTERS);
    const items =
      scope ??
      (await allPages((cursor) =>
        mciRevisions.list(ctx, principal, accountId, {
          limit: PAGE,
          cursor,
          q: partialFilter(filters, 'name'),
          revision: intOf(exactFilter(filters, 'revision')),
        }),
      ));
    return items
      .filter((m) =>
        matchesFilters(filters, (f) =>
          f === 'revision' ? m.revision : f === 'name' ? m.name : m.description,
        ),
      )
      .map((m) => presentMci(m, principal, accountId));
  }

  api.get('/multi_cloud_images', async (request, reply) =>
    sendCollection(reply, 'multi_cloud_image', await index(request)),
  );

  /** The MCIs a template revision links, in its order (API 1.5's nested index). */
  api.get<WithId>('/server_templates/:id/multi_cloud_images', async (request, reply) => {
    const { principal, accountId } = who(request);
    const t = await templates.getTemplate(ctx, principal, accountId, request.params.id);
    const linked = [...t.links].sort((a, b) => a.position - b.position);
    const scope = await Promise.all(linked.map((l) => mciRevisions.get(ctx, principal, accountId, l.mciId)));
    return sendCollection(reply, 'multi_cloud_image', await index(request, scope));
  });

  api.get<WithId>('/multi_cloud_images/:id', async (request, reply) => {
    const { principal, accountId } = who(request);
    parseView(paramsOf(request), ['default']);
    const m = await mciRevisions.get(ctx, principal, accountId, request.params.id);
    return sendResource(reply, 'multi_cloud_image', presentMci(m, principal, accountId));
  });

  api.post('/multi_cloud_images', async (request, reply) => {
    const { principal, accountId } = who(request);
    const { multi_cloud_image: p } = parseParams(createFields, paramsOf(request));
    const m = await mcis.createMci(ctx, principal, accountId, {
      name: p.name,
      description: p.description ?? '',
      tags: [],
      settings: [],
    });
    return sendCreated(reply, hrefs.mci(m.id));
  });

  api.put<WithId>('/multi_cloud_images/:id', async (request, reply) => {
    const { principal, accountId } = who(request);
    const { multi_cloud_image: p } = parseParams(updateFields, paramsOf(request));
    const patch = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
    await mciRevisions.update(ctx, principal, accountId, request.params.id, patch);
    return sendNoContent(reply);
  });

  api.delete<WithId>('/multi_cloud_images/:id', async (request, reply) => {
    const { principal, accountId } = who(request);
    const { id } = request.params;
    const { items: revisions } = await mciRevisions.revisions(ctx, principal, accountId, id);
    // The whole lineage goes (R-MCI-7: not while a template or server uses it).
    await mciRevisions.remove(ctx, principal, accountId, id);
    for (const r of revisions) await rs15Repository.removeAllTags(ctx.db, accountId, hrefs.mci(r.id));
    return sendNoContent(reply);
  });

  api.post<WithId>('/multi_cloud_images/:id/clone', async (request, reply) => {
    const { principal, accountId } = who(request);
    const { multi_cloud_image: p } = parseParams(createFields, paramsOf(request));
    const m = await mciRevisions.clone(ctx, principal, accountId, request.params.id, {
      name: p.name,
      description: p.description,
    });
    return sendCreated(reply, hrefs.mci(m.id));
  });

  api.post<WithId>('/multi_cloud_images/:id/commit', async (request, reply) => {
    const { principal, accountId } = who(request);
    const p = parseParams(commitFields, paramsOf(request));
    const r = await mciRevisions.commit(ctx, principal, accountId, request.params.id, {
      message: p.commit_message,
    });
    return sendCreated(reply, hrefs.mci(r.id));
  });

  // ------------------------------------------------------------ settings

  async function settingOf(request: FastifyRequest<WithSetting>) {
    const { principal, accountId } = who(request);
    const m = await mciRevisions.get(ctx, principal, accountId, request.params.id);
    const s = m.settings.find((x) => x.cloudId === request.params.cloudId);
    if (!s) throw new NotFoundError('setting for cloud', request.params.cloudId);
    return { m, s };
  }

  api.get<WithId>('/multi_cloud_images/:id/settings', async (request, reply) => {
    const { principal, accountId } = who(request);
    const params = paramsOf(request);
    parseView(params, ['default']);
    const filters = parseFilters(params, SETTING_FILTERS).map((f) => ({ ...f, value: pathOf(f.value) }));
    const m = await mciRevisions.get(ctx, principal, accountId, request.params.id);
    const found = m.settings.filter((s) => matchesFilters(filters, () => hrefs.cloud(s.cloudId)));
    return sendCollection(
      reply,
      SETTING,
      found.map((s) => presentSetting(m, s)),
    );
  });

  api.get<WithSetting>('/multi_cloud_images/:id/settings/:cloudId', async (request, reply) => {
    parseView(paramsOf(request), ['default']);
    const { m, s } = await settingOf(request);
    return sendResource(reply, SETTING, presentSetting(m, s));
  });

  api.post<WithId>('/multi_cloud_images/:id/settings', async (request, reply) => {
    const { principal, accountId } = who(request);
    const { [SETTING]: p } = parseParams(settingFields, paramsOf(request));
    const missing = (['cloud_href', 'image_href', 'instance_type_href'] as const).filter((k) => !p[k]);
    if (missing.length)
      throw invalidParameter(missing.map((k) => `Missing required parameter ${SETTING}[${k}]`).join('; '));
    const cloudId = idOfHref('cloud', p.cloud_href, `${SETTING}[cloud_href]`);
    const { image, type } = settingRefs(p, cloudId);
    await mcis.addSetting(ctx, principal, accountId, request.params.id, {
      cloudId,
      imageId: image!.id,
      instanceTypeId: type!.id,
      userData: p.user_data,
    });
    return sendCreated(reply, hrefs.mciSetting(request.params.id, cloudId));
  });

  api.put<WithSetting>('/multi_cloud_images/:id/settings/:cloudId', async (request, reply) => {
    const { principal, accountId } = who(request);
    const { [SETTING]: p } = parseParams(settingFields, paramsOf(request));
    const { cloudId } = request.params;
    // The service refuses a setting moving to another cloud (cloud_href naming one).
    const named =
      p.cloud_href === undefined ? undefined : idOfHref('cloud', p.cloud_href, `${SETTING}[cloud_href]`);
    const { s } = await settingOf(request);
    const { image, type } = settingRefs(p, named ?? cloudId);
    await mcis.replaceSetting(ctx, principal, accountId, request.params.id, cloudId, {
      cloudId: named,
      imageId: image?.id ?? s.imageId,
      instanceTypeId: type?.id ?? s.instanceTypeId,
      userData: p.user_data === undefined ? s.userData : p.user_data,
    });
    return sendNoContent(reply);
  });

  api.delete<WithSetting>('/multi_cloud_images/:id/settings/:cloudId', async (request, reply) => {
    const { principal, accountId } = who(request);
    const { id, cloudId } = request.params;
    await mcis.removeSetting(ctx, principal, accountId, id, cloudId);
    await rs15Repository.removeAllTags(ctx.db, accountId, hrefs.mciSetting(id, cloudId));
    return sendNoContent(reply);
  });
}
