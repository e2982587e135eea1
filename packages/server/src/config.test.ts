import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('the sign-in throttle configuration (ADR 009)', () => {
  it('defaults to 5 failures per email and 30 per client in 15 minutes', () => {
    const config = parseConfig({});
    expect(config.AUTH_FAILURES_PER_EMAIL).toBe(5);
    expect(config.AUTH_FAILURES_PER_CLIENT).toBe(30);
    expect(config.AUTH_THROTTLE_WINDOW_SECONDS).toBe(900);
  });

  it('takes other limits from the environment and refuses nonsense, naming the variable', () => {
    const config = parseConfig({ AUTH_FAILURES_PER_EMAIL: '10', AUTH_THROTTLE_WINDOW_SECONDS: '60' });
    expect(config.AUTH_FAILURES_PER_EMAIL).toBe(10);
    expect(config.AUTH_THROTTLE_WINDOW_SECONDS).toBe(60);
    expect(() => parseConfig({ AUTH_FAILURES_PER_CLIENT: '0' })).toThrow(/AUTH_FAILURES_PER_CLIENT/);
    expect(() => parseConfig({ AUTH_FAILURES_PER_EMAIL: 'many' })).toThrow(/AUTH_FAILURES_PER_EMAIL/);
  });
});
