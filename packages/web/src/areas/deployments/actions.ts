import type { Can } from '../session/session.tsx';
import type { Server } from './queries.ts';

/** Whether the caller may add servers to a deployment: deployments carry no `actions`, so the actor role (SPEC §4). */
export function canAddServers(can: Can): boolean {
  return can('actor');
}

/**
 * States a server passes through on its way (launching, terminating): the dashboard polls while
 * a server is in one, since the reconciler moves it on in the background (R-LCH-3).
 */
export const TRANSITIONAL_STATES: readonly Server['state'][] = ['pending', 'booting', 'terminating'];

export function isTransitional(state: Server['state']): boolean {
  return TRANSITIONAL_STATES.includes(state);
}

/** How often a view with a server on its way asks again. */
export const POLL_MS = 2000;
