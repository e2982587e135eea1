import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';

describe('ids', () => {
  it('are prefixed ULIDs, unique and in creation order, across many refills of the random pool', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('server'));
    for (const id of ids.slice(0, 5)) expect(id).toMatch(/^srv_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
