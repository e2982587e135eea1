import { describe, expect, it } from 'vitest';
import { InputError } from './errors.ts';
import { decodeCursor, decodeSequenceCursor, encodeCursor, toPage } from './pagination.ts';

describe('keyset cursors', () => {
  it('round-trips a sort key', () => {
    expect(decodeCursor(encodeCursor(['Ubuntu', 'img_1']), 2)).toEqual(['Ubuntu', 'img_1']);
  });

  it('rejects a tampered cursor with a 400 naming the cursor field', () => {
    for (const bad of ['not-base64-json', encodeCursor(['only-one']), encodeCursor([{}, 'x'] as never)]) {
      try {
        decodeCursor(bad, 2);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).status).toBe(400);
        expect((e as InputError).errors?.[0].path).toBe('cursor');
      }
    }
  });

  it('a sequence cursor takes only a whole non-negative number (a string or 1.5 is a 400, not a 500)', () => {
    expect(decodeSequenceCursor(encodeCursor([42]))).toBe(42);
    for (const bad of [encodeCursor(['x']), encodeCursor([1.5]), encodeCursor([-1]), encodeCursor([1e300])]) {
      expect(() => decodeSequenceCursor(bad)).toThrow(InputError);
    }
  });

  it('gives a next cursor only when a row beyond the page exists', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    expect(toPage(rows, 3, (r) => [r.n]).nextCursor).toBeNull();
    const page = toPage(rows, 2, (r) => [r.n]);
    expect(page.items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(decodeCursor(page.nextCursor!, 1)).toEqual([2]);
  });
});
