/**
 * R-LCH-3: server states refreshed from the clouds in the background, as durable `reconcile`
 * jobs (R-JOB-1), one per cloud. A job describes the instances of the cloud's launched servers,
 * account by account (each with its own credentials), and stores what changed in one batch per
 * account, audited under the job's system actor (R-JOB-3). A reconcile follows every launch and
 * terminate a few seconds later (and again while a server is still on its way), and a schedule
 * queues one per cloud with launched servers every RECONCILE_INTERVAL_SECONDS.
 */
import {
  CloudError,
  DomainError,
  launchClientToken,
  needsReconcile,
  observedState,
  type Cloud,
  type CloudInstance,
} from '@mci/core';
import { catalogRepository, jobRepository, serverRepository, type ServerRecord } from '@mci/db';
import { callCloud } from '../../clouds/connection.ts';
import type { AppContext } from '../../context.ts';
import {
  enqueueJob,
  registerJobKind,
  registerSchedule,
  type JobRecord,
  type JobRun,
} from '../../jobs/runner.ts';
import type { UnitOfWork } from '../../unit-of-work.ts';
import { serverDriver } from './server-driver.ts';

export const RECONCILE_KIND = 'reconcile';
/** How long after a launch or terminate (or a reconcile that left a server on its way) the next one runs. */
export const RECONCILE_FOLLOW_UP_MS = 5_000;
/** Servers of one cloud a reconcile looks at (the rest wait for the next one). */
const RECONCILE_MAX_SERVERS = 5_000;
/** A launch still pending without an instance this long after it began was interrupted. */
export const STALE_LAUNCH_MS = 2 * 60_000;
/** Instance ids per describe call. */
const DESCRIBE_CHUNK = 100;

const settings = { intervalMs: 30_000 };

/** Sets how often the schedule reconciles every cloud with launched servers (RECONCILE_INTERVAL_SECONDS). */
export function configureReconcile(options: { intervalSeconds: number }): void {
  settings.intervalMs = options.intervalSeconds * 1000;
}

type Target = UnitOfWork | Pick<AppContext, 'db' | 'clock'>;

/**
 * Queues a reconcile of a cloud to run at `runAfter`, unless one queued already runs by then
 * (a running one may have read its servers already, so it does not count).
 */
export async function enqueueReconcile(target: Target, cloudId: string, runAfter: Date): Promise<void> {
  const db = 'tx' in target ? target.tx : target.db;
  const [queued] = await jobRepository.list(db, {
    kind: RECONCILE_KIND,
    cloudId,
    state: 'queued',
    limit: 1,
  });
  if (queued && queued.runAfter.getTime() <= runAfter.getTime()) return;
  await enqueueJob(target, { kind: RECONCILE_KIND, cloudId, runAfter });
}

/** Stores what the cloud reported about a server's instance (R-LCH-1..3); unchanged → no write. */
export async function applyObservation(
  uow: UnitOfWork,
  server: ServerRecord,
  cloud: Pick<Cloud, 'name'>,
  instance: Pick<CloudInstance, 'state' | 'reason'> | undefined,
): Promise<ServerRecord> {
  const observed = observedState({
    current: server.state,
    instanceId: server.providerInstanceId!,
    instance,
    cloud,
  });
  const running = observed.gone ? null : undefined;
  if (
    observed.state === server.state &&
    observed.reason === server.stateReason &&
    (running === undefined || server.running === null)
  )
    return server;
  const saved = await serverRepository.updateLifecycle(uow.tx, server.id, {
    at: uow.now,
    state: observed.state,
    stateReason: observed.reason,
    running,
  });
  uow.audit({
    accountId: server.accountId,
    targetType: 'server',
    targetId: server.id,
    action: 'server.state',
    summary: `server "${server.name}" is ${observed.state}${observed.reason ? `: ${observed.reason}` : ''} (was ${server.state})`,
  });
  return saved;
}

const TRANSITIONAL = new Set(['pending', 'booting', 'terminating']);

/** Groups servers by account, keeping the order. */
function byAccount(servers: readonly ServerRecord[]): Map<string, ServerRecord[]> {
  const groups = new Map<string, ServerRecord[]>();
  for (const s of servers) {
    const list = groups.get(s.accountId) ?? [];
    list.push(s);
    groups.set(s.accountId, list);
  }
  return groups;
}

async function describeAll(
  ctx: AppContext,
  cloud: Cloud,
  accountId: string,
  instanceIds: string[],
): Promise<Map<string, CloudInstance>> {
  const { driver, credentials } = await serverDriver(ctx, cloud, accountId);
  const found = new Map<string, CloudInstance>();
  for (let i = 0; i < instanceIds.length; i += DESCRIBE_CHUNK) {
    const chunk = instanceIds.slice(i, i + DESCRIBE_CHUNK);
    const instances = await callCloud(ctx, credentials, cloud.name, () => driver.describeInstances(chunk));
    for (const instance of instances) found.set(instance.instanceId, instance);
  }
  return found;
}

interface Checkpoint {
  /** Accounts whose servers this run has stored. */
  accountsDone: string[];
}

/**
 * The `reconcile` job of one cloud (R-LCH-3). An account whose credentials are missing or
 * refused is skipped (its servers keep their states; the job's result lists the account and
 * why); the others go on. A server that a launch or terminate moved while the cloud was being
 * asked is left for the next reconcile.
 */
export async function reconcileCloud(job: JobRecord, run: JobRun<Checkpoint>) {
  const { ctx } = run;
  if (!job.cloudId) return { skipped: 'no cloud' };
  const cloud = await catalogRepository.findCloud(ctx.db, job.cloudId);
  if (!cloud || cloud.driver === 'none')
    return { skipped: cloud ? 'the cloud has no driver' : 'no such cloud' };
  const servers = (
    await serverRepository.serversToReconcile(ctx.db, {
      cloudId: cloud.id,
      limit: RECONCILE_MAX_SERVERS,
    })
  ).filter(needsReconcile);
  const groups = byAccount(servers);
  const done = new Set(run.checkpoint?.accountsDone ?? []);
  const failures: { accountId: string; error: string }[] = [];
  let changed = 0;
  let onTheirWay = 0;
  let index = done.size;
  for (const [accountId, list] of groups) {
    if (done.has(accountId)) continue;
    let instances: Map<string, CloudInstance>;
    try {
      instances = await describeAll(
        ctx,
        cloud,
        accountId,
        list.map((s) => s.providerInstanceId!),
      );
    } catch (error) {
      // Transient cloud trouble: the runner retries the job; anything else skips the account.
      if (error instanceof CloudError) throw error;
      if (!(error instanceof DomainError)) throw error;
      if (error.cause instanceof CloudError && ['throttled', 'unavailable'].includes(error.cause.kind))
        throw error.cause;
      failures.push({ accountId, error: error.message });
      done.add(accountId);
      continue;
    }
    index += 1;
    await run.batch(async (uow) => {
      for (const seen of list) {
        const server = await serverRepository.findServer(uow.tx, seen.id, 'update');
        if (
          !server ||
          server.state !== seen.state ||
          server.providerInstanceId !== seen.providerInstanceId ||
          !needsReconcile(server)
        )
          continue;
        const saved = await applyObservation(uow, server, cloud, instances.get(server.providerInstanceId!));
        if (saved !== server) changed += 1;
        if (TRANSITIONAL.has(saved.state)) onTheirWay += 1;
      }
      done.add(accountId);
      return {
        checkpoint: { accountsDone: [...done] },
        done: index,
        total: groups.size,
        phase: `servers of account ${accountId}`,
      };
    });
  }
  const resumed = await resumeLaunches(run, cloud);
  if (onTheirWay + resumed > 0) {
    await enqueueReconcile(ctx, cloud.id, new Date(ctx.clock().getTime() + RECONCILE_FOLLOW_UP_MS));
  }
  return { servers: servers.length, changed, onTheirWay, resumed, failures };
}

/**
 * Launches that a process stopped in the middle of (pending, no instance recorded, for
 * {@link STALE_LAUNCH_MS}) are asked again with the same idempotency token: the cloud answers
 * the instance it started then, or starts it now. A refusal leaves the server inactive with the
 * cloud's message. Answers how many were resumed.
 */
async function resumeLaunches(run: JobRun<Checkpoint>, cloud: Cloud): Promise<number> {
  const { ctx } = run;
  const stale = await serverRepository.staleLaunches(ctx.db, {
    cloudId: cloud.id,
    before: new Date(ctx.clock().getTime() - STALE_LAUNCH_MS),
    limit: 100,
  });
  let resumed = 0;
  for (const seen of stale) {
    const image = await catalogRepository.findImage(ctx.db, seen.imageId);
    const type = await catalogRepository.findInstanceType(ctx.db, seen.instanceTypeId);
    let instance: CloudInstance | undefined;
    let failure: string | undefined;
    try {
      if (!image || !type) throw new Error('its image or instance type is no longer in the catalog');
      const { driver, credentials } = await serverDriver(ctx, cloud, seen.accountId);
      instance = await callCloud(ctx, credentials, cloud.name, () =>
        driver.launch({
          imageUid: image.resourceUid,
          instanceTypeUid: type.resourceUid,
          userData: seen.userData,
          clientToken: launchClientToken(seen.id, seen.launchCount),
          name: seen.name,
        }),
      );
    } catch (error) {
      const cause =
        error instanceof DomainError && error.cause instanceof CloudError ? error.cause : undefined;
      if (cause && (cause.kind === 'throttled' || cause.kind === 'unavailable')) throw cause;
      failure = error instanceof Error ? error.message : String(error);
    }
    await run.batch(async (uow) => {
      const server = await serverRepository.findServer(uow.tx, seen.id, 'update');
      if (
        !server ||
        server.state !== 'pending' ||
        server.providerInstanceId !== null ||
        server.launchCount !== seen.launchCount
      )
        return { checkpoint: run.checkpoint ?? { accountsDone: [] } };
      if (instance) {
        const observed = observedState({
          current: 'pending',
          instanceId: instance.instanceId,
          instance,
          cloud,
        });
        await serverRepository.updateLifecycle(uow.tx, server.id, {
          at: uow.now,
          state: observed.state,
          stateReason: observed.reason,
          providerInstanceId: instance.instanceId,
          launchedAt: instance.launchedAt ?? uow.now,
          running: observed.gone
            ? null
            : { imageId: server.imageId, instanceTypeId: server.instanceTypeId, userData: server.userData },
        });
        resumed += 1;
      } else {
        await serverRepository.updateLifecycle(uow.tx, server.id, {
          at: uow.now,
          state: 'inactive',
          stateReason: `the launch was interrupted and could not be resumed: ${failure}`,
        });
      }
      uow.audit({
        accountId: server.accountId,
        targetType: 'server',
        targetId: server.id,
        action: instance ? 'server.launch' : 'server.launch_failed',
        summary: instance
          ? `resumed the interrupted launch of server "${server.name}": instance ${instance.instanceId}`
          : `the interrupted launch of server "${server.name}" could not be resumed: ${failure}`,
      });
      return { checkpoint: run.checkpoint ?? { accountsDone: [] } };
    });
  }
  return resumed;
}

let lastScheduled: number | undefined;

/**
 * The schedule: every interval, a reconcile of each cloud that has launched servers (one
 * indexed query when there is nothing to do).
 */
export async function scheduleReconciles(ctx: AppContext, now: Date): Promise<void> {
  if (lastScheduled !== undefined && now.getTime() - lastScheduled < settings.intervalMs) return;
  lastScheduled = now.getTime();
  for (const cloudId of await serverRepository.cloudsWithLaunchedServers(ctx.db))
    await enqueueReconcile(ctx, cloudId, now);
}

registerJobKind(RECONCILE_KIND, reconcileCloud);
registerSchedule(RECONCILE_KIND, scheduleReconciles);
