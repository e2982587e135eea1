/**
 * The server lifecycle (SPEC §7, R-LCH-1..4) as pure rules: which states may launch or
 * terminate, how a driver's instance state becomes a server state, and what a server shows as
 * running now beside what its next launch will use. The services call the cloud and store the
 * outcome; every decision about states is made here.
 */
import type { Cloud } from './catalog.ts';
import type { CloudInstance, InstanceState } from './cloud.ts';
import { ConflictError } from './errors.ts';
import { isIdle, type ServerState } from './server.ts';

/** What an instance is (or will be) launched with: an image, an instance type, user data. */
export interface LaunchSpec {
  imageId: string;
  instanceTypeId: string;
  userData: string | null;
}

/** The lifecycle facts of a server (the `servers.state*`, `provider_instance_id`, `running_*` columns). */
export interface ServerLifecycle {
  state: ServerState;
  /** Why the server is in its state when the cloud, not a user, put it there (R-LCH-3). */
  stateReason: string | null;
  stateChangedAt: string | null;
  /** The provider's instance of the current (or last) launch. */
  providerInstanceId: string | null;
  launchedAt: string | null;
  launchCount: number;
  /** What the instance that runs now was launched with; null while nothing runs (R-LCH-4). */
  running: LaunchSpec | null;
}

/** A server's lifecycle before its first launch. */
export const NEVER_LAUNCHED: ServerLifecycle = {
  state: 'inactive',
  stateReason: null,
  stateChangedAt: null,
  providerInstanceId: null,
  launchedAt: null,
  launchCount: 0,
  running: null,
};

/**
 * R-LCH-1: only an idle server (`inactive` or `stopped`) is launched; anything else is a 409
 * `invalid_state` naming the state.
 * @rule R-LCH-1
 */
export function assertLaunchAllowed(server: { name: string; state: ServerState }): void {
  if (!isIdle(server.state)) {
    throw new ConflictError(
      'invalid_state',
      `server "${server.name}" is ${server.state}: only an inactive or stopped server can be launched`,
      { details: { state: server.state, allowed: ['inactive', 'stopped'] } },
    );
  }
}

/** What a terminate request does to a server in its state (R-LCH-2). */
export type TerminatePlan =
  /** Nothing runs, or the cloud already terminates it: a harmless no-op (repeating is harmless). */
  | { kind: 'noop' }
  /** Ask the cloud to terminate this instance. */
  | { kind: 'terminate'; instanceId: string }
  /** Nothing was ever launched for this non-idle state (no instance id): it simply becomes inactive. */
  | { kind: 'forget' };

/**
 * R-LCH-2: terminating moves a launched server to `terminating` (then `inactive` as the cloud
 * reports it). An idle or already terminating server is left as it is: repeating a terminate is
 * harmless — except a `stopped` server whose instance still exists in the cloud (stopped there,
 * not gone), which is terminated so that nothing is left behind. A server whose launch is still waiting for the cloud's answer (pending without an
 * instance id) is refused with 409 `invalid_state`: the launch decides first.
 * @rule R-LCH-2
 */
export function planTerminate(server: {
  name: string;
  state: ServerState;
  providerInstanceId: string | null;
  running?: LaunchSpec | null;
}): TerminatePlan {
  if (hasStoppedInstance(server)) return { kind: 'terminate', instanceId: server.providerInstanceId! };
  if (isIdle(server.state) || server.state === 'terminating') return { kind: 'noop' };
  if (server.providerInstanceId) return { kind: 'terminate', instanceId: server.providerInstanceId };
  if (server.state === 'pending') {
    throw new ConflictError(
      'invalid_state',
      `server "${server.name}" is being launched: terminate it once the cloud has answered`,
      { details: { state: server.state } },
    );
  }
  return { kind: 'forget' };
}

/** A server stopped in the cloud whose instance still exists (it could be terminated). */
export function hasStoppedInstance(server: {
  state: ServerState;
  providerInstanceId: string | null;
  running?: LaunchSpec | null;
}): boolean {
  return server.state === 'stopped' && server.providerInstanceId !== null && Boolean(server.running);
}

const DIRECT: Partial<Record<InstanceState, ServerState>> = {
  pending: 'pending',
  booting: 'booting',
  running: 'operational',
  stopping: 'terminating',
  'shutting-down': 'terminating',
};

/** A server's state as the cloud reports its instance, and why when the cloud decided it. */
export interface ObservedState {
  state: ServerState;
  reason: string | null;
  /** True when the instance no longer runs anything: the server's `running` is cleared. */
  gone: boolean;
}

/**
 * R-LCH-1/2/3: the server state an instance's state stands for. `pending → pending`,
 * `booting → booting`, `running → operational`, `stopping`/`shutting-down → terminating`,
 * `stopped → stopped`. An instance that is `terminated` or that vanished (`instance` undefined)
 * is `inactive` when the server was being terminated (a terminate the service asked for),
 * otherwise `stopped` with the reason: the cloud ended it unasked (R-LCH-3).
 * @rule R-LCH-3
 */
export function observedState(input: {
  current: ServerState;
  instanceId: string;
  instance: Pick<CloudInstance, 'state' | 'reason'> | undefined;
  cloud: Pick<Cloud, 'name'>;
}): ObservedState {
  const { current, instanceId, instance, cloud } = input;
  const asked = current === 'terminating';
  if (!instance) {
    return asked
      ? { state: 'inactive', reason: null, gone: true }
      : {
          state: 'stopped',
          reason: `the instance ${instanceId} no longer exists in ${cloud.name}`,
          gone: true,
        };
  }
  const because = instance.reason ? ` (${instance.reason})` : '';
  if (instance.state === 'terminated') {
    return asked
      ? { state: 'inactive', reason: null, gone: true }
      : {
          state: 'stopped',
          reason: `the instance ${instanceId} was terminated in ${cloud.name}${because}`,
          gone: true,
        };
  }
  if (instance.state === 'stopped') {
    return {
      state: 'stopped',
      reason: `the instance ${instanceId} was stopped in ${cloud.name}${because}`,
      gone: false,
    };
  }
  return { state: DIRECT[instance.state]!, reason: null, gone: false };
}

/** The states a reconcile refreshes from the cloud: those in which the service expects an instance. */
export function needsReconcile(server: { state: ServerState; providerInstanceId: string | null }): boolean {
  return !isIdle(server.state) && server.providerInstanceId !== null;
}

/**
 * R-LCH-4: what a server shows — `current`, what the instance that runs now was launched with
 * (null while nothing runs), beside `next`, what its next launch will use (the pinned image,
 * instance type and user data, which R-SRV-5 changes). `nextDiffers` says a change waits for the
 * next launch.
 * @rule R-LCH-4
 */
export function launchView(server: LaunchSpec & Pick<ServerLifecycle, 'running'>): {
  current: LaunchSpec | null;
  next: LaunchSpec;
  nextDiffers: boolean;
} {
  const next = { imageId: server.imageId, instanceTypeId: server.instanceTypeId, userData: server.userData };
  const current = server.running ? { ...server.running } : null;
  const nextDiffers =
    current !== null &&
    (current.imageId !== next.imageId ||
      current.instanceTypeId !== next.instanceTypeId ||
      current.userData !== next.userData);
  return { current, next, nextDiffers };
}

/** The idempotency token of a server's n-th launch: a retried launch never starts a second instance. */
export function launchClientToken(serverId: string, launchCount: number): string {
  return `${serverId}:${launchCount}`;
}
