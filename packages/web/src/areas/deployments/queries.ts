import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type paths, type Schemas } from '../../api.ts';
import { PAGE_SIZE, usePaged } from '../../ui/paged.ts';
import { areaKey, useInvalidate } from '../cache.ts';
import { useAccountId } from '../session/session.tsx';
import { isTransitional, POLL_MS } from './actions.ts';

export type Server = Schemas['Server'];
export type Inherited = Server['inheritedSource']['mci'];
export type Warning = Schemas['Warning'];
export type ServerPatch = NonNullable<
  paths['/v1/accounts/{a}/deployments/{d}/servers/{s}']['patch']['requestBody']
>['content']['application/json'];
export type NewServer = NonNullable<
  paths['/v1/accounts/{a}/deployments/{d}/servers']['post']['requestBody']
>['content']['application/json'];

export const deploymentKeys = {
  all: (a: string) => areaKey('deployments', a),
  list: (a: string) => [...deploymentKeys.all(a), 'list'] as const,
  detail: (a: string, d: string) => [...deploymentKeys.all(a), 'detail', d] as const,
  servers: (a: string, d: string) => [...deploymentKeys.detail(a, d), 'servers'] as const,
  server: (a: string, s: string) => [...deploymentKeys.all(a), 'server', s] as const,
};

export function useDeployments() {
  const a = useAccountId();
  return usePaged(deploymentKeys.list(a), async (cursor) =>
    unwrap(
      await api.GET('/v1/accounts/{a}/deployments', {
        params: { path: { a }, query: { limit: PAGE_SIZE, cursor } },
      }),
    ),
  );
}

export function useDeployment(d: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: deploymentKeys.detail(a, d),
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/deployments/{d}', { params: { path: { a, d } } })),
  });
}

export function useServers(d: string) {
  const a = useAccountId();
  return usePaged(deploymentKeys.servers(a, d), async (cursor) =>
    unwrap(
      await api.GET('/v1/accounts/{a}/deployments/{d}/servers', {
        params: { path: { a, d }, query: { limit: PAGE_SIZE, cursor } },
      }),
    ),
  );
}

export function useServer(d: string, s: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: deploymentKeys.server(a, s),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/deployments/{d}/servers/{s}', { params: { path: { a, d, s } } }),
      ),
    // While launching or terminating, the reconciler moves the state on: follow it.
    refetchInterval: (query) =>
      query.state.data && isTransitional(query.state.data.state) ? POLL_MS : false,
  });
}

export function useCreateDeployment() {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: { name: string; description: string }) =>
      unwrap(await api.POST('/v1/accounts/{a}/deployments', { params: { path: { a } }, body })),
    onSuccess: () => invalidate(deploymentKeys.list(a)),
  });
}

/** Adds a server; the API resolves and checks what it inherits (R-SRV-1..6). MCI usage changes too. */
export function useCreateServer(d: string) {
  const a = useAccountId();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: NewServer) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/deployments/{d}/servers', { params: { path: { a, d } }, body }),
      ),
    onSuccess: () => invalidate(deploymentKeys.servers(a, d), areaKey('mcis', a)),
  });
}

/** R-SRV-5: re-points a server's MCI or image, or renames it; answers with warnings. */
export function usePatchServer(server: Server) {
  const a = useAccountId();
  const queryClient = useQueryClient();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: ServerPatch) =>
      unwrap(
        await api.PATCH('/v1/accounts/{a}/deployments/{d}/servers/{s}', {
          params: { path: { a, d: server.deploymentId, s: server.id } },
          body,
        }),
      ),
    onSuccess: async ({ warnings: _warnings, ...saved }) => {
      queryClient.setQueryData(deploymentKeys.server(a, server.id), saved);
      await invalidate(deploymentKeys.servers(a, server.deploymentId), areaKey('mcis', a));
    },
  });
}

export type LifecycleAction = 'launch' | 'terminate';

/** R-LCH-1/2: launches or terminates a server; the answer replaces the cached server. */
export function useServerLifecycle(server: Pick<Server, 'id' | 'deploymentId'>, action: LifecycleAction) {
  const a = useAccountId();
  const queryClient = useQueryClient();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async () => {
      const params = { params: { path: { a, d: server.deploymentId, s: server.id } } };
      return unwrap(
        action === 'launch'
          ? await api.POST('/v1/accounts/{a}/deployments/{d}/servers/{s}/launch', params)
          : await api.POST('/v1/accounts/{a}/deployments/{d}/servers/{s}/terminate', params),
      );
    },
    onSuccess: async (saved) => {
      queryClient.setQueryData(deploymentKeys.server(a, server.id), saved);
      await invalidate(deploymentKeys.servers(a, server.deploymentId));
    },
    // A refusal (e.g. R-SRV-6) may have changed the server (its state reason) and the catalog.
    onError: () =>
      invalidate(deploymentKeys.server(a, server.id), deploymentKeys.servers(a, server.deploymentId)),
  });
}
