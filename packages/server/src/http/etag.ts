import { InputError } from '@mci/core';

/** The strong ETag of a HEAD revision: its edit counter. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Parses `If-Match` into the expected version; undefined when absent or `*`. */
export function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(ifMatch);
  if (!m) {
    throw new InputError('invalid_if_match', 'If-Match must be an ETag returned by a read, e.g. "3"', {
      status: 400,
      errors: [{ path: 'headers.if-match', message: 'not an ETag of this API' }],
    });
  }
  return Number(m[1]);
}
