import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../support/server.ts';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { choose, screenshot } from './support.ts';

let dashboard: Dashboard;
let server: RunningServer;
let page: Page;
let api: AdminApi;
let accountId: string;

beforeAll(async () => {
  dashboard = await startDashboard({ adminToken: 'browser-admin-token-0123456789' });
  ({ server, page, api } = dashboard);
  const account = await api('POST', '/v1/accounts', { name: 'Platform team' });
  accountId = account.id;
  await dashboard.addUser(
    accountId,
    { email: 'dana@example.com', name: 'Dana', password: 'correct horse battery' },
    ['designer', 'actor', 'admin'],
  );
});
afterAll(() => dashboard?.close());

describe('the dashboard in Chromium', () => {
  it('refuses a wrong password with the server’s message, then signs in', async () => {
    await page.goto(server.baseUrl);
    // Password managers: the email field is an email and the username, the password is the current one.
    const email = page.getByLabel('Email');
    expect(await email.getAttribute('type')).toBe('email');
    expect(await email.getAttribute('autocomplete')).toBe('username');
    expect(await page.locator('input[type="password"]').getAttribute('autocomplete')).toBe(
      'current-password',
    );
    await email.fill('dana@example.com');
    await page.locator('input[type="password"]').fill('wrong password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('problem').textContent())
      .toContain('The email or password is not correct');
    await screenshot(page, '01-sign-in');
    // Keyboard only: the form is reachable and submits with Enter.
    await page.getByLabel('Email').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('correct horse battery');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'MultiCloud Images', level: 2 }).waitFor();
    await page.getByText('No MultiCloud Images yet.').waitFor();
  });

  it('browses the catalog with search, filters and state badges', async () => {
    await page.getByRole('link', { name: 'Catalog' }).click();
    await choose(page, 'Cloud', 'AWS us-east-1');
    await page.getByLabel('Search images').fill('al2023-ami-2023');
    await choose(page, 'Architecture', 'arm64');
    const table = page.getByRole('table', { name: 'Images' });
    await expect
      .poll(async () =>
        (await table.getByRole('row').allTextContents()).slice(1).every((r) => r.includes('arm64')),
      )
      .toBe(true);
    expect(await table.getByRole('row').count()).toBeGreaterThan(2);
    await screenshot(page, '02-catalog');
  });

  it('creates an MCI, adds clouds through the image picker, sees lint, and commits', async () => {
    await page.getByRole('link', { name: 'MultiCloud Images' }).click();
    await page.getByRole('button', { name: 'New MCI' }).click();
    await page.getByLabel('Name').fill('AL2023_x64');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'AL2023_x64' }).waitFor();

    for (const cloud of ['AWS us-east-1', 'AWS eu-west-1']) {
      await page.getByRole('button', { name: 'Add cloud' }).click();
      await choose(page, 'Cloud', cloud);
      await page.getByLabel('Find image').fill('al2023-ami-2023.12.20260727.0-kernel-6.1-x86_64');
      await choose(page, 'Image', /kernel-6\.1-x86_64/);
      await choose(page, 'Instance type', /^m5\.large/);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('table', { name: 'Cloud grid' }).getByText(cloud).waitFor();
    }
    const grid = page.getByRole('table', { name: 'Cloud grid' });
    expect(await grid.getByRole('row').count()).toBe(3);
    expect(await grid.textContent()).toContain('m5.large');

    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Commit' }).click();
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('a commit needs a message');
    await page.getByLabel('Message').fill('July build');
    await page.getByRole('dialog').getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('tab', { name: 'Revisions' }).click();
    await page.getByText('Revision 1').waitFor();
    expect(await page.getByText('July build').isVisible()).toBe(true);
    await page.getByRole('tab', { name: 'Clouds' }).click();
    await screenshot(page, '03-mci-detail');

    await page.getByRole('button', { name: 'Replace AWS eu-west-1' }).click();
    await page.getByLabel('Find image').fill('al2023-ami-2023.12.20260727.0-kernel-6.12-x86_64');
    await choose(page, 'Image', /kernel-6\.12-x86_64/);
    await choose(page, 'Instance type', /^m5\.xlarge/);
    await page.getByRole('button', { name: 'Replace', exact: true }).click();
    await expect.poll(() => grid.textContent()).toContain('m5.xlarge');
  });

  it('compares two revisions and merges a conflicting upstream change, choosing per cloud', async () => {
    const clouds = (await api('GET', '/v1/clouds?q=us-east-1')).items;
    const cloud = clouds.find((c: { name: string }) => c.name === 'AWS us-east-1');
    const images = (
      await api('GET', `/v1/clouds/${cloud.id}/images?q=al2023-ami-2023&cpuArchitecture=x86_64&limit=3`)
    ).items;
    const type = (await api('GET', `/v1/clouds/${cloud.id}/instance-types?q=m5.large`)).items[0];
    const a = (p: string) => `/v1/accounts/${accountId}${p}`;
    const setting = (imageId: string) => ({ cloudId: cloud.id, imageId, instanceTypeId: type.id });
    const upstream = await api('POST', a('/mcis'), {
      name: 'Upstream base',
      settings: [setting(images[0].id)],
    });
    const r1 = await api('POST', a(`/mcis/${upstream.id}/commit`), { message: 'upstream one' });
    const local = await api('POST', a(`/mcis/${r1.id}/clone`), { name: 'Local base' });
    await api('PUT', a(`/mcis/${local.id}/settings/${cloud.id}`), {
      imageId: images[1].id,
      instanceTypeId: type.id,
    });
    await api('PUT', a(`/mcis/${upstream.id}/settings/${cloud.id}`), {
      imageId: images[2].id,
      instanceTypeId: type.id,
    });
    await api('POST', a(`/mcis/${upstream.id}/commit`), { message: 'upstream two' });

    await page.goto(`${server.baseUrl}/mcis/${upstream.id}/diff?against=${r1.id}`);
    const diff = page.getByRole('table', { name: 'Diff' });
    await diff.waitFor();
    expect(await diff.textContent()).toContain(images[2].resourceUid);
    expect(await diff.getByText('changed').isVisible()).toBe(true);
    await screenshot(page, '04-diff');

    await page.goto(`${server.baseUrl}/mcis/${local.id}`);
    await page.getByRole('button', { name: 'Merge' }).click();
    await choose(page, 'Merge from', /Upstream base — r2/);
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    const conflicts = page.getByRole('table', { name: 'Conflicts' });
    await conflicts.waitFor();
    expect(await conflicts.textContent()).toContain(images[1].resourceUid);
    expect(await conflicts.textContent()).toContain(images[2].resourceUid);
    await screenshot(page, '04-merge-conflict');
    await page.getByRole('radio', { name: 'theirs' }).check();
    await page.getByRole('button', { name: 'Apply with these choices' }).click();
    await page.getByRole('heading', { name: 'Local base' }).waitFor();
    await expect
      .poll(() => page.getByRole('table', { name: 'Cloud grid' }).textContent())
      .toContain(images[2].resourceUid);
  });
});
