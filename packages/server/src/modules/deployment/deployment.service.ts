import {
  assertDeploymentDeletable,
  authorizeAccount,
  ConflictError,
  isIdle,
  decodeNameIdCursor,
  InputError,
  NotFoundError,
  repointServer,
  resolveServerImage,
  toPage,
  type Image,
  type InstanceType,
  type Principal,
  type Warning,
} from '@mci/core';
import {
  catalogRepository,
  placementRepository,
  serverRepository,
  type DeploymentRecord,
  type Executor,
  type ServerRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { mutate } from '../../unit-of-work.ts';
import { requireMci } from '../mci/mci.service.ts';
import { requireCloudRef } from '../catalog/catalog.service.ts';
import { cloudsOfLinks, linksWithSettings, requireTemplate } from '../template/template.service.ts';

/** A server as a caller asks for it (R-SRV-1..3); transport-free. */
export interface CreateServerInput {
  name: string;
  serverTemplateId: string;
  cloudId: string;
  mciId?: string;
  imageId?: string;
  instanceTypeId?: string;
  userData?: string | null;
}

/** Changes to a server (R-SRV-5 re-pointing among them); transport-free. */
export interface PatchServerInput {
  name?: string;
  mciId?: string;
  imageId?: string;
  instanceTypeId?: string;
  userData?: string | null;
}

async function requireDeployment(
  db: Executor,
  accountId: string,
  id: string,
  lock?: 'update',
): Promise<DeploymentRecord> {
  const d = await serverRepository.findDeployment(db, id, lock);
  if (!d || d.accountId !== accountId) throw new NotFoundError('deployment', id);
  return d;
}

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

export async function createDeployment(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: { name: string; description: string },
) {
  authorizeAccount(principal, accountId, 'deployment.write');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const d = await serverRepository.insertDeployment(tx, { accountId, ...input });
    audit({
      accountId,
      targetType: 'deployment',
      targetId: d.id,
      action: 'deployment.create',
      summary: `created deployment "${d.name}"`,
    });
    return d;
  });
}

export async function listDeployments(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  q: { limit: number; cursor?: string },
) {
  authorizeAccount(principal, accountId, 'account.read');
  const rows = await serverRepository.listDeployments(ctx.db, {
    accountId,
    limit: q.limit,
    after: decodeNameIdCursor(q.cursor),
  });
  return toPage(rows, q.limit, (d) => [d.name, d.id]);
}

export async function getDeployment(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'account.read');
  return requireDeployment(ctx.db, accountId, id);
}

export async function updateDeployment(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  patch: { name?: string; description?: string },
) {
  authorizeAccount(principal, accountId, 'deployment.write');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    await requireDeployment(tx, accountId, id, 'update');
    const d = await serverRepository.updateDeployment(tx, id, patch);
    audit({
      accountId,
      targetType: 'deployment',
      targetId: id,
      action: 'deployment.update',
      summary: `changed ${Object.keys(patch).join(', ')} of "${d.name}"`,
    });
    return d;
  });
}

/** Deletes a deployment and its servers, refused while any server is running (R-DEP-1). */
export async function deleteDeployment(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'deployment.write');
  await mutate(ctx, principal, async ({ tx, audit }) => {
    const d = await requireDeployment(tx, accountId, id, 'update');
    assertDeploymentDeletable(d, await serverRepository.listServers(tx, { deploymentId: id, limit: 10_000 }));
    await serverRepository.deleteDeployment(tx, id);
    audit({
      accountId,
      targetType: 'deployment',
      targetId: id,
      action: 'deployment.delete',
      summary: `deleted deployment "${d.name}"`,
    });
  });
}

/** Every image and instance type a resolution may touch, keyed by id. */
async function catalogFacts(db: Executor, imageIds: (string | undefined)[], typeIds: (string | undefined)[]) {
  const images = new Map<string, Image>();
  for (const id of new Set(imageIds.filter((x): x is string => Boolean(x)))) {
    const image = await catalogRepository.findImage(db, id);
    if (image) images.set(id, image);
  }
  const instanceTypes = new Map<string, InstanceType>();
  for (const id of new Set(typeIds.filter((x): x is string => Boolean(x)))) {
    const type = await catalogRepository.findInstanceType(db, id);
    if (type) instanceTypes.set(id, type);
  }
  return { images, instanceTypes };
}

/**
 * The facts resolving a new server reads (one statement for the template's links, their settings
 * for the cloud and those images and types), plus any image or type the caller names. When no
 * link covers the cloud, R-SRV-1's refusal lists the clouds the template does support, so only
 * then are all the links' settings read.
 */
async function placementFactsFor(
  tx: Executor,
  accountId: string,
  deploymentId: string,
  input: CreateServerInput,
) {
  const found = await placementRepository.placementFacts(tx, {
    deploymentId,
    templateId: input.serverTemplateId,
    cloudId: input.cloudId,
  });
  if (!found || found.deploymentAccountId !== accountId) throw new NotFoundError('deployment', deploymentId);
  const { cloud } = found;
  if (!cloud) await requireCloudRef(tx, input.cloudId);
  if (found.templateAccountId !== accountId) {
    throw new InputError(
      'template_not_found',
      `server template ${input.serverTemplateId} does not exist in this account`,
      { errors: [{ path: 'serverTemplateId', message: 'no such template in this account' }] },
    );
  }
  if (found.links.every((l) => l.settings.length === 0)) {
    const links = await linksWithSettings(tx, await requireTemplate(tx, accountId, input.serverTemplateId));
    resolveServerImage({
      ...found,
      cloud: cloud!,
      accountId,
      links,
      request: input,
      cloudsById: cloudsOfLinks(links),
    });
  }
  const extra = await catalogFacts(tx, [input.imageId], [input.instanceTypeId]);
  for (const [id, image] of extra.images) found.images.set(id, image);
  for (const [id, type] of extra.instanceTypes) found.instanceTypes.set(id, type);
  return { ...found, cloud: cloud! };
}

/** R-SRV-1..4, R-SRV-6: resolves and pins the server's MCI, image, instance type and user data. */
export async function createServer(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  input: CreateServerInput,
): Promise<ServerRecord> {
  authorizeAccount(principal, accountId, 'server.write');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const { cloud, links, ...facts } = await placementFactsFor(tx, accountId, deploymentId, input);
    const resolved = resolveServerImage({
      accountId,
      cloud,
      links,
      request: input,
      cloudsById: new Map([[cloud.id, cloud]]),
      ...facts,
    });
    const server = await serverRepository.insertServer(tx, {
      deploymentId,
      accountId,
      name: input.name,
      cloudId: cloud.id,
      serverTemplateId: input.serverTemplateId,
      ...resolved,
    });
    audit({
      accountId,
      targetType: 'server',
      targetId: server.id,
      action: 'server.create',
      summary: `added server "${server.name}" in ${cloud.name} (image ${facts.images.get(resolved.imageId)!.resourceUid})`,
    });
    return server;
  });
}

export async function listServers(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  q: { limit: number; cursor?: string; cloudId?: string },
) {
  authorizeAccount(principal, accountId, 'account.read');
  await requireDeployment(ctx.db, accountId, deploymentId);
  const rows = await serverRepository.listServers(ctx.db, {
    deploymentId,
    cloudId: q.cloudId,
    limit: q.limit,
    after: decodeNameIdCursor(q.cursor),
  });
  return toPage(rows, q.limit, (s) => [s.name, s.id]);
}

export async function getServer(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  id: string,
) {
  authorizeAccount(principal, accountId, 'account.read');
  return requireServer(ctx.db, accountId, deploymentId, id);
}

/**
 * R-SRV-5 (`repointServer`): points a server at another MCI or at any usable image of its
 * cloud; changes to a running server apply at its next launch, which the warnings say.
 */
export async function updateServer(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  id: string,
  patch: PatchServerInput,
): Promise<ServerRecord & { warnings: Warning[] }> {
  authorizeAccount(principal, accountId, 'server.write');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const current = await requireServer(tx, accountId, deploymentId, id, 'update');
    const cloud = await requireCloudRef(tx, current.cloudId);
    const mci = patch.mciId
      ? await requireMci(tx, accountId, patch.mciId).catch(() => {
          throw new InputError('mci_not_found', `MCI ${patch.mciId} does not exist in this account`, {
            errors: [{ path: 'mciId', message: 'no such MCI in this account' }],
          });
        })
      : undefined;
    const from = mci ? mci.settings.find((s) => s.cloudId === current.cloudId) : current;
    const facts = await catalogFacts(
      tx,
      [from?.imageId, patch.imageId],
      [from?.instanceTypeId, patch.instanceTypeId],
    );
    const { next, warnings } = repointServer({ accountId, cloud, current, patch, mci, ...facts });
    const saved = await serverRepository.updateServer(tx, id, { ...current, ...next });
    audit({
      accountId,
      targetType: 'server',
      targetId: id,
      action: 'server.update',
      summary: `changed ${Object.keys(patch).join(', ')} of server "${saved.name}"`,
    });
    return { ...saved, warnings };
  });
}

export async function deleteServer(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  deploymentId: string,
  id: string,
) {
  authorizeAccount(principal, accountId, 'server.write');
  await mutate(ctx, principal, async ({ tx, audit }) => {
    const s = await requireServer(tx, accountId, deploymentId, id, 'update');
    if (!isIdle(s.state)) {
      throw new ConflictError(
        'server_running',
        `server "${s.name}" is ${s.state}: terminate it before removing it`,
        { details: { state: s.state } },
      );
    }
    await serverRepository.deleteServer(tx, id);
    audit({
      accountId,
      targetType: 'server',
      targetId: id,
      action: 'server.delete',
      summary: `removed server "${s.name}"`,
    });
  });
}
