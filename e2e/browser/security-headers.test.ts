import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from './setup.ts';

const ADMIN_TOKEN = 'csp-admin-token-0123456789';
let d: Dashboard;

beforeAll(async () => {
  d = await startDashboard({ adminToken: ADMIN_TOKEN, env: { ADMIN_PASSWORD: 'correct-horse-battery' } });
});
afterAll(async () => {
  await d?.close();
});

describe('security headers in Chromium (issue 11 item 7)', () => {
  it('the dashboard is served under a CSP without inline script, and works under it', async () => {
    const res = await fetch(`${d.server.baseUrl}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");

    await d.signIn('admin@localhost', 'correct-horse-battery');
    await d.page.getByRole('link', { name: 'Catalog' }).first().click();
    await d.page.getByRole('table').first().waitFor();
    expect(d.cspViolations).toEqual([]);
  });

  it('Swagger UI at /docs renders the API under the same policy', async () => {
    await d.page.goto(`${d.server.baseUrl}/docs/`);
    await d.page.locator('.swagger-ui .info .title').waitFor();
    await d.page.locator('.opblock').first().click();
    await d.page.locator('.opblock-body').first().waitFor();
    expect(await d.page.locator('.swagger-ui .info .title').textContent()).toContain('MultiCloud Images API');
    expect(d.cspViolations).toEqual([]);
  });

  it('the check can fail: an inline script is blocked and reported', async () => {
    await d.page.goto(`${d.server.baseUrl}/`);
    await d.page.evaluate(`{
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.appendChild(s);
    }`);
    await d.page.waitForTimeout(200);
    expect(await d.page.evaluate('window.__inlineRan')).toBeUndefined();
    expect(d.cspViolations.some((v) => v.includes('script-src'))).toBe(true);
    d.cspViolations.length = 0; // expected here: not a failure of the file
  });
});
