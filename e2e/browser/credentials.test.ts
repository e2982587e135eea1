import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { screenshot } from './support.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';

let dashboard: Dashboard;
let page: Page;
let api: AdminApi;
let accountId: string;

beforeAll(async () => {
  dashboard = await startDashboard({ adminToken: 'browser-admin-token-credentials-01' });
  ({ page, api } = dashboard);
  accountId = (await api('POST', '/v1/accounts', { name: 'Cloud team' })).id;
  await dashboard.addUser(
    accountId,
    { email: 'ada@example.com', name: 'Ada', password: 'correct horse battery' },
    ['admin'],
  );
  await dashboard.addUser(
    accountId,
    { email: 'dan@example.com', name: 'Dan', password: 'battery staple horse' },
    ['designer'],
  );
});
afterAll(() => dashboard?.close());

/** Everything the page shows and holds in its inputs: the secret must be in neither. */
async function pageText(): Promise<string> {
  const values = await page
    .locator('input')
    .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
  return `${await page.content()}\n${values.join('\n')}`;
}

describe('cloud credentials in the dashboard (R-CLD-1, R-CLD-2)', () => {
  it('an admin adds credentials: the secret is a password field, never shown back; the principal is', async () => {
    await dashboard.signIn('ada@example.com', 'correct horse battery');
    await page.getByRole('link', { name: 'Cloud credentials' }).click();
    await page.getByRole('heading', { name: 'Cloud credentials', level: 2 }).waitFor();
    await page.getByText('No credentials yet.').waitFor();
    const form = page.getByRole('form', { name: 'Add cloud credentials' });
    await form.getByLabel('Cloud type').click();
    await page.getByRole('option', { name: 'simulated', exact: true }).click();
    await form.getByLabel('Access key id').fill('111122223333');
    const secret = form.getByLabel('Secret access key');
    expect(await secret.getAttribute('type')).toBe('password');
    await secret.fill(SECRET);
    await form.getByRole('button', { name: 'Add credentials' }).click();
    const table = page.getByRole('table', { name: 'Cloud credentials' });
    await expect.poll(() => table.textContent()).toContain('111122223333');
    expect(await table.textContent()).toContain('1111…3333');
    expect(await pageText()).not.toContain(SECRET);
    await screenshot(page, 'credentials-01-added');
  });

  it('the cloud refusing keys shows its message; nothing is saved', async () => {
    // The simulated type is taken: the form now offers aws; nothing answers on port 9.
    const form = page.getByRole('form', { name: 'Add cloud credentials' });
    await form.getByLabel('Access key id').fill('AKIAIOSFODNN7EXAMPLE');
    await form.getByLabel('Secret access key').fill(SECRET2);
    await form.getByLabel('Endpoint (optional)').fill('http://127.0.0.1:9');
    await form.getByRole('button', { name: 'Add credentials' }).click();
    const problem = page.getByTestId('problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('The cloud refused the aws credentials');
    expect(await form.getByLabel('Secret access key').inputValue()).toBe('');
    expect(await pageText()).not.toContain(SECRET2);
    const stored = await api('GET', `/v1/accounts/${accountId}/cloud-credentials`);
    expect(stored.items.map((c: { cloudType: string }) => c.cloudType)).toEqual(['simulated']);
  });

  it('rotates the keys: a new principal and fingerprint, the secret still never shown', async () => {
    const before = (await api('GET', `/v1/accounts/${accountId}/cloud-credentials`)).items[0];
    const row = page.getByRole('row').filter({ hasText: '1111…3333' });
    await row.getByRole('button', { name: 'Rotate' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Access key id').fill('444455556666');
    await dialog.getByLabel('Secret access key').fill(SECRET2);
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    await dialog.waitFor({ state: 'detached' });
    const table = page.getByRole('table', { name: 'Cloud credentials' });
    await expect.poll(() => table.textContent()).toContain('444455556666');
    const after = (await api('GET', `/v1/accounts/${accountId}/cloud-credentials`)).items[0];
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(await table.textContent()).toContain(after.fingerprint);
    expect(await pageText()).not.toContain(SECRET2);
  });

  it('deletes after a confirmation (cancel keeps them)', async () => {
    const row = page.getByRole('row').filter({ hasText: '4444…6666' });
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect((await api('GET', `/v1/accounts/${accountId}/cloud-credentials`)).items).toHaveLength(1);
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('4444…6666');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No credentials yet.').waitFor();
    expect((await api('GET', `/v1/accounts/${accountId}/cloud-credentials`)).items).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('a member who is not an admin sees no credentials and no form', async () => {
    await api('POST', `/v1/accounts/${accountId}/cloud-credentials`, {
      cloudType: 'simulated',
      accessKeyId: '777788889999',
      secretAccessKey: SECRET,
    });
    await dashboard.signIn('dan@example.com', 'battery staple horse');
    await page.getByRole('link', { name: 'Cloud credentials' }).click();
    await page.getByText('Only the account’s admins manage its cloud credentials.').waitFor();
    expect(await page.getByRole('form', { name: 'Add cloud credentials' }).count()).toBe(0);
    expect(await page.content()).not.toContain('7777…9999');
  });
});
