import { ForbiddenError, NotFoundError } from './errors.ts';

/** Roles a user holds per account (SPEC §4). */
export const ROLES = ['observer', 'actor', 'designer', 'library', 'publisher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved once per request from a token or a session cookie. */
export interface Principal {
  userId: string;
  email: string;
  isSuperuser: boolean;
  /** accountId → roles held there. */
  memberships: ReadonlyMap<string, readonly Role[]>;
}

/**
 * Everything an account member can be allowed to do, each mapped to the one role it needs.
 * Reading needs no particular role: any membership grants it (observer is the minimum role).
 */
export const ACCOUNT_ACTIONS = {
  'account.read': null,
  'audit.read': null,
  'members.manage': 'admin',
  /** R-CLD-1: an account's cloud credentials (add, rotate, delete, and even list them). */
  'credentials.manage': 'admin',
  'image.private.manage': 'designer',
  'mci.write': 'designer',
  'template.write': 'designer',
  'deployment.write': 'designer',
  'server.write': 'actor',
  'import.create': 'library',
  'publication.write': 'publisher',
  'group.write': 'publisher',
  'invitation.accept': 'admin',
  'invitation.read': null,
} as const satisfies Record<string, Role | null>;
export type AccountAction = keyof typeof ACCOUNT_ACTIONS;

/** Installation-wide actions: only the superuser may do these. */
export type InstallationAction = 'catalog.manage' | 'account.create' | 'audit.read.all' | 'user.list';

/** Whether a principal may take an account action: allowed, not a member, or missing a role. */
export type AccessDecision = { ok: true } | { ok: false; notMember: true } | { ok: false; missingRole: Role };

/** The one table lookup behind `authorizeAccount` (throws) and `isAllowed` (answers). */
export function decideAccount(
  principal: Principal,
  accountId: string,
  action: AccountAction,
): AccessDecision {
  if (principal.isSuperuser) return { ok: true };
  const roles = principal.memberships.get(accountId);
  if (!roles || roles.length === 0) return { ok: false, notMember: true };
  const needed = ACCOUNT_ACTIONS[action];
  return needed === null || roles.includes(needed) ? { ok: true } : { ok: false, missingRole: needed };
}

/**
 * The single authorization decision for account-scoped actions (SPEC §4).
 * A non-member gets `NotFoundError` (another account's resources are 404, never 403);
 * a member without the needed role gets `ForbiddenError`.
 */
export function authorizeAccount(principal: Principal, accountId: string, action: AccountAction): void {
  const decision = decideAccount(principal, accountId, action);
  if (decision.ok) return;
  if ('notMember' in decision) throw new NotFoundError('account', accountId);
  const needed = decision.missingRole;
  throw new ForbiddenError('missing_role', `This needs the "${needed}" role in account ${accountId}`, {
    details: { accountId, requiredRole: needed, action },
  });
}

/** True when the principal may take the action in the account (for `actions` lists; no throw). */
export function isAllowed(principal: Principal, accountId: string, action: AccountAction): boolean {
  return decideAccount(principal, accountId, action).ok;
}

/** Authorization for installation-wide actions (clouds, public images, accounts). */
export function authorizeInstallation(principal: Principal, action: InstallationAction): void {
  if (!principal.isSuperuser) {
    throw new ForbiddenError(
      'superuser_required',
      `Only the installation superuser may do this (${action})`,
      {
        details: { action },
      },
    );
  }
}

/** True when the principal may act on a user's own resources (self or superuser). */
export function authorizeSelfOrSuperuser(principal: Principal, userId: string): void {
  if (principal.isSuperuser || principal.userId === userId) return;
  throw new NotFoundError('user', userId);
}

/** Accounts whose private catalog entries the principal may see. */
export function memberAccountIds(principal: Principal): string[] {
  return [...principal.memberships.keys()];
}
