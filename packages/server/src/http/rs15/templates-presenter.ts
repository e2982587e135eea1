/**
 * ServerTemplates, their MCI links, publications and account groups as API 1.5 media types
 * (R-RS): the attributes of rsc's Go structs (`ServerTemplate`, `ServerTemplateMultiCloudImage`,
 * `Publication`, `AccountGroup`) that the service can fill truthfully, with `links` and the
 * contextual `actions` the caller may take now (from core's `revisionActions`).
 */
import { isAllowed, revisionActions, type Principal } from '@mci/core';
import type { GroupRecord, LinkView, PublicationRecord, TemplateRecord } from '@mci/db';
import { actionsOf, hrefs, linksOf, rubyTime } from './wire.ts';

/**
 * A template lineage as API 1.5 names it: a stable string, not a working URL (api_data.json:
 * "simply a string and not a working URL"), under the owning account's number.
 */
export const lineageOf = (ownerNumber: number | undefined, lineageId: string) =>
  `/api/acct/${ownerNumber ?? 0}/server_template_lineages/${lineageId}`;

/** The lineage id inside a lineage string (for `filter[]=lineage==…`), if it has that shape. */
export function lineageIdOf(lineage: string): string | undefined {
  return /\/server_template_lineages\/([^/?#]+)$/.exec(lineage)?.[1];
}

export const templateMcisHref = (templateId: string) =>
  `${hrefs.serverTemplate(templateId)}/multi_cloud_images`;

export type TemplateView = 'default' | 'inputs' | 'inputs_2_0';
export const TEMPLATE_VIEWS: readonly TemplateView[] = ['default', 'inputs', 'inputs_2_0'];

export interface Viewer {
  principal: Principal;
  accountId: string;
}

/** A template revision: name, description, revision (int), lineage, links and actions. */
export function presentTemplate(
  t: TemplateRecord,
  viewer: Viewer,
  ownerNumber: number | undefined,
  view: TemplateView = 'default',
) {
  const defaultLink = t.links.find((l) => l.isDefault);
  const allowed = revisionActions(viewer.principal, viewer.accountId, 'server_template', t);
  return {
    name: t.name,
    description: t.description,
    revision: t.revision,
    lineage: lineageOf(ownerNumber, t.lineageId),
    // The service has no inputs (no RightScripts); the input views say so with an empty list.
    inputs: view === 'default' ? undefined : [],
    links: linksOf(hrefs.serverTemplate(t.id), {
      multi_cloud_images: templateMcisHref(t.id),
      default_multi_cloud_image: defaultLink && hrefs.mci(defaultLink.mciId),
      publication: t.importedFrom && hrefs.publication(t.importedFrom),
      // Always empty here (no RightScripts, no alerts), linked as API 1.5 does for clients that follow them.
      inputs: `${hrefs.serverTemplate(t.id)}/inputs`,
      runnable_bindings: `${hrefs.serverTemplate(t.id)}/runnable_bindings`,
      alert_specs: `${hrefs.serverTemplate(t.id)}/alert_specs`,
    }),
    actions: actionsOf([
      allowed.includes('commit') && 'commit',
      allowed.includes('clone') && 'clone',
      allowed.includes('publish') && 'publish',
    ]),
  };
}

/** A link between a template revision and an MCI revision (`is_default` a bool). */
export function presentTemplateMci(t: TemplateRecord, link: LinkView, viewer: Viewer) {
  const editable = revisionActions(viewer.principal, viewer.accountId, 'server_template', t).includes('edit');
  return {
    is_default: link.isDefault,
    links: linksOf(hrefs.serverTemplateMci(link.id), {
      server_template: hrefs.serverTemplate(t.id),
      multi_cloud_image: hrefs.mci(link.mciId),
    }),
    actions: actionsOf([editable && !link.isDefault && 'make_default']),
  };
}

export const contentTypeOf = (kind: PublicationRecord['kind']) =>
  kind === 'mci' ? 'MultiCloudImage' : 'ServerTemplate';

/**
 * A publication as the marketplace shows it to the caller's account. `description` is the short
 * description (the long one has no attribute in API 1.5's media type); `commit_message` is left
 * out (rsc decodes it as an object the service has no equivalent of), and so is `updated_at`
 * (a publication records when it was published only).
 */
export function presentPublication(pub: PublicationRecord & { publisherName: string }, viewer: Viewer) {
  return {
    name: pub.name,
    description: pub.shortDescription,
    revision: pub.revision,
    content_type: contentTypeOf(pub.kind),
    revision_notes: pub.revisionNotes,
    publisher: pub.publisherName,
    created_at: rubyTime(pub.publishedAt),
    links: linksOf(hrefs.publication(pub.id)),
    // R-IMP-3: a deprecated publication is imported only along with a template.
    actions: actionsOf([
      pub.state === 'active' && isAllowed(viewer.principal, viewer.accountId, 'import.create') && 'import',
    ]),
  };
}

/** An account group (the owner's or one the account is a member of). */
export function presentAccountGroup(g: GroupRecord, ownerNumber: number | undefined) {
  return {
    name: g.name,
    description: g.description,
    created_at: rubyTime(g.createdAt),
    links: linksOf(hrefs.accountGroup(g.id), {
      account: ownerNumber === undefined ? undefined : hrefs.account(ownerNumber),
    }),
    actions: [],
  };
}
