import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { choose, screenshot } from './support.ts';

/** The catalog's "Sync now" (R-CLD-3) and the sync job's progress (R-JOB-1) in the dashboard. */

let dashboard: Dashboard;
let page: Page;
let api: AdminApi;

beforeAll(async () => {
  dashboard = await startDashboard({
    adminToken: 'browser-admin-token-sync-0123456',
    env: {
      ADMIN_PASSWORD: 'a long admin passphrase',
      JOB_POLL_MS: '100',
      SIMULATED_CLOUD_PAGE_SIZE: '25',
      SIMULATED_CLOUD_LATENCY_MS: '150',
      SIMULATED_CLOUD_EXTRA_IMAGES: '500',
    },
  });
  ({ page, api } = dashboard);
  const account = await api('POST', '/v1/accounts', { name: 'Platform' });
  const me = await api('GET', '/v1/me');
  await api('PUT', `/v1/accounts/${account.id}/members/${me.user?.id ?? me.id}`, { roles: ['admin'] });
  await dashboard.addUser(
    account.id,
    { email: 'ola@example.com', name: 'Ola', password: 'correct horse battery' },
    ['designer'],
  );
});
afterAll(() => dashboard?.close());

describe('catalog sync in the dashboard', () => {
  it('R-CLD-3: the superuser syncs a connected cloud and follows the job until it has added the images', async () => {
    await dashboard.signIn('admin@localhost', 'a long admin passphrase');
    await page.getByRole('link', { name: 'Catalog' }).click();
    await choose(page, 'Cloud', 'AWS us-east-1');
    const sync = page.getByLabel('Cloud sync');
    await sync.getByText('last synced never').waitFor();
    await sync.getByRole('button', { name: 'Sync now' }).click();
    await sync.getByLabel('Sync progress', { exact: true }).waitFor();
    await expect
      .poll(() => sync.getByLabel('Sync progress', { exact: true }).textContent())
      .toMatch(/Syncing: .*page \d+/);
    await page.getByRole('progressbar', { name: 'Sync progress bar' }).waitFor();
    await screenshot(page, 'sync-01-running');
    expect(await sync.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
    await sync.getByLabel('Last sync').waitFor({ timeout: 60_000 });
    expect(await sync.getByLabel('Last sync').textContent()).toContain('500 added');
    expect(await sync.textContent()).not.toContain('last synced never');
    await screenshot(page, 'sync-02-done');
    // A second sync finds nothing to change; both show in the recent syncs.
    await sync.getByRole('button', { name: 'Sync now' }).click();
    const recent = page.getByRole('table', { name: 'Recent syncs' });
    await expect
      .poll(async () => (await recent.getByRole('row').allTextContents()).join('\n'), { timeout: 60_000 })
      .toMatch(/succeeded.*no change[\s\S]*succeeded.*500 added/);
  });

  it('R-CLD-3: a member sees the last sync, without the button', async () => {
    await page.context().clearCookies();
    await dashboard.signIn('ola@example.com', 'correct horse battery');
    await page.getByRole('link', { name: 'Catalog' }).click();
    await choose(page, 'Cloud', 'AWS us-east-1');
    const sync = page.getByLabel('Cloud sync');
    await sync.getByLabel('Last sync').waitFor();
    expect(await sync.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
  });
});
