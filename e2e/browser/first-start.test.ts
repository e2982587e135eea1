import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { signIn } from './setup.ts';
import { launchChromium } from './support.ts';

let server: RunningServer;
let dir: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-first-'));
  // As the README's start command does it: no ADMIN_TOKEN, no ADMIN_PASSWORD, the demo seed.
  server = await startServer({
    DATA_DIR: join(dir, 'data'),
    DATABASE_URL: '',
    ADMIN_TOKEN: undefined,
    ADMIN_PASSWORD: undefined,
    SEED: undefined,
    DASHBOARD_DIR: inject('dashboardDir'),
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a new user on a fresh installation', () => {
  it('signs in with the password printed at first start and lands in the Demo account', async () => {
    const password = /Dashboard sign-in \(shown once\): admin@localhost \/ (\S+)/.exec(server.output())?.[1];
    expect(password).toBeDefined();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, server.baseUrl, 'admin@localhost', password!);
    await page.getByText('No MultiCloud Images yet.').waitFor();
    expect(await page.getByLabel('Account', { exact: true }).first().inputValue()).toBe('Demo');
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('table', { name: 'Images' }).waitFor();
    expect(await page.getByRole('table', { name: 'Images' }).getByRole('row').count()).toBeGreaterThan(10);
  });
});

describe('a superuser with no account yet (SEED=none)', () => {
  it('creates a first account from the dashboard and holds every role in it', async () => {
    const bare = await startServer({
      DATA_DIR: join(dir, 'bare'),
      DATABASE_URL: '',
      SEED: 'none',
      ADMIN_TOKEN: undefined,
      ADMIN_PASSWORD: 'a long admin passphrase',
      DASHBOARD_DIR: inject('dashboardDir'),
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await signIn(page, bare.baseUrl, 'admin@localhost', 'a long admin passphrase');
      await page.getByRole('heading', { name: 'Create your first account' }).waitFor();
      await page.getByRole('button', { name: 'Create account' }).click();
      await expect
        .poll(() => page.getByRole('textbox', { name: 'Account name' }).getAttribute('aria-invalid'))
        .toBe('true');
      await page.getByLabel('Account name').fill('Platform');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('button', { name: 'New MCI' }).waitFor();
      expect(await page.getByLabel('Account', { exact: true }).first().inputValue()).toBe('Platform');
    } finally {
      await bare.stop();
    }
  });
});
