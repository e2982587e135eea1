import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { apiAs, launchChromium } from './support.ts';

export type AdminApi = Awaited<ReturnType<typeof apiAs>>;

/** One browser test file's world: a real server on a fresh database, its admin API, Chromium and a page. */
export interface Dashboard {
  server: RunningServer;
  api: AdminApi;
  browser: Browser;
  page: Page;
  /** Creates a user with a password and makes it a member of an account with these roles. */
  addUser(
    accountId: string,
    user: { email: string; name: string; password: string },
    roles: string[],
  ): Promise<{ id: string }>;
  /** Content-Security-Policy violations the page reported so far (close() fails on any). */
  cspViolations: string[];
  /** Signs in through the form and waits for the first screen (the MCI list). */
  signIn(email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the service as `npm start` does, on the demo catalog (real AWS regions and AMIs), serving
 * the dashboard the global set-up built, then launches Chromium with one page.
 */
export async function startDashboard(options: {
  adminToken: string;
  viewport?: { width: number; height: number };
  env?: Record<string, string | undefined>;
}): Promise<Dashboard> {
  const dir = await mkdtemp(join(tmpdir(), 'mci-browser-'));
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const cspViolations: string[] = [];
  const close = async () => {
    await browser?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    // Every browser test runs the dashboard under the server's real CSP (issue 11 item 7).
    if (cspViolations.length > 0)
      throw new Error(`Content-Security-Policy violations:\n${cspViolations.join('\n')}`);
  };
  try {
    server = await startServer({
      DATA_DIR: join(dir, 'data'),
      SEED: 'demo',
      ADMIN_TOKEN: options.adminToken,
      DATABASE_URL: '',
      DASHBOARD_DIR: inject('dashboardDir'),
      ...options.env,
    });
    const api = await apiAs(server.baseUrl, options.adminToken);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    await watchCsp(page, cspViolations);
    const baseUrl = server.baseUrl;
    return {
      server,
      api,
      browser,
      page,
      cspViolations,
      async addUser(accountId, user, roles) {
        const created = await api<{ id: string }>('POST', '/v1/users', user);
        await api('PUT', `/v1/accounts/${accountId}/members/${created.id}`, { roles });
        return created;
      },
      async signIn(email, password) {
        await signIn(page, baseUrl, email, password);
        await page.getByRole('heading', { name: 'MultiCloud Images', level: 2 }).waitFor();
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Fills and submits the sign-in form of the dashboard at `baseUrl`. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Collects the Content-Security-Policy violations of `page` (every document it loads) into `into`:
 * the `securitypolicyviolation` events, and Chromium's console reports of blocked content.
 */
export async function watchCsp(page: Page, into: string[]): Promise<void> {
  // As text: the tests are type-checked without the DOM library.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error(
      'CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber))`,
  });
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('CSP violation:') || /Content Security Policy/i.test(text)) into.push(text);
  });
}
