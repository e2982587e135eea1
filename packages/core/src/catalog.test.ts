import { describe, expect, it } from 'vitest';
import { canSeeImage, canUseImage, imageUnusableReason, nextDeprecatedAt, type Image } from './catalog.ts';

const image = (over: Partial<Image> = {}) => ({
  visibility: 'private' as const,
  ownerAccountId: 'acc_owner',
  launchPermissions: ['acc_shared'],
  state: 'available' as const,
  ...over,
});

describe('canUseImage (SPEC §2 "can use")', () => {
  it('§2: a public image is usable by every account', () => {
    expect(canUseImage(image({ visibility: 'public', ownerAccountId: null }), 'acc_any')).toBe(true);
  });

  it('§2: a private image is usable by its owner and by accounts in launchPermissions', () => {
    expect(canUseImage(image(), 'acc_owner')).toBe(true);
    expect(canUseImage(image(), 'acc_shared')).toBe(true);
    expect(imageUnusableReason(image(), 'acc_other')).toBe('private_not_shared');
  });

  it('§2: an unavailable image is usable by nobody, not even its owner', () => {
    expect(imageUnusableReason(image({ state: 'unavailable' }), 'acc_owner')).toBe('unavailable');
    expect(canUseImage(image({ visibility: 'public', state: 'unavailable' }), 'acc_any')).toBe(false);
  });

  it('§2: a deprecated image is still usable', () => {
    expect(canUseImage(image({ state: 'deprecated' }), 'acc_owner')).toBe(true);
  });
});

describe('canSeeImage', () => {
  it('lists private images only to the owner and the accounts it is shared with', () => {
    expect(canSeeImage(image(), ['acc_other'], false)).toBe(false);
    expect(canSeeImage(image(), ['acc_other', 'acc_shared'], false)).toBe(true);
    expect(canSeeImage(image(), [], true)).toBe(true);
  });
});

describe('nextDeprecatedAt', () => {
  const now = new Date('2026-11-27T10:00:00Z');
  it('stamps the time an image becomes deprecated and keeps it while deprecated', () => {
    expect(nextDeprecatedAt({ state: 'available', deprecatedAt: null }, 'deprecated', now)).toBe(
      now.toISOString(),
    );
    expect(
      nextDeprecatedAt({ state: 'deprecated', deprecatedAt: '2026-01-01T00:00:00.000Z' }, 'deprecated', now),
    ).toBe('2026-01-01T00:00:00.000Z');
  });
  it('clears the stamp when the image leaves deprecated', () => {
    expect(
      nextDeprecatedAt({ state: 'deprecated', deprecatedAt: now.toISOString() }, 'available', now),
    ).toBeNull();
  });
});
