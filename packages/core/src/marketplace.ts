import { imageUnusableReason, type Image } from './catalog.ts';
import { ConflictError, InputError } from './errors.ts';
import type { RevisionFields } from './mci.ts';

export const PUBLICATION_KINDS = ['mci', 'server_template'] as const;
export type PublicationKind = (typeof PUBLICATION_KINDS)[number];
export const PUBLICATION_VISIBILITIES = ['public', 'groups'] as const;
export type PublicationVisibility = (typeof PUBLICATION_VISIBILITIES)[number];
export const PUBLICATION_STATES = ['active', 'deprecated'] as const;
export type PublicationState = (typeof PUBLICATION_STATES)[number];
export const INVITATION_STATES = ['pending', 'accepted', 'cancelled', 'expired'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

/** R-GRP-1: invitations expire after six days. */
export const INVITATION_TTL_MS = 6 * 24 * 3600_000;

export interface Publication {
  id: string;
  publisherAccountId: string;
  kind: PublicationKind;
  sourceId: string;
  lineageId: string;
  revision: number;
  name: string;
  shortDescription: string;
  longDescription: string;
  revisionNotes: string;
  categories: string[];
  visibility: PublicationVisibility;
  groupIds: string[];
  cloudIds: string[];
  linkedPublicationIds: string[];
  state: PublicationState;
  publishedAt: string;
}

/**
 * R-PUB-1: only committed revisions the account created or cloned can be published.
 * @rule R-PUB-1
 */
export function assertPublishable(
  rev: Pick<RevisionFields, 'id' | 'revision' | 'importedFrom'>,
  kind: string,
): void {
  if (rev.revision === 0) {
    throw new InputError('not_committed', `${kind} ${rev.id} is a HEAD; publish a committed revision`, {
      errors: [{ path: 'sourceId', message: 'must be a committed revision' }],
    });
  }
  if (rev.importedFrom) {
    throw new InputError(
      'imported_revision',
      `${kind} ${rev.id} was imported from publication ${rev.importedFrom}; only revisions you created or cloned can be published`,
      {
        errors: [{ path: 'sourceId', message: 'imported revisions cannot be published' }],
      },
    );
  }
}

/**
 * R-PUB-2: a template that links HEAD MCIs cannot be published (422 listing them).
 * @rule R-PUB-2
 */
export function assertNoHeadLinks(
  links: readonly { mciId: string; mciName: string; mciRevision: number }[],
): void {
  const heads = links.filter((l) => l.mciRevision === 0);
  if (heads.length > 0) {
    throw new InputError(
      'links_head_mci',
      `The template links HEAD MCIs, which can still change: ${heads.map((l) => `"${l.mciName}" (${l.mciId})`).join(', ')}; commit them and re-point the links first`,
      { details: { headMcis: heads.map((l) => ({ mciId: l.mciId, name: l.mciName })) } },
    );
  }
}

/**
 * R-PUB-3: who sees a publication: public ones everyone, `groups` ones the groups' members (and the publisher).
 * @rule R-PUB-3
 */
export function canSeePublication(
  pub: Pick<Publication, 'publisherAccountId' | 'visibility' | 'groupIds'>,
  accountId: string,
  memberOfGroups: ReadonlySet<string>,
): boolean {
  if (pub.publisherAccountId === accountId || pub.visibility === 'public') return true;
  return pub.groupIds.some((g) => memberOfGroups.has(g));
}

/**
 * R-PUB-3: per published lineage, only the newest active revision.
 * @rule R-PUB-3
 */
export function newestActivePerLineage<P extends Pick<Publication, 'lineageId' | 'revision' | 'state'>>(
  pubs: readonly P[],
): P[] {
  const best = new Map<string, P>();
  for (const p of pubs) {
    if (p.state !== 'active') continue;
    const cur = best.get(p.lineageId);
    if (!cur || p.revision > cur.revision) best.set(p.lineageId, p);
  }
  return [...best.values()];
}

/**
 * R-IMP-3: a deprecated publication comes only with a template that links it.
 * @rule R-IMP-3
 */
export function assertImportable(pub: Pick<Publication, 'id' | 'state' | 'name'>): void {
  if (pub.state === 'deprecated') {
    throw new ConflictError(
      'publication_deprecated',
      `Publication "${pub.name}" (${pub.id}) is deprecated and cannot be imported on its own; import a newer revision`,
    );
  }
}

/**
 * R-GRP-1: an invitation's effective state at `now` (pending ones expire after six days).
 * @rule R-GRP-1
 */
export function invitationStateAt(
  inv: { state: InvitationState; expiresAt: string },
  now: Date,
): InvitationState {
  return inv.state === 'pending' && Date.parse(inv.expiresAt) <= now.getTime() ? 'expired' : inv.state;
}

export type PreflightReason = 'private_not_shared' | 'unavailable' | 'deprecated';

export interface PreflightImage {
  image: Pick<
    Image,
    | 'id'
    | 'resourceUid'
    | 'name'
    | 'cloudId'
    | 'visibility'
    | 'ownerAccountId'
    | 'launchPermissions'
    | 'state'
  >;
  cloudName: string;
  /** The MCI revisions that reference the image. */
  mciIds: string[];
}

export interface PreflightCell {
  imageId: string;
  cloudId: string;
  accountId: string;
  usable: boolean;
  reason: PreflightReason | null;
}

export interface Preflight {
  visibility: PublicationVisibility;
  receivingAccountIds: string[];
  cells: PreflightCell[];
  warnings: { code: string; message: string; imageId?: string; accountId?: string; cloudId?: string }[];
  /** Cells (or, for public publishing, private images) that would fail at launch. */
  gaps: number;
}

/**
 * R-GRP-2: for every referenced image and every receiving account, whether that account can
 * launch it and why not. Public publishing has no known receivers: every private image is a
 * warning (and a gap, for `strict`). Deprecated images are usable but warned about.
 * @rule R-GRP-2
 */
export function preflight(
  visibility: PublicationVisibility,
  images: readonly PreflightImage[],
  receivingAccountIds: readonly string[],
): Preflight {
  const cells: PreflightCell[] = [];
  const warnings: Preflight['warnings'] = [];
  let gaps = 0;
  const sorted = [...images].sort(
    (a, b) =>
      a.cloudName.localeCompare(b.cloudName) || a.image.resourceUid.localeCompare(b.image.resourceUid),
  );
  for (const { image, cloudName } of sorted) {
    if (visibility === 'public' && image.visibility === 'private') {
      gaps++;
      warnings.push({
        code: 'private_image_public_publication',
        message: `image ${image.resourceUid} in ${cloudName} is private to account ${image.ownerAccountId}: other accounts cannot launch it`,
        imageId: image.id,
        cloudId: image.cloudId,
      });
    }
    if (visibility === 'public' && image.state === 'unavailable') {
      gaps++;
      warnings.push({
        code: 'unavailable_image',
        message: `image ${image.resourceUid} in ${cloudName} is unavailable`,
        imageId: image.id,
        cloudId: image.cloudId,
      });
    }
    for (const accountId of receivingAccountIds) {
      const reason = imageUnusableReason(image, accountId);
      const cell: PreflightCell = {
        imageId: image.id,
        cloudId: image.cloudId,
        accountId,
        usable: reason === null,
        reason: reason ?? (image.state === 'deprecated' ? 'deprecated' : null),
      };
      if (!cell.usable) gaps++;
      cells.push(cell);
    }
  }
  return { visibility, receivingAccountIds: [...receivingAccountIds], cells, warnings, gaps };
}

/** R-IMP-1/2: what importing one published revision into an account does. */
export type ImportPlan =
  | { created: false; id: string }
  | {
      created: true;
      /** The copy keeps the published revision number and names the publication it came from. */
      revision: number;
      importedFrom: string;
      /** The local lineage collecting this account's imports of the published lineage; null: create it. */
      lineageId: string | null;
    };

/**
 * R-IMP-1/2 (and R-IMP-3): importing a publication the account already imported returns that
 * copy (`created: false`, 200, not 201); otherwise the published revision is copied read-only
 * with its revision number into the local lineage shared by earlier imports of the same
 * published lineage (a new one for the first). On its own a deprecated publication is refused;
 * `along` (it comes with a template that links it) lets it through.
 * @rule R-IMP-1
 * @rule R-IMP-2
 */
export function planImport(
  pub: Pick<Publication, 'id' | 'name' | 'state' | 'revision'>,
  account: { existingCopyId: string | null; localLineageId: string | null },
  along = false,
): ImportPlan {
  if (account.existingCopyId) return { created: false, id: account.existingCopyId };
  if (!along) assertImportable(pub);
  return { created: true, revision: pub.revision, importedFrom: pub.id, lineageId: account.localLineageId };
}

/** A link of the published template copy: which linked publication's copy it names. */
export interface ImportedLink {
  publicationId: string;
  isDefault: boolean;
  position: number;
}

/**
 * R-IMP-2: importing a template imports the MCI revisions it links (its linked publications)
 * unless the account already has that published revision, in which case the existing copy is
 * linked. Each source link is matched to its publication by the MCI revision it names, or, when
 * the publisher linked an MCI it had imported itself, by the publication that MCI came from.
 * @rule R-IMP-2
 */
export function planTemplateImport<P extends Pick<Publication, 'id' | 'sourceId'>>(input: {
  sourceLinks: readonly { mciId: string; isDefault: boolean; position: number }[];
  sourceMcis: readonly { id: string; importedFrom: string | null }[];
  linkedPublications: readonly P[];
  /** Publication id → the account's existing copy of it. */
  existingCopies: ReadonlyMap<string, string>;
}): { copy: P[]; reuse: { publication: P; copyId: string }[]; links: ImportedLink[] } {
  const copy = input.linkedPublications.filter((p) => !input.existingCopies.has(p.id));
  const reuse = input.linkedPublications
    .filter((p) => input.existingCopies.has(p.id))
    .map((publication) => ({ publication, copyId: input.existingCopies.get(publication.id)! }));
  const links = input.sourceLinks.map((l) => {
    const mci = input.sourceMcis.find((m) => m.id === l.mciId);
    const pub = input.linkedPublications.find(
      (p) => p.sourceId === l.mciId || (mci?.importedFrom != null && p.id === mci.importedFrom),
    );
    if (!pub)
      throw new Error(`published template links MCI ${l.mciId}, which none of its publications names`);
    return { publicationId: pub.id, isDefault: l.isDefault, position: l.position };
  });
  return { copy, reuse, links };
}
