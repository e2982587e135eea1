import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { PAGE_SIZE, usePaged } from '../../ui/paged.ts';
import { areaKey, useInvalidate } from '../cache.ts';
import { useAccountId } from '../session/session.tsx';

export type Template = Schemas['ServerTemplate'];
export type TemplateLink = Schemas['MciLink'];
export type SupportedCloud = Schemas['SupportedCloud'];
export type Committed = Schemas['ServerTemplateWithWarnings'];

export const templateKeys = {
  all: (a: string) => areaKey('templates', a),
  /** HEADs (`revision: 0`) or every revision (`undefined`) whose name contains `q`. */
  list: (a: string, q: string, revision?: 0) =>
    [...templateKeys.all(a), 'list', q, revision ?? 'all'] as const,
  forCloud: (a: string, cloudId: string | null) => [...templateKeys.all(a), 'for-cloud', cloudId] as const,
  detail: (a: string, id: string | null | undefined) => [...templateKeys.all(a), 'detail', id] as const,
  clouds: (a: string, id: string) => [...templateKeys.detail(a, id), 'clouds'] as const,
  revisions: (a: string, id: string) => [...templateKeys.detail(a, id), 'revisions'] as const,
};

async function listTemplates(
  a: string,
  q: string,
  revision: 0 | undefined,
  cursor: string | undefined,
  cloudId?: string,
) {
  return unwrap(
    await api.GET('/v1/accounts/{a}/server-templates', {
      params: { path: { a }, query: { q: q || undefined, revision, cloudId, limit: PAGE_SIZE, cursor } },
    }),
  );
}

async function supportedClouds(a: string, id: string) {
  return unwrap(
    await api.GET('/v1/accounts/{a}/server-templates/{id}/clouds', { params: { path: { a, id } } }),
  ).items;
}

/** Templates of the account whose name contains `q`: HEADs only, or every revision. */
export function useTemplates(q: string, options: { headsOnly?: boolean; enabled?: boolean } = {}) {
  const a = useAccountId();
  const revision = options.headsOnly ? 0 : undefined;
  return usePaged(templateKeys.list(a, q, revision), (cursor) => listTemplates(a, q, revision, cursor), {
    enabled: options.enabled,
  });
}

/**
 * Template revisions that support a cloud, with that cloud's entry (R-ST-3), a page of templates
 * at a time: a page may hold none, and the next one is read on demand.
 */
export function useTemplatesForCloud(cloudId: string | null) {
  const a = useAccountId();
  return usePaged(
    templateKeys.forCloud(a, cloudId),
    async (cursor) => {
      // The server lists only templates that support the cloud; each says which MCI serves it.
      const page = await listTemplates(a, '', undefined, cursor, cloudId!);
      const withCloud = await Promise.all(
        page.items.map(async (template) => ({
          template,
          cloud: (await supportedClouds(a, template.id)).find((c) => c.cloudId === cloudId),
        })),
      );
      return {
        items: withCloud.filter((c): c is { template: Template; cloud: SupportedCloud } => Boolean(c.cloud)),
        nextCursor: page.nextCursor,
      };
    },
    { enabled: Boolean(cloudId) },
  );
}

export function useTemplate(id: string | null | undefined) {
  const a = useAccountId();
  return useQuery({
    queryKey: templateKeys.detail(a, id),
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/server-templates/{id}', { params: { path: { a, id: id! } } })),
  });
}

/** R-ST-3: the clouds a template supports and which MCI serves each. */
export function useSupportedClouds(id: string) {
  const a = useAccountId();
  return useQuery({ queryKey: templateKeys.clouds(a, id), queryFn: () => supportedClouds(a, id) });
}

/** The supported clouds of several templates at once (the coverage matrix's rows). */
export function useSupportedCloudsOf(templates: readonly Template[]) {
  const a = useAccountId();
  return useQueries({
    queries: templates.map((t) => ({
      queryKey: templateKeys.clouds(a, t.id),
      queryFn: () => supportedClouds(a, t.id),
    })),
  });
}

export function useTemplateRevisions(id: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: templateKeys.revisions(a, id),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/server-templates/{id}/revisions', { params: { path: { a, id } } }),
      ).items,
  });
}

/** After a change to a template: the account's templates (lists, coverage, clouds). */
function useTemplatesChanged() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return () => invalidate(templateKeys.all(a));
}

export function useCreateTemplate() {
  const a = useAccountId();
  const changed = useTemplatesChanged();
  return useMutation({
    mutationFn: async (body: { name: string; description: string; mciIds: string[] }) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/server-templates', {
          params: { path: { a } },
          body: { ...body, tags: [] },
        }),
      ),
    onSuccess: changed,
  });
}

export type LinkChange =
  | { kind: 'make-default'; linkId: string }
  | { kind: 'repoint'; linkId: string; mciId: string }
  | { kind: 'remove'; linkId: string };

/** Changes one link of a HEAD (R-ST-1/2); the API answers with the updated template. */
export function useChangeLink(templateId: string) {
  const a = useAccountId();
  const queryClient = useQueryClient();
  const changed = useTemplatesChanged();
  return useMutation({
    mutationFn: async (change: LinkChange) => {
      const params = { params: { path: { a, id: templateId, linkId: change.linkId } } };
      if (change.kind === 'make-default')
        return unwrap(
          await api.POST('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}/make-default', params),
        );
      if (change.kind === 'remove')
        return unwrap(await api.DELETE('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', params));
      return unwrap(
        await api.PATCH('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', {
          ...params,
          body: { mciId: change.mciId },
        }),
      );
    },
    onSuccess: async (updated) => {
      queryClient.setQueryData(templateKeys.detail(a, templateId), updated);
      await changed();
    },
  });
}

/** Links an MCI revision to a HEAD; the API answers with the new link. */
export function useAddLink(templateId: string) {
  const a = useAccountId();
  const changed = useTemplatesChanged();
  return useMutation({
    mutationFn: async (mciId: string) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/server-templates/{id}/mcis', {
          params: { path: { a, id: templateId } },
          body: { mciId },
        }),
      ),
    onSuccess: changed,
  });
}

/** R-ST-4: commits a HEAD, optionally with the HEAD MCIs it links (which then change too). */
export function useCommitTemplate(templateId: string) {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: { message: string; commitHeadDependencies: boolean }) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/server-templates/{id}/commit', {
          params: { path: { a, id: templateId } },
          body,
        }),
      ),
    onSuccess: () => invalidate(templateKeys.all(a), areaKey('mcis', a)),
  });
}

export function useCloneTemplate(templateId: string) {
  const a = useAccountId();
  const changed = useTemplatesChanged();
  return useMutation({
    mutationFn: async (name: string) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/server-templates/{id}/clone', {
          params: { path: { a, id: templateId } },
          body: { name },
        }),
      ),
    onSuccess: changed,
  });
}
