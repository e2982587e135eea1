import { accountsOfPrincipals, CloudError, DomainError, type Cloud, type Image } from '@mci/core';
import { catalogRepository } from '@mci/db';
import type { AppContext } from '../../context.ts';
import {
  accountsByPrincipal,
  credentialsFor,
  makeDriver,
  noteCredentialUse,
} from '../../clouds/connection.ts';
import type { UnitOfWork } from '../../unit-of-work.ts';

/**
 * Where a preflight took an image's launch permissions from (R-GRP-2 with the cloud): `cloud`
 * when the cloud was asked just now, `catalog` for the catalog's copy (public images, clouds not
 * connected, no credentials to ask with, or the cloud failed: `note` says which).
 */
export interface LiveGrant {
  source: 'cloud' | 'catalog';
  note: string | null;
  /** The image as the preflight judges it: the catalog's row with the cloud's permissions. */
  image: Image;
  /** Set when the cloud's answer differs from the catalog's copy: what the copy becomes. */
  refresh: { launchPermissions: string[]; unknownPrincipals: string[] } | null;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && sorted(a).join('\u0000') === sorted(b).join('\u0000');

const catalogCopy = (image: Image, note: string | null): LiveGrant => ({
  source: 'catalog',
  note,
  image,
  refresh: null,
});

const fallbackNote = (why: string) => `${why}; the catalog's copy of the launch permissions is used`;

/**
 * One private image's launch permissions read from its cloud with the credentials of its owner
 * account (or else the publisher's), mapped to accounts by principal (R-CLD-2); unmapped
 * principals are kept as unknown. Never throws for the cloud's sake: a failure falls back to the
 * catalog's copy with a note. Runs outside transactions (cloud calls take time).
 */
async function grantOf(
  ctx: AppContext,
  image: Image,
  cloud: Cloud | undefined,
  publisherAccountId: string,
): Promise<LiveGrant> {
  if (!cloud || cloud.driver === 'none') {
    return catalogCopy(image, fallbackNote(`cloud ${cloud?.name ?? image.cloudId} is not connected`));
  }
  const candidates = sorted([image.ownerAccountId, publisherAccountId].filter((a): a is string => !!a));
  candidates.sort((a, b) => (a === image.ownerAccountId ? -1 : b === image.ownerAccountId ? 1 : 0));
  let unreadable: string | null = null;
  for (const accountId of candidates) {
    let credentials;
    try {
      credentials = await credentialsFor(ctx, ctx.db, accountId, cloud.cloudType);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      unreadable ??= error.message;
      continue;
    }
    if (!credentials) continue;
    let principals: string[];
    try {
      principals = await makeDriver(ctx, cloud, credentials).launchPermissions(image.resourceUid);
    } catch (error) {
      const message =
        error instanceof CloudError
          ? `${error.message} (${error.cloudCode})`
          : error instanceof DomainError
            ? error.message
            : undefined;
      if (message === undefined) throw error;
      if (error instanceof CloudError) await noteCredentialUse(ctx, credentials.id, message);
      return catalogCopy(image, fallbackNote(`${cloud.name} could not be asked: ${message}`));
    }
    await noteCredentialUse(ctx, credentials.id);
    if (principals.includes('all')) {
      return {
        source: 'cloud',
        note: `${cloud.name} reports image ${image.resourceUid} as launchable by every account`,
        image: { ...image, visibility: 'public' },
        refresh: null,
      };
    }
    const mapped = await accountsByPrincipal(ctx.db, cloud.cloudType, principals);
    const { accountIds: launchPermissions, unknownPrincipals } = accountsOfPrincipals(principals, mapped, {
      owner: image.ownerAccountId ?? undefined,
      ownerPrincipal: image.ownerPrincipal ?? undefined,
    });
    const differs =
      !sameSet(launchPermissions, image.launchPermissions) ||
      !sameSet(unknownPrincipals, image.unknownPrincipals);
    return {
      source: 'cloud',
      note: differs ? `the catalog's copy of the launch permissions was out of date and is refreshed` : null,
      image: { ...image, launchPermissions, unknownPrincipals },
      refresh: differs ? { launchPermissions, unknownPrincipals } : null,
    };
  }
  return catalogCopy(
    image,
    fallbackNote(
      unreadable
        ? `the credentials to ask ${cloud.name} with cannot be read (${unreadable})`
        : `neither the image's owner account nor the publisher has ${cloud.cloudType} credentials`,
    ),
  );
}

/**
 * R-GRP-2 with the cloud: the launch permissions of each private image (public ones keep the
 * catalog's facts), asked of the clouds concurrently, keyed by image id.
 */
export async function readLiveGrants(
  ctx: AppContext,
  images: readonly Image[],
  publisherAccountId: string,
): Promise<Map<string, LiveGrant>> {
  const privates = [
    ...new Map(images.filter((i) => i.visibility === 'private').map((i) => [i.id, i])).values(),
  ];
  const clouds = new Map<string, Cloud | undefined>();
  for (const cloudId of new Set(privates.map((i) => i.cloudId))) {
    clouds.set(cloudId, await catalogRepository.findCloud(ctx.db, cloudId));
  }
  const grants = await Promise.all(
    privates.map((image) => grantOf(ctx, image, clouds.get(image.cloudId), publisherAccountId)),
  );
  return new Map(grants.map((g) => [g.image.id, g]));
}

/** Writes the cloud's launch permissions over out-of-date catalog copies, audited for the owner. */
export async function refreshCatalogCopies(uow: UnitOfWork, grants: Iterable<LiveGrant>): Promise<void> {
  for (const grant of grants) {
    if (!grant.refresh) continue;
    await catalogRepository.updateImage(uow.tx, grant.image.id, grant.refresh);
    uow.audit({
      accountId: grant.image.ownerAccountId,
      action: 'image.launch_permissions.refresh',
      targetType: 'image',
      targetId: grant.image.id,
      summary:
        `launch permissions of image ${grant.image.resourceUid} refreshed from the cloud: ` +
        `accounts [${grant.refresh.launchPermissions.join(', ')}]` +
        (grant.refresh.unknownPrincipals.length
          ? `, unknown principals [${grant.refresh.unknownPrincipals.join(', ')}]`
          : ''),
    });
  }
}
