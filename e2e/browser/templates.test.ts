import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { choose, screenshot } from './support.ts';

let dashboard: Dashboard;
let page: Page;
let api: AdminApi;
let accountId: string;
const mciIds: Record<string, string> = {};

/** A setting of the demo catalog: the named x86_64 image and m5.large in one AWS region. */
async function setting(cloudName: string, imageName: string) {
  const clouds = await api<{ items: { id: string; name: string }[] }>('GET', '/v1/clouds?limit=500');
  const cloud = clouds.items.find((c) => c.name === cloudName)!;
  const images = await api<{ items: { id: string; name: string }[] }>(
    'GET',
    `/v1/clouds/${cloud.id}/images?q=${encodeURIComponent(imageName)}&cpuArchitecture=x86_64&limit=50`,
  );
  const types = await api<{ items: { id: string; resourceUid: string }[] }>(
    'GET',
    `/v1/clouds/${cloud.id}/instance-types?cpuArchitecture=x86_64&limit=500`,
  );
  return {
    cloudId: cloud.id,
    imageId: images.items.find((i) => i.name === imageName)!.id,
    instanceTypeId: types.items.find((t) => t.resourceUid === 'm5.large')!.id,
  };
}

beforeAll(async () => {
  dashboard = await startDashboard({ adminToken: 'browser-admin-token-templates-0123456789' });
  ({ page, api } = dashboard);
  const account = await api('POST', '/v1/accounts', { name: 'Platform team' });
  accountId = account.id;
  await dashboard.addUser(
    accountId,
    { email: 'tom@example.com', name: 'Tom', password: 'correct horse battery' },
    ['designer', 'actor'],
  );

  // Two MCIs through the API (the MCI pages have their own test):
  // AL2023_x64 covers us-east-1 and eu-west-1, AL2_x64 covers us-east-1 and ap-northeast-1.
  const al2023 = 'al2023-ami-2023.12.20260727.0-kernel-6.1-x86_64';
  const al2 = 'amzn2-ami-hvm-2.0.20260727.0-x86_64-gp2';
  for (const [name, settings] of [
    ['AL2023_x64', [await setting('AWS us-east-1', al2023), await setting('AWS eu-west-1', al2023)]],
    ['AL2_x64', [await setting('AWS us-east-1', al2), await setting('AWS ap-northeast-1', al2)]],
  ] as const) {
    const mci = await api('POST', `/v1/accounts/${accountId}/mcis`, { name, tags: [], settings });
    mciIds[name] = mci.id;
  }
  // A second template that only AL2_x64 serves: eu-west-1 is its gap in the coverage matrix.
  await api('POST', `/v1/accounts/${accountId}/server-templates`, {
    name: 'Batch worker',
    mciIds: [mciIds.AL2_x64],
  });

  await dashboard.signIn('tom@example.com', 'correct horse battery');
});
afterAll(() => dashboard?.close());

/** The text of a link row of the Images tab. */
const linkRow = (name: string) => page.getByTestId(`link-${name}`);

describe('ServerTemplates and coverage in Chromium', () => {
  it('creates a template with a default MCI, links a second one and moves the default', async () => {
    await page.getByRole('link', { name: 'ServerTemplates' }).click();
    await page.getByRole('table', { name: 'Templates' }).getByText('Batch worker').waitFor();
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel('Name').fill('Web server');
    await page.getByLabel('Description').fill('nginx front end');
    await choose(page, 'MultiCloud Images', 'AL2023_x64 HEAD');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Web server' }).waitFor();
    expect(await page.getByTestId('revision-info').textContent()).toContain('HEAD (editable)');

    // The first MCI is the default; link the second.
    await linkRow('AL2023_x64').getByText('default', { exact: true }).waitFor();
    await choose(page, 'Link a MultiCloud Image', 'AL2_x64 HEAD');
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await linkRow('AL2_x64').waitFor();
    const rows = page.getByRole('table', { name: 'Linked MCIs' }).getByRole('row');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).textContent()).toContain('AL2023_x64');
    expect(await rows.nth(2).textContent()).toContain('AL2_x64');

    // Removing the default link while another exists is refused, with the server's words (R-ST-2).
    await page.getByRole('button', { name: 'Remove AL2023_x64' }).click();
    await expect
      .poll(() => page.getByTestId('problem').textContent())
      .toContain('make another link the default first');

    await page.getByRole('button', { name: 'Make AL2_x64 default' }).click();
    await linkRow('AL2_x64').getByText('default', { exact: true }).waitFor();
    expect(await linkRow('AL2023_x64').getByRole('button', { name: 'Make AL2023_x64 default' }).count()).toBe(
      1,
    );
  });

  it('shows which MCI serves each cloud', async () => {
    await page.getByRole('tab', { name: 'Clouds' }).click();
    const table = page.getByRole('table', { name: 'Supported clouds' });
    await table.getByText('AWS ap-northeast-1').waitFor();
    const rows = (await table.getByRole('row').allTextContents()).slice(1);
    expect(rows).toHaveLength(3);
    // The default serves the clouds it covers; AL2023_x64 falls in for eu-west-1 only.
    expect(rows.find((r) => r.startsWith('AWS us-east-1'))).toBe(
      'AWS us-east-1AL2_x64 HEADdefaultAL2023_x64 HEAD, AL2_x64 HEAD',
    );
    expect(rows.find((r) => r.startsWith('AWS eu-west-1'))).toContain('AL2023_x64 HEAD');
    expect(rows.find((r) => r.startsWith('AWS ap-northeast-1'))).toContain('AL2_x64 HEAD');
  });

  it('commits with its HEAD MCIs, then offers a newer MCI revision', async () => {
    await page.getByRole('tab', { name: 'Images' }).click();
    await page.getByRole('button', { name: 'Commit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Message').fill('First web release');
    await dialog.getByLabel('Also commit HEAD MCIs').check();
    await dialog.getByRole('button', { name: 'Commit' }).click();
    await expect
      .poll(() => page.getByTestId('commit-result').textContent())
      .toContain('Committed as revision 1');
    // Both links of HEAD now point at the MCIs' new r1.
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Revision of AL2023_x64' }).inputValue())
      .toBe('r1 — First web release');
    expect(await page.getByRole('combobox', { name: 'Revision of AL2_x64' }).inputValue()).toBe(
      'r1 — First web release',
    );

    await page.getByRole('tab', { name: 'Revisions' }).click();
    await page.getByRole('link', { name: 'Revision 1', exact: true }).waitFor();
    expect(await page.getByText('First web release').count()).toBeGreaterThan(0);

    // The committed revision is read-only and links r1.
    await page.getByRole('link', { name: 'Revision 1', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('revision-info').textContent())
      .toContain('revision 1 (committed');
    await page.getByRole('tab', { name: 'Images' }).click();
    expect(await linkRow('AL2023_x64').textContent()).toContain('r1');
    expect(await page.getByRole('button', { name: 'Commit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    await page.goBack();
    await page.getByTestId('revision-info').filter({ hasText: 'HEAD' }).waitFor();

    // R-VC-3: a newer committed revision of a linked MCI shows up and is one click away.
    await api('POST', `/v1/accounts/${accountId}/mcis/${mciIds.AL2023_x64}/commit`, {
      message: 'August build',
    });
    await page.reload();
    await page.getByRole('tab', { name: 'Images' }).click();
    await linkRow('AL2023_x64').getByText('r2 available').waitFor();
    expect(await linkRow('AL2_x64').textContent()).toContain('up to date');
    await screenshot(page, '05-template');
    await page.getByRole('button', { name: 'Use r2 of AL2023_x64' }).click();
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Revision of AL2023_x64' }).inputValue())
      .toBe('r2 — August build');
    expect(await linkRow('AL2023_x64').textContent()).toContain('up to date');

    // Changing the revision by hand within the lineage.
    await choose(page, 'Revision of AL2023_x64', 'HEAD');
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Revision of AL2023_x64' }).inputValue())
      .toBe('HEAD');
  });

  it('shows the coverage matrix with served cells and gaps', async () => {
    await page.getByRole('link', { name: 'Coverage' }).click();
    const matrix = page.getByRole('table', { name: 'Coverage' });
    const web = page.getByTestId('coverage-Web server-HEAD');
    const batch = page.getByTestId('coverage-Batch worker-HEAD');
    await expect.poll(() => web.getByTestId('coverage-summary').textContent()).toBe('3 of 3 clouds');
    await expect.poll(() => batch.getByTestId('coverage-summary').textContent()).toBe('2 of 3 clouds');
    const headers = await matrix.getByRole('columnheader').allTextContents();
    expect(headers).toEqual(['Template', 'Coverage', 'AWS ap-northeast-1', 'AWS eu-west-1', 'AWS us-east-1']);
    // Batch worker's gap is eu-west-1 (the 4th column); Web server's us-east-1 is served by its default.
    const batchCells = batch.getByRole('cell');
    expect(await batchCells.nth(2).getByLabel('not supported').count()).toBe(1);
    expect(await batch.getByLabel('not supported').count()).toBe(1);
    expect(await web.getByLabel('not supported').count()).toBe(0);
    expect(await web.getByRole('cell').nth(3).textContent()).toBe('AL2_x64 r1');
    expect(await web.getByRole('cell').nth(2).textContent()).toContain('AL2023_x64');
    await screenshot(page, '06-coverage');

    // Committed revisions as extra rows; every catalog cloud as extra columns.
    await page.getByLabel('Include committed revisions').check();
    await page.getByTestId('coverage-Web server-r1').waitFor();
    await page.getByLabel('Show all catalog clouds').check();
    await expect.poll(() => matrix.getByRole('columnheader').count()).toBeGreaterThan(20);
    await expect
      .poll(() => batch.getByTestId('coverage-summary').textContent())
      .toMatch(/^2 of \d\d clouds$/);
  });
});
