import {
  assertNoHeadLinks,
  assertPublishable,
  authorizeAccount,
  ConflictError,
  decodeNameIdCursor,
  ForbiddenError,
  InputError,
  NotFoundError,
  preflight,
  toPage,
  type Image,
  type PreflightImage,
  type Principal,
  type PublicationKind,
  type PublicationVisibility,
} from '@mci/core';
import {
  catalogRepository,
  identityRepository,
  marketplaceRepository,
  mciRepository,
  templateRepository,
  type Executor,
  type MciRecord,
  type PublicationRecord,
  type TemplateRecord,
} from '@mci/db';
import type { AppContext } from '../../context.ts';
import { mutate } from '../../unit-of-work.ts';
import { readLiveGrants, refreshCatalogCopies, type LiveGrant } from './live-permissions.ts';

export interface PublishInput {
  sourceId: string;
  visibility: PublicationVisibility;
  groupIds: string[];
  shortDescription: string;
  longDescription: string;
  revisionNotes?: string;
  categories: string[];
  strict: boolean;
}

type Source = { kind: 'mci'; mci: MciRecord } | { kind: 'server_template'; template: TemplateRecord };

/** The revision to publish, which must be the account's own (R-PUB-1). */
async function requireSource(db: Executor, accountId: string, sourceId: string): Promise<Source> {
  const mci = await mciRepository.find(db, sourceId);
  if (mci && mci.accountId === accountId) return { kind: 'mci', mci };
  const template = await templateRepository.find(db, sourceId);
  if (template && template.accountId === accountId) return { kind: 'server_template', template };
  throw new InputError('source_not_found', `No MCI or ServerTemplate revision ${sourceId} in this account`, {
    errors: [{ path: 'sourceId', message: 'no such revision in this account' }],
  });
}

/** Groups must be the account's own, and given exactly when visibility is `groups`. */
async function validateGroups(db: Executor, accountId: string, input: PublishInput): Promise<string[]> {
  if (input.visibility === 'public') {
    if (input.groupIds.length > 0) {
      throw new InputError('groups_with_public', 'groupIds apply to visibility "groups" only', {
        errors: [{ path: 'groupIds', message: 'must be empty for a public publication' }],
      });
    }
    return [];
  }
  if (input.groupIds.length === 0) {
    throw new InputError('groups_required', 'Name at least one account group to share with', {
      errors: [{ path: 'groupIds', message: 'required when visibility is "groups"' }],
    });
  }
  for (const [i, id] of input.groupIds.entries()) {
    const group = await marketplaceRepository.findGroup(db, id);
    if (!group || group.ownerAccountId !== accountId) {
      throw new InputError('group_not_found', `account group ${id} is not a group of this account`, {
        errors: [{ path: `groupIds.${i}`, message: 'not a group of this account' }],
      });
    }
  }
  return input.groupIds;
}

/** What publishing would do: the MCI revisions to publish along, and those already published. */
interface Plan {
  source: Source;
  name: string;
  mcis: MciRecord[];
  /** MCI revision id → existing publication id (published before, or the publication an import came from). */
  existing: Map<string, string>;
}

async function planPublication(db: Executor, accountId: string, input: PublishInput): Promise<Plan> {
  const source = await requireSource(db, accountId, input.sourceId);
  const rev = source.kind === 'mci' ? source.mci : source.template;
  assertPublishable(rev, source.kind === 'mci' ? 'MCI' : 'ServerTemplate');
  const already = await marketplaceRepository.findPublicationBySource(db, rev.id);
  if (already) {
    throw new ConflictError(
      'already_published',
      `Revision ${rev.revision} of "${rev.name}" is already published (${already.id}); ` +
        `GET /v1/accounts/${accountId}/publications/${already.id}/preflight re-checks it for its current receivers`,
      {
        details: { publicationId: already.id },
      },
    );
  }
  return planOf(db, source);
}

/** The MCI revisions a source brings (itself, or a template's linked ones) and their publications. */
async function planOf(db: Executor, source: Source): Promise<Plan> {
  const rev = source.kind === 'mci' ? source.mci : source.template;
  if (source.kind === 'mci') return { source, name: rev.name, mcis: [source.mci], existing: new Map() };
  assertNoHeadLinks(source.template.links);
  const mcis = await mciRepository.findMany(
    db,
    source.template.links.map((l) => l.mciId),
  );
  const existing = new Map<string, string>();
  for (const mci of mcis) {
    const published =
      mci.importedFrom ?? (await marketplaceRepository.findPublicationBySource(db, mci.id))?.id;
    if (published) existing.set(mci.id, published);
  }
  return { source, name: rev.name, mcis, existing };
}

/** Every image the plan's MCIs reference, as the catalog has it, with the MCI revisions using it. */
async function imagesOfPlan(
  db: Executor,
  plan: Plan,
): Promise<Map<string, PreflightImage & { image: Image }>> {
  const byImage = new Map<string, PreflightImage & { image: Image }>();
  for (const mci of plan.mcis) {
    for (const s of mci.settings) {
      const entry = byImage.get(s.imageId);
      if (entry) entry.mciIds.push(mci.id);
      else
        byImage.set(s.imageId, {
          image: (await catalogRepository.findImage(db, s.imageId)) as Image,
          cloudName: s.cloudName,
          mciIds: [mci.id],
        });
    }
  }
  return byImage;
}

/**
 * R-GRP-2 with the cloud: the launch permissions of the plan's private images, read from their
 * clouds (outside any transaction) where the owner or publisher has credentials.
 */
async function liveGrantsOf(ctx: AppContext, accountId: string, plan: Plan): Promise<Map<string, LiveGrant>> {
  const images = [...(await imagesOfPlan(ctx.db, plan)).values()].map((e) => e.image);
  return readLiveGrants(ctx, images, accountId);
}

/**
 * R-GRP-2 over every image the plan's MCIs reference, for the receiving accounts (the groups'
 * members; none for public). A private image's launch permissions are the cloud's (`grants`)
 * when it was asked, else the catalog's copy; each image entry says which (`source`, `note`).
 */
async function runPreflight(
  db: Executor,
  accountId: string,
  plan: Plan,
  visibility: PublicationVisibility,
  groupIds: string[],
  grants: ReadonlyMap<string, LiveGrant> = new Map(),
) {
  const byImage = await imagesOfPlan(db, plan);
  for (const entry of byImage.values()) {
    const grant = grants.get(entry.image.id);
    if (grant?.source === 'cloud') {
      entry.image = {
        ...entry.image,
        visibility: grant.image.visibility,
        launchPermissions: grant.image.launchPermissions,
        unknownPrincipals: grant.image.unknownPrincipals,
      };
    }
  }
  const receivers = (await marketplaceRepository.membersOfGroups(db, groupIds)).filter(
    (a) => a.id !== accountId,
  );
  const result = preflight(
    visibility,
    [...byImage.values()],
    receivers.map((a) => a.id),
  );
  return {
    visibility,
    receivingAccounts: receivers,
    images: [...byImage.values()]
      .map(({ image, cloudName, mciIds }) => {
        const grant = grants.get(image.id);
        return {
          imageId: image.id,
          resourceUid: image.resourceUid,
          name: image.name,
          cloudId: image.cloudId,
          cloudName,
          visibility: image.visibility,
          state: image.state,
          ownerAccountId: image.ownerAccountId,
          mciIds,
          source: grant?.source ?? ('catalog' as const),
          note: grant?.note ?? null,
          launchPermissions: image.visibility === 'private' ? image.launchPermissions : [],
          unknownPrincipals: image.visibility === 'private' ? image.unknownPrincipals : [],
        };
      })
      .sort((a, b) => a.cloudName.localeCompare(b.cloudName) || a.resourceUid.localeCompare(b.resourceUid)),
    matrix: result.cells,
    warnings: result.warnings,
    gaps: result.gaps,
    ok: result.gaps === 0,
  };
}
export type PreflightReport = Awaited<ReturnType<typeof runPreflight>>;

function strictFailure(report: PreflightReport): InputError {
  return new InputError(
    'preflight_failed',
    `${report.gaps} receiving account/image pair(s) could not launch; see preflight`,
    {
      details: { preflight: report },
    },
  );
}

/** `POST …/publications/preflight`: the R-GRP-2 matrix for a publication, publishing nothing. */
export async function preflightPublication(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  input: PublishInput,
) {
  authorizeAccount(principal, accountId, 'publication.write');
  const groupIds = await validateGroups(ctx.db, accountId, input);
  const plan = await planPublication(ctx.db, accountId, input);
  const grants = await refreshedGrants(ctx, principal, accountId, plan);
  const report = await runPreflight(ctx.db, accountId, plan, input.visibility, groupIds, grants);
  if (input.strict && !report.ok) throw strictFailure(report);
  return report;
}

/** The cloud's launch permissions for the plan, with out-of-date catalog copies refreshed. */
async function refreshedGrants(ctx: AppContext, principal: Principal, accountId: string, plan: Plan) {
  const grants = await liveGrantsOf(ctx, accountId, plan);
  if ([...grants.values()].some((g) => g.refresh))
    await mutate(ctx, principal, (uow) => refreshCatalogCopies(uow, grants.values()));
  return grants;
}

/**
 * `GET …/publications/{p}/preflight`: R-GRP-2 again for a publication already made, for the
 * accounts that receive it now (its groups' current members; none for public), with the cloud's
 * launch permissions where they can be read. Only the publisher re-checks (403 otherwise).
 */
export async function recheckPublication(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  publicationId: string,
) {
  authorizeAccount(principal, accountId, 'publication.write');
  const pub = await requireVisiblePublication(ctx.db, accountId, publicationId);
  if (pub.publisherAccountId !== accountId) {
    throw new ForbiddenError('not_publisher', `Only the publisher of "${pub.name}" can re-check it`);
  }
  const source = await requireSource(ctx.db, accountId, pub.sourceId).catch(() => {
    throw new NotFoundError('publication', publicationId);
  });
  const plan = await planOf(ctx.db, source);
  const grants = await refreshedGrants(ctx, principal, accountId, plan);
  const report = await runPreflight(ctx.db, accountId, plan, pub.visibility, pub.groupIds, grants);
  return { publicationId: pub.id, checkedAt: ctx.clock().toISOString(), ...report };
}

function cloudIdsOf(mcis: MciRecord[]): string[] {
  return [...new Set(mcis.flatMap((m) => m.settings.map((s) => s.cloudId)))].sort();
}

/**
 * R-PUB-1/2 and R-GRP-2: publishes a committed revision once; a template takes along each linked
 * MCI revision not yet published, with the same visibility, in one transaction. Every publish
 * runs the preflight; `strict` refuses on any gap.
 */
export async function publish(ctx: AppContext, principal: Principal, accountId: string, input: PublishInput) {
  authorizeAccount(principal, accountId, 'publication.write');
  // The clouds are asked before the transaction (their calls take time); the answer is applied in it.
  const grants = await liveGrantsOf(ctx, accountId, await planPublication(ctx.db, accountId, input));
  return mutate(ctx, principal, async (uow) => {
    const { tx, now, audit } = uow;
    const groupIds = await validateGroups(tx, accountId, input);
    const plan = await planPublication(tx, accountId, input);
    const report = await runPreflight(tx, accountId, plan, input.visibility, groupIds, grants);
    if (input.strict && !report.ok) throw strictFailure(report);
    await refreshCatalogCopies(uow, grants.values());
    const common = {
      publisherAccountId: accountId,
      visibility: input.visibility,
      groupIds,
      publishedAt: now,
      publishedBy: principal.userId,
    };
    const alongside: PublicationRecord[] = [];
    const publishMci = async (
      mci: MciRecord,
      texts: Pick<PublishInput, 'shortDescription' | 'longDescription' | 'categories'> & {
        revisionNotes?: string;
      },
    ) =>
      marketplaceRepository.insertPublication(tx, {
        ...common,
        kind: 'mci',
        sourceId: mci.id,
        lineageId: mci.lineageId,
        revision: mci.revision,
        name: mci.name,
        shortDescription: texts.shortDescription,
        longDescription: texts.longDescription,
        revisionNotes: texts.revisionNotes ?? mci.commitMessage ?? '',
        categories: texts.categories,
        cloudIds: cloudIdsOf([mci]),
        linkedPublicationIds: [],
      });
    let publication: PublicationRecord;
    if (plan.source.kind === 'mci') {
      publication = await publishMci(plan.source.mci, input);
    } else {
      const linked: string[] = [];
      for (const mci of plan.mcis) {
        const existing = plan.existing.get(mci.id);
        if (existing) {
          linked.push(existing);
          continue;
        }
        const p = await publishMci(mci, {
          shortDescription:
            mci.description.slice(0, 280) ||
            `MultiCloud Image ${mci.name}, published with ServerTemplate ${plan.name}`,
          longDescription: mci.description,
          categories: input.categories,
        });
        alongside.push(p);
        linked.push(p.id);
      }
      const t = plan.source.template;
      publication = await marketplaceRepository.insertPublication(tx, {
        ...common,
        kind: 'server_template',
        sourceId: t.id,
        lineageId: t.lineageId,
        revision: t.revision,
        name: t.name,
        shortDescription: input.shortDescription,
        longDescription: input.longDescription,
        revisionNotes: input.revisionNotes ?? t.commitMessage ?? '',
        categories: input.categories,
        cloudIds: cloudIdsOf(plan.mcis),
        linkedPublicationIds: linked,
      });
    }
    for (const p of [...alongside, publication]) {
      audit({
        accountId,
        action: 'publication.create',
        targetType: 'publication',
        targetId: p.id,
        summary: `published ${p.kind === 'mci' ? 'MCI' : 'ServerTemplate'} "${p.name}" r${p.revision} (${p.visibility})`,
      });
    }
    const [named, ...along] = await withPublisherNames(tx, [publication, ...alongside]);
    return { publication: named, publishedAlong: along, preflight: report };
  });
}

/** Publications with their publisher's account name, which importers cannot otherwise read. */
export async function withPublisherNames<P extends PublicationRecord>(
  db: Executor,
  pubs: P[],
): Promise<(P & { publisherName: string })[]> {
  const names = new Map(
    (await identityRepository.findAccountsByIds(db, [...new Set(pubs.map((p) => p.publisherAccountId))])).map(
      (a) => [a.id, a.name],
    ),
  );
  return pubs.map((p) => ({ ...p, publisherName: names.get(p.publisherAccountId) ?? p.publisherAccountId }));
}

/** A publication the account may see (R-PUB-3), or 404. */
export async function requireVisiblePublication(
  db: Executor,
  accountId: string,
  id: string,
): Promise<PublicationRecord> {
  const pub = await marketplaceRepository.findPublication(db, id);
  if (!pub || !(await marketplaceRepository.isVisible(db, id, accountId)))
    throw new NotFoundError('publication', id);
  return pub;
}

export async function getPublication(ctx: AppContext, principal: Principal, accountId: string, id: string) {
  authorizeAccount(principal, accountId, 'account.read');
  return (await withPublisherNames(ctx.db, [await requireVisiblePublication(ctx.db, accountId, id)]))[0];
}

/** The publisher deprecates or reactivates its publication (R-PUB-3). */
export async function setPublicationState(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  id: string,
  state: 'active' | 'deprecated',
) {
  authorizeAccount(principal, accountId, 'publication.write');
  return mutate(ctx, principal, async ({ tx, audit }) => {
    const pub = await requireVisiblePublication(tx, accountId, id);
    if (pub.publisherAccountId !== accountId) {
      throw new ForbiddenError(
        'not_publisher',
        `Only the publisher of "${pub.name}" can ${state === 'deprecated' ? 'deprecate' : 'reactivate'} it`,
      );
    }
    const [updated] = await withPublisherNames(tx, [
      await marketplaceRepository.setPublicationState(tx, id, state),
    ]);
    audit({
      accountId,
      action: state === 'deprecated' ? 'publication.deprecate' : 'publication.reactivate',
      targetType: 'publication',
      targetId: id,
      summary: `${state === 'deprecated' ? 'deprecated' : 'reactivated'} "${pub.name}" r${pub.revision}`,
    });
    return updated;
  });
}

export async function listMarketplace(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  q: {
    limit: number;
    cursor?: string;
    q?: string;
    kind?: PublicationKind;
    category?: string;
    publisher?: string;
    cloudId?: string;
  },
) {
  authorizeAccount(principal, accountId, 'account.read');
  const after = decodeNameIdCursor(q.cursor);
  const rows = await marketplaceRepository.marketplace(ctx.db, { ...q, accountId, after });
  return toPage(await withPublisherNames(ctx.db, rows), q.limit, (p) => [p.name, p.id]);
}

export async function listOwnPublications(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
  q: { limit: number; cursor?: string },
) {
  authorizeAccount(principal, accountId, 'account.read');
  const after = decodeNameIdCursor(q.cursor);
  const rows = await marketplaceRepository.listOwnPublications(ctx.db, accountId, after, q.limit);
  return toPage(await withPublisherNames(ctx.db, rows), q.limit, (p) => [p.name, p.id]);
}
