import { LIMITS, ROLES } from '@mci/core';
import { z } from 'zod';
import {
  descriptionField,
  distinct,
  idParam,
  nameField,
  pageOf,
  pageQuery,
} from '../../http/common.schema.ts';

export const roleSchema = z.enum(ROLES);

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    isSuperuser: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

export const accountSchema = z
  .object({ id: z.string(), name: z.string(), description: z.string(), createdAt: z.string() })
  .meta({ id: 'Account' });

export const memberSchema = z
  .object({
    accountId: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    roles: z.array(roleSchema),
  })
  .meta({ id: 'Member' });

export const meSchema = z
  .object({
    user: userSchema,
    accounts: z.array(z.object({ id: z.string(), name: z.string(), roles: z.array(roleSchema) })),
  })
  .meta({ id: 'Me' });

// Not z.email(): installations use local addresses such as admin@localhost (no top-level domain).
const emailField = z
  .string()
  .trim()
  .max(LIMITS.emailLength)
  .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address like name@example.com');
const passwordField = z.string().min(LIMITS.passwordMinLength).max(LIMITS.passwordMaxLength);

export const loginBody = z.strictObject({
  email: emailField,
  password: z.string().min(1).max(LIMITS.passwordMaxLength),
});

export const createUserBody = z.strictObject({
  email: emailField,
  name: nameField,
  password: passwordField.optional().describe('Needed only for dashboard sign-in'),
});

export const userParams = z.strictObject({ id: idParam });

export const createTokenBody = z.strictObject({ name: z.string().trim().min(1).max(LIMITS.tokenNameLength) });

export const tokenCreatedSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    createdAt: z.string(),
    token: z.string().describe('Shown only in this response; stored as a hash'),
  })
  .meta({ id: 'TokenCreated' });

export const tokenSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    createdAt: z.string(),
    lastUsedAt: z
      .string()
      .nullable()
      .describe('When the token last authenticated, to the minute; null if never'),
  })
  .meta({ id: 'Token' });

export const tokenParams = z.strictObject({ id: idParam, tokenId: idParam });

export const createAccountBody = z.strictObject({
  name: nameField,
  description: descriptionField.default(''),
});

export const accountParams = z.strictObject({ a: idParam });
export const memberParams = z.strictObject({ a: idParam, userId: idParam });

const rolesField = distinct(
  z.array(roleSchema).min(1, 'give at least one role; remove a member with DELETE'),
  'roles must not repeat',
);

export const putMemberBody = z.strictObject({ roles: rolesField });

export const memberInvitationSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    accountName: z.string(),
    email: z.string(),
    roles: z.array(roleSchema),
    state: z.enum(['pending', 'accepted', 'declined', 'cancelled', 'expired']),
    createdAt: z.string(),
    expiresAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'MemberInvitation' });

export const createMemberInvitationBody = z.strictObject({
  email: emailField.describe('Whoever signs in with this address may accept'),
  roles: rolesField,
});

export const memberInvitationParams = z.strictObject({ a: idParam, id: idParam });
export const myInvitationParams = z.strictObject({ id: idParam });

export const listQuery = z.strictObject({ ...pageQuery });

export const userPage = pageOf(userSchema);
export const accountPage = pageOf(accountSchema);
export const memberPage = pageOf(memberSchema);
export const tokenPage = pageOf(tokenSchema);
export const memberInvitationPage = pageOf(memberInvitationSchema);
