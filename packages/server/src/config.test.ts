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

describe('the HTTPS configuration (R-RS: RightScale clients speak HTTPS only)', () => {
  it('is off unless a certificate and its key are both given; the port defaults to 8443', () => {
    expect(parseConfig({}).TLS_CERT_FILE).toBeUndefined();
    const config = parseConfig({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: 'key.pem' });
    expect(config).toMatchObject({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: 'key.pem', HTTPS_PORT: 8443 });
  });

  it('refuses half a pair and a port shared with HTTP, naming the variable', () => {
    expect(() => parseConfig({ TLS_CERT_FILE: 'cert.pem' })).toThrow(/TLS_KEY_FILE: .*set both/);
    expect(() => parseConfig({ TLS_KEY_FILE: 'key.pem' })).toThrow(/TLS_CERT_FILE: /);
    expect(() =>
      parseConfig({ TLS_CERT_FILE: 'c', TLS_KEY_FILE: 'k', PORT: '9000', HTTPS_PORT: '9000' }),
    ).toThrow(/HTTPS_PORT: must differ from PORT \(9000\)/);
  });
});
