import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { choose, screenshot } from './support.ts';

let dashboard: Dashboard;
let page: Page;
let api: AdminApi;
let accountId: string;
let document: string;

beforeAll(async () => {
  dashboard = await startDashboard({ adminToken: 'browser-admin-token-import-catalog-01' });
  ({ page, api } = dashboard);
  accountId = (await api('POST', '/v1/accounts', { name: 'Import team' })).id;
  await dashboard.addUser(
    accountId,
    { email: 'ines@example.com', name: 'Ines', password: 'correct horse battery' },
    ['designer'],
  );
  const clouds = await api<{ items: { id: string; name: string }[] }>('GET', '/v1/clouds?limit=500');
  const rows: string[] = [];
  for (const region of ['us-east-1', 'eu-west-1']) {
    const cloud = clouds.items.find((c) => c.name === `AWS ${region}`)!;
    const image = await api<{ items: { resourceUid: string }[] }>(
      'GET',
      `/v1/clouds/${cloud.id}/images?q=al2023-ami-2023&cpuArchitecture=x86_64&limit=1`,
    );
    rows.push(`    ${region}: { HVM64: ${image.items[0].resourceUid} }`);
  }
  rows.push('    xx-nowhere-1: { HVM64: ami-0123456789abcdef0 }');
  document = `Mappings:\n  AWSRegionArch2AMI:\n${rows.join('\n')}\n`;
});
afterAll(() => dashboard?.close());

describe('catalog import in the dashboard (R-FMT-1)', () => {
  it('R-FMT-1: a designer previews a CloudFormation map, sees what is left out and why, then imports and commits it', async () => {
    await dashboard.signIn('ines@example.com', 'correct horse battery');
    await page.getByRole('link', { name: 'MultiCloud Images' }).first().click();
    await page.getByRole('link', { name: 'Import region maps' }).click();
    await page.getByRole('heading', { name: 'Import a catalog', level: 2 }).waitFor();
    await choose(page, 'Format', 'CloudFormation Mappings (AWSRegionArch2AMI)');
    await page.getByLabel('Document').fill(document);
    await page.getByLabel('Instance type for x86_64').fill('t3.micro');
    await page.getByRole('button', { name: 'Preview' }).click();
    const planned = page.getByRole('table', { name: 'MCIs to import' });
    await expect.poll(() => planned.textContent()).toContain('AWSRegionArch2AMI HVM64');
    expect(await planned.textContent()).toMatch(/us-east-1.*AWS us-east-1.*t3\.micro.*add/);
    const skipped = page.getByRole('table', { name: 'Entries not imported' });
    expect(await skipped.textContent()).toContain('no cloud of the catalog is in region xx-nowhere-1');
    await screenshot(page, 'import-catalog-01-preview');
    // Nothing is written by a preview.
    expect((await api<{ items: unknown[] }>('GET', `/v1/accounts/${accountId}/mcis`)).items).toEqual([]);

    await page.getByLabel('Commit message (optional)').fill('from our region map');
    await page.getByRole('button', { name: 'Import 1 MCI(s)' }).click();
    await page.getByText('1 MCI(s) written and committed.').waitFor();
    await screenshot(page, 'import-catalog-02-imported');
    const mcis = await api<{ items: { name: string; revision: number }[] }>(
      'GET',
      `/v1/accounts/${accountId}/mcis`,
    );
    expect(mcis.items.map((m) => [m.name, m.revision]).sort()).toEqual([
      ['AWSRegionArch2AMI HVM64', 0],
      ['AWSRegionArch2AMI HVM64', 1],
    ]);
    await page.getByRole('link', { name: 'AWSRegionArch2AMI HVM64' }).first().click();
    await page.getByRole('heading', { name: 'AWSRegionArch2AMI HVM64' }).waitFor();
  });
});
