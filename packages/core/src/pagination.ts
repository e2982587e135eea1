import { InputError } from './errors.ts';
import { LIMITS } from './limits.ts';

/** A page of a list: `nextCursor` is null on the last page (SPEC §5). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset cursors: the sort key of the last row seen, as opaque base64url JSON.
 * Lists never use OFFSET, so a page costs the same at row 10 and at row 1,000,000.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; a tampered one is a 400 naming `cursor`. */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k) => typeof k === 'string' || typeof k === 'number')
    ) {
      return key as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw new InputError('invalid_cursor', 'The cursor is not one this service returned', {
    status: 400,
    errors: [{ path: 'cursor', message: 'not a valid cursor; pass nextCursor from the previous page' }],
  });
}

/** A cursor over one whole-number key (a sequence number); anything else is a 400. */
export function decodeSequenceCursor(cursor: string): number {
  const [seq] = decodeCursor(cursor, 1);
  if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) return seq;
  throw new InputError('invalid_cursor', 'The cursor is not one this service returned', {
    status: 400,
    errors: [{ path: 'cursor', message: 'not a valid cursor; pass nextCursor from the previous page' }],
  });
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells that there is more.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return {
    items,
    nextCursor: more && items.length > 0 ? encodeCursor(keyOf(items[items.length - 1])) : null,
  };
}

export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? LIMITS.pageSizeDefault, 1), LIMITS.pageSizeMax);
}

/** The `(name, id)` keyset most lists sort by; undefined for the first page. */
export function decodeNameIdCursor(cursor: string | undefined): { name: string; id: string } | undefined {
  if (!cursor) return undefined;
  const [name, id] = decodeCursor(cursor, 2);
  return { name: String(name), id: String(id) };
}
