import { sql, type SQL } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** Key/value facts about the installation itself (e.g. whether the demo seed ran). */
export const installation = pgTable('installation', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
});

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash'),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('accounts_name_key').on(t.name)],
);

export const memberships = pgTable(
  'memberships',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roles: text('roles').array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    /** When the token last authenticated, kept to the minute (written at most once a minute). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Failed sign-ins and unknown API tokens per key (`email:<address>`, `ip:<address>`,
 * `token-ip:<address>`), shared by every server process: the counters of the throttle.
 */
export const authThrottle = pgTable('auth_throttle', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
  failures: integer('failures').notNull(),
  blockedUntil: timestamp('blocked_until', { withTimezone: true, mode: 'date' }),
  /** How many blocks in a row the key earned: each doubles the next one. */
  lockouts: integer('lockouts').notNull().default(0),
});

/** An invitation of an email address to join an account with roles; membership exists once accepted. */
export const memberInvitations = pgTable(
  'member_invitations',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    roles: text('roles').array().notNull(),
    invitedBy: text('invited_by'),
    state: text('state').notNull().default('pending'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    // One open invitation per address and account.
    uniqueIndex('member_invitations_pending_key')
      .on(t.accountId, sql`lower(${t.email})`)
      .where(sql`${t.state} = 'pending'`),
    index('member_invitations_email_idx').on(sql`lower(${t.email})`),
    check(
      'member_invitations_state_check',
      sql`${t.state} in ('pending', 'accepted', 'declined', 'cancelled', 'expired')`,
    ),
  ],
);

export const clouds = pgTable(
  'clouds',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    cloudType: text('cloud_type').notNull(),
    region: text('region').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('clouds_name_key').on(t.name)],
);

/** Joins an image's name and resource uid for text search; no term without it matches across. */
export const SEARCH_TEXT_SEPARATOR = '\u001f';

/** The text `q` searches, as the trigram index on images has it (`chr(31)` = the separator). */
export function imageSearchText(t: { name: AnyPgColumn; resourceUid: AnyPgColumn }): SQL {
  return sql`(${t.name} || chr(31) || ${t.resourceUid})`;
}

export const images = pgTable(
  'images',
  {
    id: text('id').primaryKey(),
    cloudId: text('cloud_id')
      .notNull()
      .references(() => clouds.id),
    resourceUid: text('resource_uid').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    osFamily: text('os_family').notNull().default(''),
    osVersion: text('os_version').notNull().default(''),
    cpuArchitecture: text('cpu_architecture').notNull(),
    virtualizationType: text('virtualization_type').notNull().default(''),
    rootDeviceType: text('root_device_type').notNull().default(''),
    visibility: text('visibility').notNull(),
    ownerAccountId: text('owner_account_id').references(() => accounts.id),
    launchPermissions: text('launch_permissions')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    state: text('state').notNull().default('available'),
    deprecatedAt: timestamp('deprecated_at', { withTimezone: true, mode: 'date' }),
    replacementImageId: text('replacement_image_id'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('images_cloud_resource_uid_key').on(t.cloudId, t.resourceUid),
    // Keyset pagination walks this index in order: (cloud, name, id).
    index('images_cloud_name_id_idx').on(t.cloudId, t.name, t.id),
    // Filtered lists walk these instead of skipping non-matching rows of the name index.
    index('images_cloud_os_name_id_idx').on(t.cloudId, t.osFamily, t.name, t.id),
    index('images_cloud_arch_name_id_idx').on(t.cloudId, t.cpuArchitecture, t.name, t.id),
    index('images_cloud_state_name_id_idx').on(t.cloudId, t.state, t.name, t.id),
    index('images_cloud_visibility_name_id_idx').on(t.cloudId, t.visibility, t.name, t.id),
    index('images_owner_idx').on(t.ownerAccountId),
    index('images_launch_permissions_idx').using('gin', t.launchPermissions),
    // Text search `q` (catalogRepository.listImages): trigrams of name and resource uid, per cloud
    // (btree_gin puts cloud_id in the same index). The expression must stay `imageSearchText`.
    index('images_cloud_search_trgm_idx').using(
      'gin',
      t.cloudId,
      sql`(${t.name} || chr(31) || ${t.resourceUid}) gin_trgm_ops`,
    ),
    check('images_visibility_check', sql`${t.visibility} in ('public', 'private')`),
    check('images_state_check', sql`${t.state} in ('available', 'deprecated', 'unavailable')`),
    check('images_private_owner_check', sql`${t.visibility} = 'public' or ${t.ownerAccountId} is not null`),
  ],
);

export const instanceTypes = pgTable(
  'instance_types',
  {
    id: text('id').primaryKey(),
    cloudId: text('cloud_id')
      .notNull()
      .references(() => clouds.id),
    resourceUid: text('resource_uid').notNull(),
    name: text('name').notNull(),
    cpuCount: integer('cpu_count').notNull(),
    memoryMb: integer('memory_mb').notNull(),
    cpuArchitectures: text('cpu_architectures').array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('instance_types_cloud_resource_uid_key').on(t.cloudId, t.resourceUid),
    index('instance_types_cloud_name_id_idx').on(t.cloudId, t.name, t.id),
  ],
);

export const auditEntries = pgTable(
  'audit_entries',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    accountId: text('account_id'),
    userId: text('user_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    summary: text('summary').notNull(),
  },
  (t) => [
    uniqueIndex('audit_entries_id_key').on(t.id),
    index('audit_entries_account_seq_idx').on(t.accountId, t.seq),
  ],
);

const revisionColumns = () => ({
  id: text('id').primaryKey(),
  revision: integer('revision').notNull(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  tags: text('tags')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  commitMessage: text('commit_message'),
  committedBy: text('committed_by'),
  committedAt: timestamp('committed_at', { withTimezone: true, mode: 'date' }),
  baseRevision: integer('base_revision'),
  // Provenance ids are kept even if the source is later deleted: no foreign keys.
  clonedFrom: text('cloned_from'),
  importedFrom: text('imported_from'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Bumped on every HEAD edit; the ETag of a read. */
  version: integer('version').notNull().default(1),
});

/**
 * A lineage of one revisioned kind (MCI, ServerTemplate, …): its owner and the last committed
 * number, the commit counter (R-MCI-5). Every kind has its own table of this shape.
 */
function lineageTable(name: string) {
  return pgTable(name, {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    lastRevision: integer('last_revision').notNull().default(0),
    createdAt: createdAt(),
  });
}
export type LineageTable = ReturnType<typeof lineageTable>;

/** The revisions (HEAD = 0, committed 1..n) of one revisioned kind, each its own row. */
function revisionTable(name: string, lineages: LineageTable) {
  return pgTable(
    name,
    {
      ...revisionColumns(),
      lineageId: text('lineage_id')
        .notNull()
        .references(() => lineages.id, { onDelete: 'cascade' }),
    },
    (t) => [
      uniqueIndex(`${name}_lineage_revision_key`).on(t.lineageId, t.revision),
      index(`${name}_account_name_id_idx`).on(t.accountId, t.name, t.id),
    ],
  );
}
export type RevisionTable = ReturnType<typeof revisionTable>;

export const mciLineages = lineageTable('mci_lineages');
export const mcis = revisionTable('mcis', mciLineages);

export const mciSettings = pgTable(
  'mci_settings',
  {
    mciId: text('mci_id')
      .notNull()
      .references(() => mcis.id, { onDelete: 'cascade' }),
    cloudId: text('cloud_id')
      .notNull()
      .references(() => clouds.id),
    imageId: text('image_id')
      .notNull()
      .references(() => images.id),
    instanceTypeId: text('instance_type_id')
      .notNull()
      .references(() => instanceTypes.id),
    userData: text('user_data'),
  },
  // R-MCI-1: the key makes a second setting for one cloud impossible.
  (t) => [primaryKey({ columns: [t.mciId, t.cloudId] }), index('mci_settings_image_idx').on(t.imageId)],
);

export const templateLineages = lineageTable('server_template_lineages');
export const serverTemplates = revisionTable('server_templates', templateLineages);

export const templateLinks = pgTable(
  'server_template_mci_links',
  {
    id: text('id').primaryKey(),
    templateId: text('template_id')
      .notNull()
      .references(() => serverTemplates.id, { onDelete: 'cascade' }),
    // Restrict: an MCI revision cannot vanish under a template (R-MCI-7 refuses first, with a list).
    mciId: text('mci_id')
      .notNull()
      .references(() => mcis.id, { onDelete: 'restrict' }),
    mciLineageId: text('mci_lineage_id').notNull(),
    isDefault: boolean('is_default').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [
    // R-ST-1: at most one revision of an MCI lineage per template revision.
    uniqueIndex('template_links_template_lineage_key').on(t.templateId, t.mciLineageId),
    // R-ST-2: at most one default link per template revision.
    uniqueIndex('template_links_one_default_key')
      .on(t.templateId)
      .where(sql`${t.isDefault}`),
    index('template_links_mci_idx').on(t.mciId),
    index('template_links_lineage_idx').on(t.mciLineageId),
  ],
);

export const deployments = pgTable(
  'deployments',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('deployments_account_name_key').on(t.accountId, t.name)],
);

export const servers = pgTable(
  'servers',
  {
    id: text('id').primaryKey(),
    deploymentId: text('deployment_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    cloudId: text('cloud_id')
      .notNull()
      .references(() => clouds.id),
    // Pinned at creation (R-SRV-4): kept as ids even if the template or MCI is later deleted.
    serverTemplateId: text('server_template_id').notNull(),
    mciId: text('mci_id').notNull(),
    imageId: text('image_id')
      .notNull()
      .references(() => images.id),
    instanceTypeId: text('instance_type_id')
      .notNull()
      .references(() => instanceTypes.id),
    userData: text('user_data'),
    inheritedMci: text('inherited_mci').notNull(),
    inheritedImage: text('inherited_image').notNull(),
    inheritedInstanceType: text('inherited_instance_type').notNull(),
    state: text('state').notNull().default('inactive'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('servers_deployment_name_id_idx').on(t.deploymentId, t.name, t.id),
    index('servers_mci_idx').on(t.mciId),
    index('servers_template_idx').on(t.serverTemplateId),
  ],
);

export const accountGroups = pgTable(
  'account_groups',
  {
    id: text('id').primaryKey(),
    ownerAccountId: text('owner_account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('account_groups_owner_name_key').on(t.ownerAccountId, t.name)],
);

export const groupMembers = pgTable(
  'account_group_members',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => accountGroups.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    joinedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.accountId] }),
    index('group_members_account_idx').on(t.accountId),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => accountGroups.id, { onDelete: 'cascade' }),
    inviteeAccountId: text('invitee_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    // The code is a bearer secret: only its SHA-256 is kept.
    codeHash: text('code_hash').notNull(),
    state: text('state').notNull().default('pending'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('invitations_code_hash_key').on(t.codeHash),
    index('invitations_group_idx').on(t.groupId),
    index('invitations_invitee_idx').on(t.inviteeAccountId),
  ],
);

export const publications = pgTable(
  'publications',
  {
    id: text('id').primaryKey(),
    publisherAccountId: text('publisher_account_id')
      .notNull()
      .references(() => accounts.id),
    kind: text('kind').notNull(),
    // R-PUB-1: each revision is published once.
    sourceId: text('source_id').notNull(),
    lineageId: text('lineage_id').notNull(),
    revision: integer('revision').notNull(),
    name: text('name').notNull(),
    shortDescription: text('short_description').notNull(),
    longDescription: text('long_description').notNull().default(''),
    revisionNotes: text('revision_notes').notNull().default(''),
    categories: text('categories')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    visibility: text('visibility').notNull(),
    groupIds: text('group_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Clouds the published revision supports, for search by cloud. */
    cloudIds: text('cloud_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Templates: the publications of the MCI revisions they link. */
    linkedPublicationIds: text('linked_publication_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    state: text('state').notNull().default('active'),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }).notNull(),
    publishedBy: text('published_by').notNull(),
  },
  (t) => [
    uniqueIndex('publications_source_key').on(t.sourceId),
    index('publications_lineage_revision_idx').on(t.lineageId, t.revision),
    index('publications_name_id_idx').on(t.name, t.id),
    index('publications_publisher_idx').on(t.publisherAccountId),
  ],
);

/** Per importing account, the local lineage that collects imports of one published lineage (R-IMP-1). */
export const importLineages = pgTable(
  'import_lineages',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    sourceLineageId: text('source_lineage_id').notNull(),
    kind: text('kind').notNull(),
    localLineageId: text('local_lineage_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.sourceLineageId] })],
);
