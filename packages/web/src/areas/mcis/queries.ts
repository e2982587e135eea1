import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap, type paths, type Schemas } from '../../api.ts';
import { PAGE_SIZE, usePaged } from '../../ui/paged.ts';
import { areaKey, useInvalidate } from '../cache.ts';
import { useAccountId } from '../session/session.tsx';

export type Mci = Schemas['Mci'];
export type MciSetting = Schemas['MciSetting'];

export const mciKeys = {
  all: (a: string) => areaKey('mcis', a),
  /** HEADs (`revision: 0`) or every revision (`undefined`) whose name contains `q`. */
  list: (a: string, q: string, revision?: 0, cloudId?: string) =>
    [...mciKeys.all(a), 'list', q, revision ?? 'all', cloudId ?? 'any'] as const,
  lineage: (a: string, lineageId: string) => [...mciKeys.all(a), 'lineage', lineageId] as const,
  detail: (a: string, id: string | null | undefined) => [...mciKeys.all(a), 'detail', id] as const,
  lint: (a: string, id: string) => [...mciKeys.detail(a, id), 'lint'] as const,
  revisions: (a: string, id: string) => [...mciKeys.detail(a, id), 'revisions'] as const,
  usage: (a: string, id: string) => [...mciKeys.detail(a, id), 'usage'] as const,
  diff: (a: string, id: string, against: string | null) =>
    [...mciKeys.detail(a, id), 'diff', against] as const,
};

/** MCIs of the account whose name contains `q`: HEADs for the list, every revision for pickers. */
export function useMcis(
  q: string,
  options: { headsOnly?: boolean; enabled?: boolean; cloudId?: string } = {},
) {
  const a = useAccountId();
  const revision = options.headsOnly ? 0 : undefined;
  const { cloudId } = options;
  return usePaged(
    mciKeys.list(a, q, revision, cloudId),
    async (cursor) =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis', {
          params: { path: { a }, query: { q: q || undefined, revision, cloudId, limit: PAGE_SIZE, cursor } },
        }),
      ),
    { enabled: options.enabled },
  );
}

/** Every revision of one MCI lineage (for re-pointing a template's link within it). */
export function useMciLineage(lineageId: string) {
  const a = useAccountId();
  return usePaged(mciKeys.lineage(a, lineageId), async (cursor) =>
    unwrap(
      await api.GET('/v1/accounts/{a}/mcis', {
        params: { path: { a }, query: { lineageId, limit: PAGE_SIZE, cursor } },
      }),
    ),
  );
}

export function useMci(id: string | null | undefined) {
  const a = useAccountId();
  return useQuery({
    queryKey: mciKeys.detail(a, id),
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}', { params: { path: { a, id: id! } } })),
  });
}

/** R-MCI-8 naming and coverage warnings, as the API words them. */
export function useMciLint(id: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: mciKeys.lint(a, id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}/lint', { params: { path: { a, id } } })).warnings,
  });
}

export function useMciRevisions(id: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: mciKeys.revisions(a, id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}/revisions', { params: { path: { a, id } } })).items,
  });
}

/** Which templates and servers use each revision of the lineage. */
export function useMciUsage(id: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: mciKeys.usage(a, id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}/usage', { params: { path: { a, id } } })),
  });
}

/** R-VC-1: what `id` changes relative to `against`. */
export function useMciDiff(id: string, against: string | null) {
  const a = useAccountId();
  return useQuery({
    queryKey: mciKeys.diff(a, id, against),
    enabled: Boolean(against),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis/{id}/diff', {
          params: { path: { a, id }, query: { against: against! } },
        }),
      ),
  });
}

/**
 * After a change to an MCI: its own reads, the account's lists, and the templates (their clouds,
 * coverage and newer-revision notices come from their MCIs).
 */
function useMciChanged() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return () => invalidate(mciKeys.all(a), areaKey('templates', a));
}

export function useCreateMci() {
  const a = useAccountId();
  const changed = useMciChanged();
  return useMutation({
    mutationFn: async (body: { name: string; description: string }) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/mcis', {
          params: { path: { a } },
          body: { ...body, tags: [], settings: [] },
        }),
      ),
    onSuccess: changed,
  });
}

export interface SettingInput {
  /** The cloud of a new setting, or the cloud whose setting is replaced. */
  cloudId: string;
  replace: boolean;
  imageId: string;
  instanceTypeId: string;
  userData?: string;
}

/** Adds a cloud's setting to a HEAD, or replaces one (R-MCI-1..3 are the API's to check). */
export function useSaveSetting(mciId: string) {
  const a = useAccountId();
  const changed = useMciChanged();
  return useMutation({
    mutationFn: async ({ cloudId, replace, ...setting }: SettingInput) =>
      replace
        ? unwrap(
            await api.PUT('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
              params: { path: { a, id: mciId, cloudId } },
              body: setting,
            }),
          )
        : unwrap(
            await api.POST('/v1/accounts/{a}/mcis/{id}/settings', {
              params: { path: { a, id: mciId } },
              body: { cloudId, ...setting },
            }),
          ),
    onSuccess: changed,
  });
}

export function useRemoveSetting(mciId: string) {
  const a = useAccountId();
  const changed = useMciChanged();
  return useMutation({
    mutationFn: async (cloudId: string) =>
      unwrap(
        await api.DELETE('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
          params: { path: { a, id: mciId, cloudId } },
        }),
      ),
    onSuccess: changed,
  });
}

export function useCommitMci(mciId: string) {
  const a = useAccountId();
  const changed = useMciChanged();
  return useMutation({
    mutationFn: async (message: string) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/mcis/{id}/commit', {
          params: { path: { a, id: mciId } },
          body: { message },
        }),
      ),
    onSuccess: changed,
  });
}

export function useCloneMci(mciId: string) {
  const a = useAccountId();
  const changed = useMciChanged();
  return useMutation({
    mutationFn: async (name: string) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/mcis/{id}/clone', {
          params: { path: { a, id: mciId } },
          body: { name },
        }),
      ),
    onSuccess: changed,
  });
}

/** R-VC-2: merges `from` into the HEAD `id`; a `merge_conflict` problem lists the conflicts. */
export function useMergeMci(id: string) {
  const a = useAccountId();
  const changed = useMciChanged();
  return useMutation({
    mutationFn: async (input: { from: string; resolutions: Record<string, 'ours' | 'theirs'> }) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/mcis/{id}/merge', { params: { path: { a, id } }, body: input }),
      ),
    onSuccess: changed,
  });
}

export type CatalogImportBody = NonNullable<
  paths['/v1/accounts/{a}/catalog-imports']['post']['requestBody']
>['content']['application/json'];
export type CatalogImportResult = Schemas['CatalogImportResult'];

/** A catalog import: a preview (`dryRun`), or the apply, which changes the account's MCIs. */
export function useCatalogImport() {
  const a = useAccountId();
  const changed = useMciChanged();
  return useMutation({
    mutationFn: async (body: CatalogImportBody) =>
      unwrap(await api.POST('/v1/accounts/{a}/catalog-imports', { params: { path: { a } }, body })),
    onSuccess: async (result) => {
      if (!result.dryRun) await changed();
    },
  });
}
