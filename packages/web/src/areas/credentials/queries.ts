import { useMutation } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { PAGE_SIZE, usePaged } from '../../ui/paged.ts';
import { useInvalidate } from '../cache.ts';
import { useAccountId } from '../session/session.tsx';

export type Credential = Schemas['CloudCredential'];
export type CredentialCloudType = Credential['cloudType'];

export const CREDENTIAL_CLOUD_TYPES: CredentialCloudType[] = ['aws', 'simulated'];

/** What the add and rotate forms send: the secret goes to the server once and never comes back. */
export interface KeysInput {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  endpoint?: string | null;
  roleArn?: string | null;
}

export const credentialKeys = {
  all: (a: string) => ['credentials', a] as const,
};

/** The current account's cloud credentials (admins), without secrets. */
export function useCredentials(enabled: boolean) {
  const a = useAccountId();
  return usePaged<Credential>(
    credentialKeys.all(a),
    async (cursor) =>
      unwrap(
        await api.GET('/v1/accounts/{a}/cloud-credentials', {
          params: { path: { a }, query: { limit: PAGE_SIZE, cursor } },
        }),
      ),
    { enabled },
  );
}

function useChanged() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return () => invalidate(credentialKeys.all(a));
}

/** Registers credentials; the server asks the cloud who they belong to first. */
export function useAddCredential() {
  const a = useAccountId();
  const changed = useChanged();
  return useMutation({
    mutationFn: async (body: KeysInput & { cloudType: CredentialCloudType }) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/cloud-credentials', {
          params: { path: { a } },
          body: {
            ...body,
            endpoint: body.endpoint || undefined,
            roleArn: body.roleArn || undefined,
            sessionToken: body.sessionToken || undefined,
          },
        }),
      ),
    onSuccess: changed,
  });
}

/** Replaces the keys (rotation); endpoint and role as given (null clears them). */
export function useRotateCredential() {
  const a = useAccountId();
  const changed = useChanged();
  return useMutation({
    mutationFn: async ({ id, ...body }: KeysInput & { id: string }) =>
      unwrap(
        await api.PUT('/v1/accounts/{a}/cloud-credentials/{id}', {
          params: { path: { a, id } },
          body: { ...body, sessionToken: body.sessionToken || undefined },
        }),
      ),
    onSuccess: changed,
  });
}

/** Asks the cloud whether stored credentials still work (and whose they are). */
export function useCheckCredential() {
  const a = useAccountId();
  const changed = useChanged();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/cloud-credentials/{id}/check', { params: { path: { a, id } } }),
      ),
    onSettled: changed,
  });
}

export function useDeleteCredential() {
  const a = useAccountId();
  const changed = useChanged();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/v1/accounts/{a}/cloud-credentials/{id}', { params: { path: { a, id } } })),
    onSuccess: changed,
  });
}
