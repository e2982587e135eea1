import { launchView, serverActions, type Principal, type Server, type ServerAction } from '@mci/core';

/**
 * A server as the v1 API shows it: the record, what runs now beside what the next launch uses
 * (R-LCH-4), and what the caller may do with it.
 */
export function presentServer<S extends Server>(principal: Principal, accountId: string, server: S) {
  const { running: _running, ...rest } = server;
  const { current, next } = launchView(server);
  return {
    ...rest,
    current,
    next,
    actions: serverActions(principal, accountId, server) as ServerAction[],
  };
}
