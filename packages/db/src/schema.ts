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
    /**
     * The account's number in RightScale's API 1.5 (`X-Account: n`, `/api/accounts/n`): small,
     * stable, given once in creation order (R-RS).
     */
    rsNumber: integer('rs_number').notNull().generatedByDefaultAsIdentity(),
  },
  (t) => [uniqueIndex('accounts_name_key').on(t.name), uniqueIndex('accounts_rs_number_key').on(t.rsNumber)],
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
    /** How the service talks to the cloud (R-CLD): `simulated`, `aws`, or `none` (catalog by hand). */
    driver: text('driver').notNull().default('none'),
    /** R-CLD-3: owners listed by a sync (e.g. `amazon`, `self`, account ids); empty → no public listing. */
    syncOwners: text('sync_owners')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** R-CLD-3: image name filters (`al2023-ami-*`); empty → every name. */
    syncNameFilters: text('sync_name_filters')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Scheduled sync every so many seconds; null → only on request. */
    syncIntervalSeconds: integer('sync_interval_seconds'),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('clouds_name_key').on(t.name),
    check('clouds_driver_check', sql`${t.driver} in ('none', 'simulated', 'aws')`),
  ],
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
    /** Why the image is unavailable (`deregistered`, …) and since when; null while it is usable. */
    unavailableReason: text('unavailable_reason'),
    unavailableAt: timestamp('unavailable_at', { withTimezone: true, mode: 'date' }),
    /**
     * Which sync listing keeps this row (R-CLD-3): `cloud` for the cloud's own owners and filters,
     * `account:<id>` for an account's private listing; null for images registered by hand, which no
     * sync retires.
     */
    syncScope: text('sync_scope'),
    /** The cloud principal that owns the image (an AWS account id), as the cloud reported it. */
    ownerPrincipal: text('owner_principal'),
    /** R-CLD-4: launch-permission principals the cloud reported that no account is known by. */
    unknownPrincipals: text('unknown_principals')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
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
    index('images_cloud_sync_scope_idx').on(t.cloudId, t.syncScope),
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
    /** Why the server is in its state when the cloud said so (e.g. the instance vanished: R-LCH-3). */
    stateReason: text('state_reason'),
    stateChangedAt: timestamp('state_changed_at', { withTimezone: true, mode: 'date' }),
    /** R-LCH-1: the provider's instance of the current (or last) launch. */
    providerInstanceId: text('provider_instance_id'),
    launchedAt: timestamp('launched_at', { withTimezone: true, mode: 'date' }),
    /** Bumped per launch: with the server id it makes the cloud's idempotency token of the launch. */
    launchCount: integer('launch_count').notNull().default(0),
    /** R-LCH-4: what the running instance was launched with ("current"); null while nothing runs. */
    runningImageId: text('running_image_id'),
    runningInstanceTypeId: text('running_instance_type_id'),
    runningUserData: text('running_user_data'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('servers_deployment_name_id_idx').on(t.deploymentId, t.name, t.id),
    index('servers_image_idx').on(t.imageId),
    // R-CLD-5: the servers running an image (impact), beside those whose next launch uses it.
    index('servers_running_image_idx').on(t.runningImageId),
    index('servers_cloud_state_idx').on(t.cloudId, t.state),
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

/**
 * R-CLD-1/2: an account's credentials for one cloud type, encrypted at rest (AES-256-GCM with
 * SECRET_KEY; `secret` holds iv, tag and ciphertext). Never returned: reads show the fingerprint.
 */
export const cloudCredentials = pgTable(
  'cloud_credentials',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    cloudType: text('cloud_type').notNull(),
    /** The encrypted secret document (JSON of the cloud type's fields), base64 `v1.<iv>.<tag>.<data>`. */
    secret: text('secret').notNull(),
    /** A short hash of the key id and secret, so a rotation can be told apart without showing them. */
    fingerprint: text('fingerprint').notNull(),
    /** Shown as given (not secret): e.g. the AWS access key id's last 4, endpoint override, role. */
    accessKeyHint: text('access_key_hint').notNull().default(''),
    endpoint: text('endpoint'),
    roleArn: text('role_arn'),
    /** R-CLD-2: the principal the cloud knows the account by (AWS account id). */
    principal: text('principal'),
    /** R-CLD-4: owners and name filters of the account's own listing (default owners `self`). */
    syncOwners: text('sync_owners')
      .array()
      .notNull()
      .default(sql`'{self}'::text[]`),
    syncNameFilters: text('sync_name_filters')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true, mode: 'date' }),
    createdBy: text('created_by'),
  },
  (t) => [
    uniqueIndex('cloud_credentials_account_type_key').on(t.accountId, t.cloudType),
    index('cloud_credentials_type_principal_idx').on(t.cloudType, t.principal),
  ],
);

/**
 * R-JOB-1/2: durable jobs in the same database. A worker claims a queued (or lease-expired running)
 * job with `FOR UPDATE SKIP LOCKED`, holds a lease it renews, and commits progress with each batch
 * (`checkpoint`), so a job taken over after a crash resumes where the last batch ended.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    /** `cloud_sync` | `reconcile` */
    kind: text('kind').notNull(),
    state: text('state').notNull().default('queued'),
    accountId: text('account_id').references(() => accounts.id),
    cloudId: text('cloud_id').references(() => clouds.id),
    params: jsonb('params')
      .notNull()
      .default(sql`'{}'::jsonb`),
    checkpoint: jsonb('checkpoint'),
    result: jsonb('result'),
    progressDone: integer('progress_done').notNull().default(0),
    progressTotal: integer('progress_total'),
    /** What the job is doing now, in a few words (`listing images`, `page 3`…). */
    phase: text('phase').notNull().default(''),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    runAfter: timestamp('run_after', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    // The claim query walks only what can run.
    index('jobs_runnable_idx')
      .on(t.runAfter)
      .where(sql`${t.state} in ('queued', 'running')`),
    index('jobs_account_created_idx').on(t.accountId, t.createdAt, t.id),
    index('jobs_cloud_created_idx').on(t.cloudId, t.createdAt, t.id),
    // R-CLD-3: at most one sync of a cloud queued or running.
    uniqueIndex('jobs_one_active_sync_key')
      .on(t.cloudId)
      .where(sql`${t.kind} = 'cloud_sync' and ${t.state} in ('queued', 'running')`),
    check('jobs_state_check', sql`${t.state} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`),
  ],
);

/**
 * R-JOB-2: the resource uids one sync job has seen in one listing scope, written with each batch so
 * that a resumed job still knows what vanished. Deleted when the job finishes.
 */
export const syncSeen = pgTable(
  'sync_seen',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    resourceUid: text('resource_uid').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.scope, t.resourceUid] })],
);

/**
 * R-CLD-5: an image's change to `deprecated` or `unavailable` (by a sync, a launch, or by hand),
 * with its blast radius at that moment: the MCI revisions, template revisions, servers and
 * publications that referenced it (`impact`, JSON; read filtered by what the reader may see).
 */
export const imageChanges = pgTable(
  'image_changes',
  {
    id: text('id').primaryKey(),
    imageId: text('image_id')
      .notNull()
      .references(() => images.id),
    cloudId: text('cloud_id')
      .notNull()
      .references(() => clouds.id),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    reason: text('reason').notNull().default(''),
    jobId: text('job_id'),
    impact: jsonb('impact').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('image_changes_image_at_idx').on(t.imageId, t.at),
    index('image_changes_cloud_at_idx').on(t.cloudId, t.at),
  ],
);

/**
 * R-RS: API 1.5 access tokens from `POST /api/oauth2` (refresh-token grant; the refresh token is
 * one of the user's API tokens). Stored as SHA-256; they die with the API token they came from.
 */
export const rsAccessTokens = pgTable(
  'rs_access_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    apiTokenId: text('api_token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('rs_access_tokens_expires_idx').on(t.expiresAt)],
);

/**
 * R-RS: API 1.5 tags (`namespace:predicate=value`) an account puts on its resources, keyed by the
 * resource's API 1.5 href (`/api/multi_cloud_images/mci_…`). A resource's tags go with it.
 */
export const rsTags = pgTable(
  'rs_tags',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    resourceHref: text('resource_href').notNull(),
    tag: text('tag').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.resourceHref, t.tag] }),
    index('rs_tags_tag_idx').on(t.accountId, t.tag),
  ],
);
