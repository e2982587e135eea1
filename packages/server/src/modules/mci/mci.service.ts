import {
  assertCommittable,
  assertEditable,
  assertNoSettingForCloud,
  authorizeAccount,
  checkSetting,
  ConflictError,
  decodeNameIdCursor,
  lintMci,
  NotFoundError,
  toPage,
  type Page,
  type Principal,
  type Warning,
} from '@mci/core';
import {
  catalogRepository,
  marketplaceRepository,
  mciRepository,
  serverRepository,
  templateRepository,
  type Executor,
  type MciRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { audit } from '../audit/audit.service.ts';
import { requireCloudRef } from '../catalog/catalog.service.ts';
import { assertVersion } from '../../http/etag.ts';
import type { SettingInput } from './mci.schema.ts';

export type MciWithWarnings = MciRecord & { warnings: Warning[] };

/** An MCI revision of the account, or 404 (another account's MCIs are never revealed). */
export async function requireMci(db: Executor, accountId: string, id: string): Promise<MciRecord> {
  const mci = await mciRepository.find(db, id);
  if (!mci || mci.accountId !== accountId) throw new NotFoundError('MCI', id);
  return mci;
}

/**
 * An MCI revision the account can read: its own, or one published to it (R-MCI-6 clones and
 * R-VC-1 diffs may use published revisions); anything else is 404.
 */
export async function requireReadableMci(db: Executor, accountId: string, id: string): Promise<MciRecord> {
  const mci = await mciRepository.find(db, id);
  if (
    mci &&
    (mci.accountId === accountId || (await marketplaceRepository.sourceVisibleTo(db, id, accountId)))
  )
    return mci;
  throw new NotFoundError('MCI', id);
}

/** R-MCI-2/3 for one setting, loading the catalog objects it names. */
async function validateSetting(db: Executor, accountId: string, input: SettingInput): Promise<Warning[]> {
  const cloud = await requireCloudRef(db, input.cloudId);
  return checkSetting({
    accountId,
    cloud,
    imageId: input.imageId,
    image: await catalogRepository.findImage(db, input.imageId),
    instanceTypeId: input.instanceTypeId,
    instanceType: await catalogRepository.findInstanceType(db, input.instanceTypeId),
  });
}

function auditOf(
  db: Executor,
  principal: Principal,
  mci: { id: string; accountId: string },
  action: string,
  summary: string,
) {
  return audit(db, principal, mci.accountId, 'mci', mci.id, action, summary);
}

async function reload(db: Executor, id: string, warnings: Warning[] = []): Promise<MciWithWarnings> {
  return { ...(await mciRepository.find(db, id))!, warnings };
}

export async function createMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: { name: string; description: string; tags: string[]; settings: SettingInput[] },
): Promise<MciWithWarnings> {
  authorizeAccount(principal, accountId, 'mci.write');
  return ctx.db.transaction(async (tx) => {
    const lineageId = await mciRepository.insertLineage(tx, accountId);
    const id = await mciRepository.insertRevision(tx, {
      lineageId,
      revision: 0,
      accountId,
      name: input.name,
      description: input.description,
      tags: input.tags,
    });
    const warnings: Warning[] = [];
    for (const [i, setting] of input.settings.entries()) {
      const cloud = await catalogRepository.findCloud(tx, setting.cloudId);
      if (cloud) {
        assertNoSettingForCloud(
          input.settings.slice(0, i).map((s) => ({ ...s, userData: s.userData ?? null })),
          cloud,
        );
      }
      warnings.push(...(await validateSetting(tx, accountId, setting)));
      await mciRepository.insertSetting(tx, id, { ...setting, userData: setting.userData ?? null });
    }
    await auditOf(tx, principal, { id, accountId }, 'mci.create', `created MCI "${input.name}"`);
    return reload(tx, id, warnings);
  });
}

export async function getMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
): Promise<MciRecord> {
  authorizeAccount(principal, accountId, 'account.read');
  return requireReadableMci(ctx.db, accountId, id);
}

export async function listMcis(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  query: { limit: number; cursor?: string; q?: string; lineageId?: string; revision?: number },
): Promise<Page<MciRecord>> {
  authorizeAccount(principal, accountId, 'account.read');
  const after = decodeNameIdCursor(query.cursor);
  const rows = await mciRepository.list(ctx.db, { ...query, accountId, after });
  return toPage(rows, query.limit, (m) => [m.name, m.id]);
}

/** Loads an editable HEAD for a change (R-MCI-4), checking If-Match. */
async function editableHead(
  tx: Executor,
  principal: Principal,
  accountId: string,
  id: string,
  expected: number | undefined,
): Promise<MciRecord> {
  authorizeAccount(principal, accountId, 'mci.write');
  const mci = await requireMci(tx, accountId, id);
  assertEditable(mci);
  assertVersion(mci, expected);
  return mci;
}

export async function updateMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  patch: { name?: string; description?: string; tags?: string[] },
  expected?: number,
): Promise<MciRecord> {
  return ctx.db.transaction(async (tx) => {
    const mci = await editableHead(tx, principal, accountId, id, expected);
    await mciRepository.updateRevision(tx, id, patch);
    await auditOf(
      tx,
      principal,
      mci,
      'mci.update',
      `changed ${Object.keys(patch).join(', ')} of MCI "${mci.name}"`,
    );
    return (await mciRepository.find(tx, id))!;
  });
}

export async function addSetting(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: SettingInput,
  expected?: number,
): Promise<MciWithWarnings> {
  return ctx.db.transaction(async (tx) => {
    const mci = await editableHead(tx, principal, accountId, id, expected);
    const cloud = await requireCloudRef(tx, input.cloudId);
    assertNoSettingForCloud(mci.settings, cloud);
    const warnings = await validateSetting(tx, accountId, input);
    await mciRepository.insertSetting(tx, id, { ...input, userData: input.userData ?? null });
    await mciRepository.updateRevision(tx, id, {});
    await auditOf(
      tx,
      principal,
      mci,
      'mci.setting.add',
      `added a setting for ${cloud.name} to MCI "${mci.name}"`,
    );
    return reload(tx, id, warnings);
  });
}

export async function replaceSetting(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: SettingInput,
  expected?: number,
): Promise<MciWithWarnings> {
  return ctx.db.transaction(async (tx) => {
    const mci = await editableHead(tx, principal, accountId, id, expected);
    const current = mci.settings.find((s) => s.cloudId === input.cloudId);
    if (!current) throw new NotFoundError('setting for cloud', input.cloudId);
    const warnings = await validateSetting(tx, accountId, input);
    await mciRepository.replaceSetting(tx, id, { ...input, userData: input.userData ?? null });
    await mciRepository.updateRevision(tx, id, {});
    await auditOf(
      tx,
      principal,
      mci,
      'mci.setting.replace',
      `replaced the setting for ${current.cloudName} of MCI "${mci.name}"`,
    );
    return reload(tx, id, warnings);
  });
}

export async function removeSetting(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  cloudId: string,
  expected?: number,
): Promise<MciRecord> {
  return ctx.db.transaction(async (tx) => {
    const mci = await editableHead(tx, principal, accountId, id, expected);
    const current = mci.settings.find((s) => s.cloudId === cloudId);
    if (!current || !(await mciRepository.deleteSetting(tx, id, cloudId))) {
      throw new NotFoundError('setting for cloud', cloudId);
    }
    await mciRepository.updateRevision(tx, id, {});
    await auditOf(
      tx,
      principal,
      mci,
      'mci.setting.remove',
      `removed the setting for ${current.cloudName} from MCI "${mci.name}"`,
    );
    return (await mciRepository.find(tx, id))!;
  });
}

/**
 * R-MCI-5: commits HEAD as revision max+1, an exact copy; HEAD stays editable with
 * `baseRevision` set to the new number. The lineage row lock keeps numbers consecutive.
 */
export async function commitMciIn(
  tx: Executor,
  principal: Principal,
  head: MciRecord,
  message: string,
  now: Date,
): Promise<MciRecord> {
  assertEditable(head);
  assertCommittable(head);
  const revision = await mciRepository.nextRevisionNumber(tx, head.lineageId);
  const id = await mciRepository.insertRevision(tx, {
    lineageId: head.lineageId,
    revision,
    accountId: head.accountId,
    name: head.name,
    description: head.description,
    tags: head.tags,
    commitMessage: message,
    committedBy: principal.userId,
    committedAt: now,
    baseRevision: head.baseRevision,
    clonedFrom: head.clonedFrom,
  });
  await mciRepository.replaceAllSettings(tx, id, head.settings);
  await mciRepository.updateRevision(tx, head.id, { baseRevision: revision });
  await auditOf(
    tx,
    principal,
    { id, accountId: head.accountId },
    'mci.commit',
    `committed MCI "${head.name}" as revision ${revision}: ${message}`,
  );
  return (await mciRepository.find(tx, id))!;
}

export async function commitMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  message: string,
): Promise<MciRecord> {
  authorizeAccount(principal, accountId, 'mci.write');
  return ctx.db.transaction(async (tx) => {
    const head = await requireMci(tx, accountId, id);
    return commitMciIn(tx, principal, head, message, ctx.clock());
  });
}

/** R-MCI-6: copies any readable revision into a new lineage whose HEAD is editable. */
export async function cloneMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: { name: string; description?: string },
): Promise<MciRecord> {
  authorizeAccount(principal, accountId, 'mci.write');
  return ctx.db.transaction(async (tx) => {
    const source = await requireReadableMci(tx, accountId, id);
    const lineageId = await mciRepository.insertLineage(tx, accountId);
    const cloneId = await mciRepository.insertRevision(tx, {
      lineageId,
      revision: 0,
      accountId,
      name: input.name,
      description: input.description ?? source.description,
      tags: source.tags,
      clonedFrom: source.id,
    });
    await mciRepository.replaceAllSettings(tx, cloneId, source.settings);
    await auditOf(
      tx,
      principal,
      { id: cloneId, accountId },
      'mci.clone',
      `cloned MCI "${source.name}" r${source.revision} as "${input.name}"`,
    );
    return (await mciRepository.find(tx, cloneId))!;
  });
}

export async function listRevisions(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'account.read');
  const mci = await requireMci(ctx.db, accountId, id);
  return { items: await mciRepository.revisions(ctx.db, mci.lineageId), nextCursor: null };
}

/** R-MCI-8: lint warnings for one revision. */
export async function lint(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'account.read');
  const mci = await requireMci(ctx.db, accountId, id);
  const warnings = lintMci(
    mci.name,
    mci.settings.map((s) => ({
      cloud: { id: s.cloudId, name: s.cloudName },
      image: {
        resourceUid: s.imageResourceUid,
        name: s.imageName,
        osFamily: s.osFamily,
        osVersion: s.osVersion,
        cpuArchitecture: s.cpuArchitecture as 'x86_64',
        state: s.imageState as 'available',
      },
    })),
  );
  return { mciId: mci.id, warnings };
}

/** Which template revisions and servers use each revision of the lineage. */
export async function usage(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'account.read');
  const mci = await requireMci(ctx.db, accountId, id);
  const revisions = await mciRepository.revisions(ctx.db, mci.lineageId);
  const links = (await templateRepository.linkingLineage(ctx.db, mci.lineageId)).filter(
    (l) => l.accountId === accountId,
  );
  const servers = (
    await serverRepository.usingMcis(
      ctx.db,
      revisions.map((r) => r.id),
    )
  ).filter((s) => s.accountId === accountId);
  return {
    lineageId: mci.lineageId,
    revisions: revisions.map((r) => ({
      mciId: r.id,
      revision: r.revision,
      templates: links
        .filter((l) => l.mciId === r.id)
        .map((l) => ({ templateId: l.templateId, name: l.templateName, revision: l.revision })),
      servers: servers
        .filter((s) => s.mciId === r.id)
        .map((s) => ({ serverId: s.id, name: s.name, deploymentId: s.deploymentId, cloudId: s.cloudId })),
    })),
  };
}

/** R-MCI-7: deletes the whole lineage, refused while any template revision links any of it. */
export async function deleteMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
): Promise<void> {
  authorizeAccount(principal, accountId, 'mci.write');
  await ctx.db.transaction(async (tx) => {
    const mci = await requireMci(tx, accountId, id);
    const linking = await templateRepository.linkingLineage(tx, mci.lineageId);
    if (linking.length > 0) {
      const list = linking.map((l) => `"${l.templateName}" r${l.revision} (${l.templateId})`);
      throw new ConflictError(
        'mci_in_use',
        `MCI "${mci.name}" is linked by ${linking.length} template revision(s): ${list.join(', ')}; unlink it first`,
        {
          details: {
            templates: linking.map((l) => ({
              templateId: l.templateId,
              name: l.templateName,
              revision: l.revision,
              mciId: l.mciId,
            })),
          },
        },
      );
    }
    const published = (await mciRepository.revisions(tx, mci.lineageId)).map((r) => r.id);
    for (const revisionId of published) {
      const pub = await marketplaceRepository.findPublicationBySource(tx, revisionId);
      if (pub) {
        throw new ConflictError(
          'mci_published',
          `MCI "${mci.name}" revision ${pub.revision} is published (${pub.id}); importers rely on it — deprecate the publication instead`,
        );
      }
    }
    await mciRepository.deleteLineage(tx, mci.lineageId);
    await auditOf(tx, principal, mci, 'mci.delete', `deleted MCI "${mci.name}" and all its revisions`);
  });
}
