import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../support/server.ts';
import { signIn, startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { screenshot } from './support.ts';

let dashboard: Dashboard;
let server: RunningServer;
let page: Page;
let api: AdminApi;
let accountId: string;

beforeAll(async () => {
  dashboard = await startDashboard({ adminToken: 'browser-admin-token-members-0123' });
  ({ server, page, api } = dashboard);
  const account = await api('POST', '/v1/accounts', { name: 'Platform team' });
  accountId = account.id;
  await dashboard.addUser(
    account.id,
    { email: 'ada@example.com', name: 'Ada', password: 'correct horse battery' },
    ['admin'],
  );
  // A user of the installation who belongs to no account yet.
  await api('POST', '/v1/users', { email: 'bo@example.com', name: 'Bo', password: 'battery staple horse' });
});
afterAll(() => dashboard?.close());

/** Adds an option to a Mantine MultiSelect (its pills box takes the click meant for the input). */
async function addOption(label: string, option: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).first().click({ force: true });
  await page.getByRole('option', { name: option, exact: true }).click();
  await page.keyboard.press('Escape');
}

describe('members and member invitations in the dashboard (issue 11, item 6)', () => {
  it('an admin invites by email and sees the open invitation', async () => {
    await dashboard.signIn('ada@example.com', 'correct horse battery');
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Members', level: 2 }).waitFor();
    const members = page.getByRole('table', { name: 'Members' });
    await expect.poll(() => members.textContent()).toContain('ada@example.com');
    await page.getByLabel('Invite by email').fill('bo@example.com');
    await addOption('Roles', 'designer');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.getByTestId('invited').waitFor();
    const open = page.getByRole('table', { name: 'Open invitations' });
    await expect.poll(() => open.textContent()).toContain('bo@example.com');
    expect(await open.textContent()).toContain('observer, designer');
    // Not a member before accepting.
    expect(await members.textContent()).not.toContain('bo@example.com');
    await screenshot(page, 'members-01-invited');
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('the invitee sees the invitation, accepts it and is in the account', async () => {
    await signIn(page, server.baseUrl, 'bo@example.com', 'battery staple horse');
    const mine = page.getByRole('table', { name: 'Invitations to you' });
    await expect.poll(() => mine.textContent()).toContain('Platform team');
    await screenshot(page, 'members-02-invitation');
    await mine.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('heading', { name: 'MultiCloud Images', level: 2 }).waitFor();
    await page.getByRole('link', { name: 'Members' }).click();
    const members = page.getByRole('table', { name: 'Members' });
    await expect.poll(() => members.textContent()).toContain('bo@example.com');
    // Bo is a designer, not an admin: no invitation form.
    expect(await page.getByLabel('Invite by email').count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('the admin changes the new member’s roles', async () => {
    await dashboard.signIn('ada@example.com', 'correct horse battery');
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Roles of bo@example.com').first().waitFor();
    await addOption('Roles of bo@example.com', 'actor');
    const row = page.getByRole('row').filter({ hasText: 'bo@example.com' });
    await row.getByRole('button', { name: 'Save roles' }).click();
    await expect
      .poll(async () =>
        (await api('GET', `/v1/accounts/${accountId}/members`)).items
          .find((m: { email: string }) => m.email === 'bo@example.com')
          ?.roles.sort(),
      )
      .toEqual(['actor', 'designer', 'observer']);
  });
});
