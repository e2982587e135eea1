import { ConflictError, InputError } from '@mci/core';

interface PgErrorLike {
  code?: string;
  detail?: string;
  constraint?: string;
  cause?: unknown;
}

function findPgError(err: unknown): PgErrorLike | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 4; depth++) {
    const e = cur as PgErrorLike;
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e;
    cur = e.cause;
  }
  return undefined;
}

/** The SQLSTATE of a database error (through drizzle's wrapping), or undefined for other errors. */
export function sqlStateOf(err: unknown): string | undefined {
  return findPgError(err)?.code;
}

/**
 * Translates database errors at the repository edge: unique violation → ConflictError,
 * foreign-key violation → InputError. Anything else is rethrown untouched.
 */
export async function translateDbErrors<T>(
  what: string,
  run: () => Promise<T>,
  uniqueMessages: Record<string, { message: string; path: string }> = {},
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const pgErr = findPgError(err);
    if (pgErr?.code === '23505') {
      const known = pgErr.constraint ? uniqueMessages[pgErr.constraint] : undefined;
      throw new ConflictError('already_exists', known?.message ?? `This ${what} already exists`, {
        errors: known ? [{ path: known.path, message: known.message }] : undefined,
        cause: err,
      });
    }
    if (pgErr?.code === '23503') {
      // The database's own text (table and key names) stays in the log, not in the answer.
      throw new InputError('invalid_reference', `The ${what} refers to something that does not exist`, {
        cause: err,
      });
    }
    throw err;
  }
}
