import { serverActions, type Principal, type Server, type ServerAction } from '@mci/core';

/** A server as the v1 API shows it: the record plus what the caller may do with it. */
export function presentServer<S extends Pick<Server, 'accountId' | 'state'>>(
  principal: Principal,
  accountId: string,
  server: S,
): S & { actions: ServerAction[] } {
  return { ...server, actions: serverActions(principal, accountId, server) };
}
