import {
  assertNoSettingForCloud,
  authorizeAccount,
  checkSetting,
  InputError,
  lintMci,
  NotFoundError,
  sameSetting,
  type Principal,
  type Warning,
} from '@mci/core';
import {
  catalogRepository,
  mciRepository,
  serverRepository,
  templateRepository,
  type Executor,
} from '@mci/db';
import type { MciRecord } from '@mci/db';
import type { AppContext } from '../../context.ts';
import { requireCloudRef } from '../catalog/catalog.service.ts';
import type { HeadFields } from '../revision/revision.service.ts';
import type { UnitOfWork } from '../../unit-of-work.ts';
import { mciRevisions } from './mci.kind.ts';

/** A setting as a caller gives it (user data optional). */
export interface SettingInput {
  cloudId: string;
  imageId: string;
  instanceTypeId: string;
  userData?: string | null;
}

/** An MCI revision of the account, or 404. */
export const requireMci = (db: Executor, accountId: string, id: string): Promise<MciRecord> =>
  mciRevisions.requireOwn(db, accountId, id);

/** An MCI revision the account can read: its own, or one published to it; else 404. */
export const requireReadableMci = (db: Executor, accountId: string, id: string): Promise<MciRecord> =>
  mciRevisions.requireReadable(db, accountId, id);

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

const stored = (s: SettingInput) => ({ ...s, userData: s.userData ?? null });

/**
 * Makes a HEAD's settings exactly `desired` (R-MCI-1 within `desired`, R-MCI-2/3 for each new or
 * changed setting), in the caller's transaction; says what changed.
 */
async function syncSettings(
  tx: Executor,
  head: MciRecord,
  desired: readonly SettingInput[],
): Promise<{ changes: string[]; warnings: Warning[] }> {
  const changes: string[] = [];
  const warnings: Warning[] = [];
  for (const [i, setting] of desired.entries()) {
    const cloud = await requireCloudRef(tx, setting.cloudId);
    assertNoSettingForCloud(desired.slice(0, i).map(stored), cloud);
    const current = head.settings.find((s) => s.cloudId === setting.cloudId);
    if (current && sameSetting(current, stored(setting))) continue;
    warnings.push(...(await validateSetting(tx, head.accountId, setting)));
    if (current) {
      await mciRepository.replaceSetting(tx, head.id, stored(setting));
      changes.push(`MCI "${head.name}": replace setting for ${cloud.name}`);
    } else {
      await mciRepository.insertSetting(tx, head.id, stored(setting));
      changes.push(`MCI "${head.name}": add setting for ${cloud.name}`);
    }
  }
  const kept = new Set(desired.map((s) => s.cloudId));
  for (const current of head.settings.filter((s) => !kept.has(s.cloudId))) {
    await mciRepository.deleteSetting(tx, head.id, current.cloudId);
    changes.push(`MCI "${head.name}": remove setting for ${current.cloudName}`);
  }
  return { changes, warnings };
}

/** The content step of creating an MCI HEAD: its first settings, each checked (R-MCI-1..3). */
export const fillSettings =
  (settings: readonly SettingInput[]) =>
  async ({ tx }: UnitOfWork, head: MciRecord): Promise<Warning[]> =>
    (await syncSettings(tx, head, settings)).warnings;

/** Creates an MCI HEAD with optional settings (R-MCI-1..3 for each). */
export function createMci(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: HeadFields & { settings: SettingInput[] },
) {
  const { settings, ...fields } = input;
  return mciRevisions.create(ctx, principal, accountId, fields, fillSettings(settings));
}

export async function addSetting(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  input: SettingInput,
  expected?: number,
) {
  return mciRevisions.edit(ctx, principal, accountId, id, expected, async ({ tx }, mci) => {
    const cloud = await requireCloudRef(tx, input.cloudId);
    assertNoSettingForCloud(mci.settings, cloud);
    const warnings = await validateSetting(tx, accountId, input);
    await mciRepository.insertSetting(tx, id, stored(input));
    return {
      action: 'setting.add',
      summary: `added a setting for ${cloud.name} to MCI "${mci.name}"`,
      warnings,
    };
  });
}

/**
 * Replaces a cloud's setting. A body may carry the path's cloud id again (a setting read from
 * the API and sent back); a different one is refused (422 naming `cloudId`).
 */
export async function replaceSetting(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  cloudId: string,
  input: Omit<SettingInput, 'cloudId'> & { cloudId?: string },
  expected?: number,
) {
  if (input.cloudId !== undefined && input.cloudId !== cloudId) {
    throw new InputError(
      'cloud_mismatch',
      `the body names cloud ${input.cloudId} but the path names ${cloudId}; a setting cannot move to another cloud — remove it and add one for the other cloud`,
      { errors: [{ path: 'cloudId', message: `must be ${cloudId} (the cloud in the path) or absent` }] },
    );
  }
  const setting = { ...input, cloudId };
  return mciRevisions.edit(ctx, principal, accountId, id, expected, async ({ tx }, mci) => {
    const current = mci.settings.find((s) => s.cloudId === cloudId);
    if (!current) throw new NotFoundError('setting for cloud', cloudId);
    const warnings = await validateSetting(tx, accountId, setting);
    await mciRepository.replaceSetting(tx, id, stored(setting));
    return {
      action: 'setting.replace',
      summary: `replaced the setting for ${current.cloudName} of MCI "${mci.name}"`,
      warnings,
    };
  });
}

export async function removeSetting(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  cloudId: string,
  expected?: number,
) {
  return mciRevisions.edit(ctx, principal, accountId, id, expected, async ({ tx }, mci) => {
    const current = mci.settings.find((s) => s.cloudId === cloudId);
    if (!current || !(await mciRepository.deleteSetting(tx, id, cloudId))) {
      throw new NotFoundError('setting for cloud', cloudId);
    }
    return {
      action: 'setting.remove',
      summary: `removed the setting for ${current.cloudName} from MCI "${mci.name}"`,
    };
  });
}

/** R-MCI-8: lint warnings for one revision. */
export async function lint(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  const mci = await mciRevisions.get(ctx, principal, accountId, id);
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

/** Which template revisions and servers of the account use each revision of the lineage. */
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

/**
 * Makes a HEAD's description, tags and settings exactly `desired` inside a unit of work (each
 * setting checked by R-MCI-1..3); says what changed, and bumps the HEAD only when something did.
 */
export async function syncMciIn(
  uow: UnitOfWork,
  head: MciRecord,
  desired: { description: string; tags: string[]; settings: SettingInput[] },
): Promise<{ changes: string[]; warnings: Warning[] }> {
  const { tx } = uow;
  const changes: string[] = [];
  if (
    head.description !== desired.description ||
    JSON.stringify(head.tags) !== JSON.stringify(desired.tags)
  ) {
    await mciRepository.updateRevision(tx, head.id, { description: desired.description, tags: desired.tags });
    changes.push(`MCI "${head.name}": description/tags`);
  }
  const synced = await syncSettings(tx, head, desired.settings);
  changes.push(...synced.changes);
  if (changes.length > 0) await mciRevisions.touch(uow, head, 'update', changes.join('; '));
  return { changes, warnings: synced.warnings };
}
