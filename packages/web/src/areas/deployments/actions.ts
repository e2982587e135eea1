import type { Can } from '../session/session.tsx';
import type { Server } from './queries.ts';

/** What a caller may do to a server, in the API's words. */
export type ServerAction = 'launch' | 'terminate' | 'edit' | 'delete';

/**
 * What the caller may do to a server: the API's `actions` when server reads carry them; until then
 * the one guess the dashboard makes, from the actor role (SPEC §1: actors run servers).
 */
export function serverActions(server: Server, can: Can): readonly ServerAction[] {
  const sent = (server as Server & { actions?: ServerAction[] }).actions;
  if (sent) return sent;
  return can('actor') ? ['launch', 'terminate', 'edit', 'delete'] : [];
}

/** Whether the caller may add servers to a deployment (the same guess, until the API says). */
export function canAddServers(can: Can): boolean {
  return can('actor');
}

/**
 * The states a server can be set to, as the API's schema lists them; the type check keeps the
 * list equal to the schema's enum.
 */
export const SERVER_STATE_CHOICES = [
  'inactive',
  'pending',
  'booting',
  'operational',
  'terminating',
  'stopped',
] as const satisfies readonly Server['state'][];
type Missing = Exclude<Server['state'], (typeof SERVER_STATE_CHOICES)[number]>;
const _complete: Missing extends never ? true : Missing = true;
