import type { Can } from '../session/session.tsx';
import type { Server } from './queries.ts';

/** Whether the caller may add servers to a deployment: deployments carry no `actions`, so the actor role (SPEC §4). */
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
