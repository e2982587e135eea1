/**
 * Launch, terminate and refresh of servers (SPEC §7, R-LCH-1..3). Each is a few short
 * transactions around the cloud calls, never a transaction held open while the cloud answers:
 * the server row is locked and moved to its in-between state (`pending`, `terminating`), the
 * cloud is asked, and the outcome is stored. A refusal by the cloud puts the server back where
 * it was, with the cloud's message as its state reason.
 */
import {
  assertLaunchable,
  assertLaunchAllowed,
  authorizeAccount,
  CloudError,
  CloudFailureError,
  InputError,
  launchClientToken,
  NotFoundError,
  observedState,
  planTerminate,
  type Cloud,
  type CloudDriver,
  type CloudInstance,
  type Image,
  type LaunchSpec,
  type Principal,
  type ServerState,
} from '@mci/core';
import { catalogRepository, serverRepository, type Executor, type ServerRecord } from '@mci/db';
import { callCloud, noDriver } from '../../clouds/connection.ts';
import type { CredentialsInUse } from '../../clouds/drivers.ts';
import type { AppContext } from '../../context.ts';
import { mutate, type Actor } from '../../unit-of-work.ts';
import { recordImageChanges } from '../clouds/image-change.ts';
import { applyObservation, enqueueReconcile, RECONCILE_FOLLOW_UP_MS } from './reconcile.ts';
import { serverDriver } from './server-driver.ts';

async function requireServer(
  db: Executor,
  accountId: string,
  deploymentId: string,
  id: string,
  lock?: 'update',
): Promise<ServerRecord> {
  const s = await serverRepository.findServer(db, id, lock);
  if (!s || s.accountId !== accountId || s.deploymentId !== deploymentId)
    throw new NotFoundError('server', id);
  return s;
}

async function requireCloud(db: Executor, cloudId: string): Promise<Cloud> {
  const cloud = await catalogRepository.findCloud(db, cloudId);
  if (!cloud) throw new NotFoundError('cloud', cloudId);
  return cloud;
}

/** The cloud's own error behind a 502 `cloud_error` problem, if that is what `error` is. */
function cloudCause(error: unknown): CloudError | undefined {
  return error instanceof CloudFailureError && error.cause instanceof CloudError ? error.cause : undefined;
}

/** Where a server was before a launch or terminate moved it, to put it back on a refusal. */
interface Before {
  state: ServerState;
  stateReason: string | null;
}

/** Puts a server back where it was after the cloud refused, with why; audited. */
async function restore(
  ctx: AppContext,
  actor: Actor,
  server: ServerRecord,
  before: Before,
  reason: string,
  action: 'server.launch_failed' | 'server.terminate_failed',
): Promise<void> {
  await mutate(ctx, actor, async (uow) => {
    const now = await serverRepository.findServer(uow.tx, server.id, 'update');
    if (!now) return;
    await serverRepository.updateLifecycle(uow.tx, server.id, {
      at: uow.now,
      state: before.state,
      stateReason: reason,
    });
    uow.audit({
      accountId: server.accountId,
      targetType: 'server',
      targetId: server.id,
      action,
      summary: `${action === 'server.launch_failed' ? 'launch' : 'terminate'} of server "${server.name}" failed: ${reason}`,
    });
  });
}

/**
 * After a cloud call failed: puts the server back with the cloud's message (or `fallback` when
 * the failure was not the cloud's). A failure to restore is logged, never thrown over the cause.
 */
async function restoreAfterFailure(
  ctx: AppContext,
  actor: Actor,
  server: ServerRecord,
  before: Before,
  error: unknown,
  action: 'server.launch_failed' | 'server.terminate_failed',
  fallback: string,
): Promise<void> {
  const cause = cloudCause(error);
  const reason = cause ? `${cause.message} (${cause.cloudCode})` : fallback;
  await restore(ctx, actor, server, before, reason, action).catch((e: unknown) =>
    ctx.log.error({ err: e, serverId: server.id }, `could not restore a server after ${action}`),
  );
}

/** The names of what a server launches with, as the cloud knows them. */
async function launchFacts(db: Executor, server: ServerRecord) {
  const image = await catalogRepository.findImage(db, server.imageId);
  const type = await catalogRepository.findInstanceType(db, server.instanceTypeId);
  return { image, type };
}

/**
 * R-SRV-6 / R-LCH-1: the cloud no longer has the image. In one transaction the image becomes
 * `unavailable` (reason `deregistered`, with the time) with its impact recorded (R-CLD-5), and
 * the server goes back to where it was; the caller then answers the R-SRV-6 refusal.
 */
async function imageGone(
  ctx: AppContext,
  actor: Actor,
  server: ServerRecord,
  before: Before,
  cloud: Cloud,
  image: Image,
): Promise<Image> {
  return mutate(ctx, actor, async (uow) => {
    const current = (await catalogRepository.findImage(uow.tx, image.id)) ?? image;
    let updated = current;
    if (current.state !== 'unavailable' || current.unavailableReason !== 'deregistered') {
      updated = (
        await catalogRepository.updateImage(uow.tx, image.id, {
          state: 'unavailable',
          unavailableReason: 'deregistered',
          unavailableAt: uow.now.toISOString(),
          deprecatedAt: null,
        })
      ).image;
      await recordImageChanges(uow, [
        { image: updated, from: current.state, to: 'unavailable', reason: 'deregistered' },
      ]);
      uow.audit({
        accountId: null,
        targetType: 'image',
        targetId: image.id,
        action: 'image.unavailable',
        summary: `image ${image.resourceUid} of ${cloud.name} is unavailable: the cloud no longer has it (found at the launch of server "${server.name}")`,
      });
    }
    let message = '';
    try {
      assertLaunchable(updated, updated.id, cloud, server.accountId);
    } catch (e) {
      message = (e as Error).message;
    }
    await serverRepository.updateLifecycle(uow.tx, server.id, {
      at: uow.now,
      state: before.state,
      stateReason: message,
    });
    uow.audit({
      accountId: server.accountId,
      targetType: 'server',
      targetId: server.id,
      action: 'server.launch_failed',
      summary: `launch of server "${server.name}" refused: ${message}`,
    });
    return updated;
  });
}

/**
 * R-LCH-1: launches a server's instance from its pinned image, instance type and user data,
 * through its cloud's driver and the account's credentials. 409 `no_driver` for a cloud kept by
 * hand, `credentials_missing` without credentials, `invalid_state` unless inactive or stopped;
 * 422 R-SRV-6 when the catalog or the cloud says the image cannot launch (the cloud saying it
 * is gone marks it unavailable); 502 `cloud_error` when the cloud refuses (the server is back
 * where it was, the cloud's message its state reason).
 */
export async function launchServer(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  id: string,
): Promise<ServerRecord> {
  authorizeAccount(principal, accountId, 'server.write');
  const seen = await requireServer(ctx.db, accountId, deploymentId, id);
  const cloud = await requireCloud(ctx.db, seen.cloudId);
  if (cloud.driver === 'none') throw noDriver(cloud);
  assertLaunchAllowed(seen);
  const { driver, credentials } = await serverDriver(ctx, cloud, accountId);

  // 1. Hold the row: check the state and R-SRV-6 against the catalog, move to pending.
  const started = await mutate(ctx, principal, async ({ tx, now }) => {
    const server = await requireServer(tx, accountId, deploymentId, id, 'update');
    assertLaunchAllowed(server);
    const { image, type } = await launchFacts(tx, server);
    assertLaunchable(image, server.imageId, cloud, accountId);
    if (!type) throw new NotFoundError('instance type', server.instanceTypeId);
    const pending = await serverRepository.updateLifecycle(tx, id, {
      at: now,
      state: 'pending',
      stateReason: null,
      launchCount: server.launchCount + 1,
    });
    return { server: pending, before: { state: server.state, stateReason: server.stateReason }, image, type };
  });
  const { server, before, image, type } = started;
  const spec: LaunchSpec = {
    imageId: server.imageId,
    instanceTypeId: server.instanceTypeId,
    userData: server.userData,
  };

  // 2. Ask the cloud, outside any transaction: is the image still there, then launch.
  let instance: CloudInstance;
  let refused = false;
  try {
    const found = await callCloud(ctx, credentials, cloud.name, () =>
      driver.describeImage(image.resourceUid),
    );
    if (!found) {
      refused = true;
      // A private image of another account that the cloud hides from this one is not gone:
      // only this account may not launch it. Anything else the cloud no longer has.
      if (image.visibility === 'private' && image.ownerAccountId !== accountId) {
        const message = `image ${image.resourceUid} is unavailable in ${cloud.name}: the cloud does not let this account launch the image`;
        await restore(ctx, principal, server, before, message, 'server.launch_failed');
        throw new InputError('image_unavailable', message, {
          errors: [{ path: 'imageId', message: 'the cloud does not let this account launch the image' }],
          details: { imageId: image.id, reason: 'private_not_shared' },
        });
      }
      const updated = await imageGone(ctx, principal, server, before, cloud, image);
      assertLaunchable(updated, updated.id, cloud, accountId);
    }
    instance = await callCloud(ctx, credentials, cloud.name, () =>
      driver.launch({
        imageUid: image.resourceUid,
        instanceTypeUid: type.resourceUid,
        userData: server.userData,
        clientToken: launchClientToken(server.id, server.launchCount),
        name: server.name,
      }),
    );
  } catch (error) {
    if (!refused)
      await restoreAfterFailure(
        ctx,
        principal,
        server,
        before,
        error,
        'server.launch_failed',
        `the launch failed: ${(error as Error).message}`,
      );
    throw error;
  }

  // 3. Store the instance; a reconcile follows it through booting to operational.
  return mutate(ctx, principal, async (uow) => {
    const locked = (await serverRepository.findServer(uow.tx, id, 'update')) ?? server;
    const observed = observedState({ current: 'pending', instanceId: instance.instanceId, instance, cloud });
    const saved = await serverRepository.updateLifecycle(uow.tx, id, {
      at: uow.now,
      state: observed.state,
      stateReason: observed.reason,
      providerInstanceId: instance.instanceId,
      launchedAt: instance.launchedAt ?? uow.now,
      running: observed.gone ? null : spec,
    });
    uow.audit({
      accountId,
      targetType: 'server',
      targetId: id,
      action: 'server.launch',
      summary: `launched server "${locked.name}" in ${cloud.name}: instance ${instance.instanceId} of image ${image.resourceUid} (${type.resourceUid})`,
    });
    await enqueueReconcile(uow, cloud.id, new Date(uow.now.getTime() + RECONCILE_FOLLOW_UP_MS));
    return saved;
  });
}

/**
 * R-LCH-2: moves a launched server to `terminating` and asks the cloud to terminate its
 * instance; the reconciler moves it to `inactive` once the cloud says it is gone. An idle or
 * already terminating server is answered as it is (repeating a terminate is harmless).
 */
export async function terminateServer(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  id: string,
): Promise<ServerRecord> {
  authorizeAccount(principal, accountId, 'server.write');
  const seen = await requireServer(ctx.db, accountId, deploymentId, id);
  const first = planTerminate(seen);
  if (first.kind === 'noop') return seen;
  let connection: { driver: CloudDriver; credentials: CredentialsInUse | null } | undefined;
  const cloud = await requireCloud(ctx.db, seen.cloudId);
  if (first.kind === 'terminate') {
    if (cloud.driver === 'none') throw noDriver(cloud);
    connection = await serverDriver(ctx, cloud, accountId);
  }

  const step = await mutate(ctx, principal, async ({ tx, now, audit }) => {
    const server = await requireServer(tx, accountId, deploymentId, id, 'update');
    const plan = planTerminate(server);
    if (plan.kind === 'noop') return { server, plan };
    if (plan.kind === 'forget') {
      const saved = await serverRepository.updateLifecycle(tx, id, {
        at: now,
        state: 'inactive',
        stateReason: null,
        running: null,
      });
      audit({
        accountId,
        targetType: 'server',
        targetId: id,
        action: 'server.terminate',
        summary: `terminated server "${server.name}" (no instance was running)`,
      });
      return { server: saved, plan };
    }
    const saved = await serverRepository.updateLifecycle(tx, id, {
      at: now,
      state: 'terminating',
      stateReason: null,
    });
    audit({
      accountId,
      targetType: 'server',
      targetId: id,
      action: 'server.terminate',
      summary: `terminating server "${server.name}" in ${cloud.name}: instance ${plan.instanceId}`,
    });
    return { server: saved, plan, before: { state: server.state, stateReason: server.stateReason } };
  });
  if (step.plan.kind !== 'terminate') return step.server;
  const { plan } = step;

  if (!connection) connection = await serverDriver(ctx, cloud, accountId);
  const { driver, credentials } = connection;
  try {
    await callCloud(ctx, credentials, cloud.name, () => driver.terminate([plan.instanceId]));
  } catch (error) {
    const cause = cloudCause(error);
    // The instance is already gone: terminating it is done; the reconcile makes it inactive.
    if (!(cause && cause.kind === 'not_found')) {
      await restoreAfterFailure(
        ctx,
        principal,
        step.server,
        step.before!,
        error,
        'server.terminate_failed',
        'the terminate failed',
      );
      throw error;
    }
  }
  return mutate(ctx, principal, async (uow) => {
    await enqueueReconcile(uow, cloud.id, new Date(uow.now.getTime() + RECONCILE_FOLLOW_UP_MS));
    return (await serverRepository.findServer(uow.tx, id)) ?? step.server;
  });
}

/**
 * R-LCH-3 on demand: asks the cloud about one server's instance now and stores what it says
 * (the reconciler does the same for every launched server in the background).
 */
export async function refreshServer(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  id: string,
): Promise<ServerRecord> {
  authorizeAccount(principal, accountId, 'server.write');
  const seen = await requireServer(ctx.db, accountId, deploymentId, id);
  if (!seen.providerInstanceId || seen.state === 'inactive') return seen;
  const cloud = await requireCloud(ctx.db, seen.cloudId);
  const { driver, credentials } = await serverDriver(ctx, cloud, accountId);
  const [instance] = await callCloud(ctx, credentials, cloud.name, () =>
    driver.describeInstances([seen.providerInstanceId!]),
  );
  return mutate(ctx, principal, async (uow) => {
    const server = await requireServer(uow.tx, accountId, deploymentId, id, 'update');
    // A launch or terminate moved it meanwhile: what the cloud said is already old.
    if (server.state !== seen.state || server.providerInstanceId !== seen.providerInstanceId) return server;
    return applyObservation(uow, server, cloud, instance);
  });
}
