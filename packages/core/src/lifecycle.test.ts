import { describe, expect, it } from 'vitest';
import { INSTANCE_STATES, type InstanceState } from './cloud.ts';
import { ConflictError } from './errors.ts';
import {
  assertLaunchAllowed,
  launchClientToken,
  launchView,
  needsReconcile,
  observedState,
  planTerminate,
} from './lifecycle.ts';
import { SERVER_STATES, type ServerState } from './server.ts';

const cloud = { name: 'AWS us-east-1' };
const conflictOf = (f: () => unknown): ConflictError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConflictError) return e;
    throw e;
  }
  throw new Error('expected a ConflictError');
};

describe('R-LCH-1: launch', () => {
  it('R-LCH-1: only inactive and stopped servers may launch; the others are 409 invalid_state', () => {
    const allowed = SERVER_STATES.filter((state) => {
      try {
        assertLaunchAllowed({ name: 'web', state });
        return true;
      } catch {
        return false;
      }
    });
    expect(allowed).toEqual(['inactive', 'stopped']);
    const e = conflictOf(() => assertLaunchAllowed({ name: 'web', state: 'booting' }));
    expect(e.code).toBe('invalid_state');
    expect(e.message).toBe('server "web" is booting: only an inactive or stopped server can be launched');
  });

  it('R-LCH-1: the idempotency token is the server id and its launch count', () => {
    expect(launchClientToken('srv_1', 3)).toBe('srv_1:3');
  });
});

describe('R-LCH-2: terminate', () => {
  const plan = (state: ServerState, providerInstanceId: string | null = 'i-1') =>
    planTerminate({ name: 'web', state, providerInstanceId });

  it('R-LCH-2: idle or already terminating servers are a harmless no-op', () => {
    expect(plan('inactive')).toEqual({ kind: 'noop' });
    expect(plan('stopped')).toEqual({ kind: 'noop' });
    expect(plan('terminating')).toEqual({ kind: 'noop' });
  });

  it('R-LCH-2: a server stopped in the cloud whose instance still exists is terminated', () => {
    const running = { imageId: 'i', instanceTypeId: 't', userData: null };
    expect(planTerminate({ name: 'web', state: 'stopped', providerInstanceId: 'i-1', running })).toEqual({
      kind: 'terminate',
      instanceId: 'i-1',
    });
  });

  it('R-LCH-2: a launched server terminates its instance', () => {
    for (const state of ['pending', 'booting', 'operational'] as const)
      expect(plan(state)).toEqual({ kind: 'terminate', instanceId: 'i-1' });
  });

  it('R-LCH-2: a launch still waiting for the cloud (pending, no instance) is 409 invalid_state', () => {
    expect(conflictOf(() => plan('pending', null)).code).toBe('invalid_state');
    expect(plan('operational', null)).toEqual({ kind: 'forget' });
  });
});

describe('R-LCH-3: server state from the cloud', () => {
  const observe = (current: ServerState, state: InstanceState | undefined, reason?: string) =>
    observedState({
      current,
      instanceId: 'i-9',
      instance: state ? { state, reason } : undefined,
      cloud,
    });

  it('R-LCH-3: pending → pending, booting → booting, running → operational, stopping/shutting-down → terminating', () => {
    expect(observe('pending', 'pending').state).toBe('pending');
    expect(observe('pending', 'booting').state).toBe('booting');
    expect(observe('booting', 'running')).toEqual({ state: 'operational', reason: null, gone: false });
    expect(observe('operational', 'stopping').state).toBe('terminating');
    expect(observe('terminating', 'shutting-down').state).toBe('terminating');
  });

  it('R-LCH-3: every driver state maps to a server state', () => {
    for (const s of INSTANCE_STATES) expect(SERVER_STATES).toContain(observe('operational', s).state);
  });

  it('R-LCH-2: terminated or gone after a terminate the service asked for → inactive, nothing runs', () => {
    expect(observe('terminating', 'terminated')).toEqual({ state: 'inactive', reason: null, gone: true });
    expect(observe('terminating', undefined)).toEqual({ state: 'inactive', reason: null, gone: true });
  });

  it('R-LCH-3: an instance that vanished unasked → stopped with the reason', () => {
    expect(observe('operational', undefined)).toEqual({
      state: 'stopped',
      reason: 'the instance i-9 no longer exists in AWS us-east-1',
      gone: true,
    });
  });

  it('R-LCH-3: terminated or stopped unasked → stopped with the cloud’s reason', () => {
    expect(observe('operational', 'terminated', 'Server.SpotInstanceTermination')).toEqual({
      state: 'stopped',
      reason: 'the instance i-9 was terminated in AWS us-east-1 (Server.SpotInstanceTermination)',
      gone: true,
    });
    expect(observe('operational', 'stopped')).toEqual({
      state: 'stopped',
      reason: 'the instance i-9 was stopped in AWS us-east-1',
      gone: false,
    });
  });

  it('R-LCH-3: only non-idle servers with an instance are reconciled', () => {
    expect(needsReconcile({ state: 'booting', providerInstanceId: 'i-1' })).toBe(true);
    expect(needsReconcile({ state: 'terminating', providerInstanceId: 'i-1' })).toBe(true);
    expect(needsReconcile({ state: 'stopped', providerInstanceId: 'i-1' })).toBe(false);
    expect(needsReconcile({ state: 'pending', providerInstanceId: null })).toBe(false);
  });
});

describe('R-LCH-4: current and next', () => {
  const pinned = { imageId: 'img2', instanceTypeId: 't1', userData: null };

  it('R-LCH-4: nothing runs → current is null; next is the pinned image, type and user data', () => {
    expect(launchView({ ...pinned, running: null })).toEqual({
      current: null,
      next: pinned,
      nextDiffers: false,
    });
  });

  it('R-LCH-4: a changed pin while running shows the running launch as current and the change as next', () => {
    const running = { imageId: 'img1', instanceTypeId: 't1', userData: null };
    expect(launchView({ ...pinned, running })).toEqual({ current: running, next: pinned, nextDiffers: true });
    expect(launchView({ ...pinned, running: pinned }).nextDiffers).toBe(false);
  });
});
