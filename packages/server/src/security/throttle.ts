import { DomainError } from '@mci/core';
import { authThrottleRepository, type ThrottleRule } from '@mci/db';
import type { AppContext } from '../context.ts';

/**
 * How many failed sign-ins an email address and a client (IP address) may have in a window, and
 * as many unknown API tokens per client, before further attempts are refused with 429 (ADR 009).
 */
export interface AuthThrottlePolicy {
  perEmail: ThrottleRule;
  perClient: ThrottleRule;
}

/** The longest a key is blocked, however often it keeps failing. */
const LOCKOUT_MAX_MS = 24 * 3600_000;

export function authThrottlePolicy(opts: {
  failuresPerEmail: number;
  failuresPerClient: number;
  windowSeconds: number;
}): AuthThrottlePolicy {
  const windowMs = opts.windowSeconds * 1000;
  const rule = (limit: number): ThrottleRule => ({
    limit,
    windowMs,
    lockoutMs: windowMs,
    lockoutMaxMs: Math.max(LOCKOUT_MAX_MS, windowMs),
  });
  return { perEmail: rule(opts.failuresPerEmail), perClient: rule(opts.failuresPerClient) };
}

/** 5 failures per email address and 30 per client in 15 minutes (config.ts: AUTH_*). */
export const DEFAULT_AUTH_THROTTLE = authThrottlePolicy({
  failuresPerEmail: 5,
  failuresPerClient: 30,
  windowSeconds: 900,
});

/** Too many failed attempts: 429 with `Retry-After` (seconds) and `retryAfterSeconds` in the body. */
export class TooManyAttemptsError extends DomainError {
  readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('too_many_attempts', message, { details: { retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function inWords(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

/** The throttle keys of the attempts a request makes. */
export const throttleKeys = {
  email: (email: string) => `email:${email.trim().toLowerCase()}`,
  signInClient: (ip: string) => `ip:${ip}`,
  tokenClient: (ip: string) => `token-ip:${ip}`,
};

/**
 * Counts an attempt for `key` before it is checked (so concurrent guesses cannot outrun the
 * counter) and throws {@link TooManyAttemptsError} when the key is blocked or this attempt is one
 * too many. `what` completes "Too many failed …".
 */
export async function reserveAttempt(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  key: string,
  rule: ThrottleRule,
  what: string,
): Promise<void> {
  const now = ctx.clock();
  const result = await authThrottleRepository.reserve(ctx.db, key, rule, now);
  if (result.allowed) return;
  const seconds = Math.max(1, Math.ceil((result.blockedUntil!.getTime() - now.getTime()) / 1000));
  throw new TooManyAttemptsError(`Too many failed ${what}: try again in ${inWords(seconds)}`, seconds);
}

/** Sets `Retry-After` on the reply when `error` is a throttle refusal; answers the error. */
export function withRetryAfter(
  reply: { header(name: string, value: string): unknown },
  error: unknown,
): unknown {
  if (error instanceof TooManyAttemptsError) reply.header('retry-after', String(error.retryAfterSeconds));
  return error;
}
