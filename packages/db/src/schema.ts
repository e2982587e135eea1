import { sql } from 'drizzle-orm';
import {
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
    index('images_owner_idx').on(t.ownerAccountId),
    index('images_launch_permissions_idx').using('gin', t.launchPermissions),
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
