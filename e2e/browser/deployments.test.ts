import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { choose, screenshot } from './support.ts';

let dashboard: Dashboard;
let page: Page;
let api: AdminApi;

interface Image {
  id: string;
  name: string;
  resourceUid: string;
}
/** Per cloud name: its id and three x86_64 AL2023 images of the demo catalog. */
const catalog: Record<string, { id: string; images: Image[] }> = {};
const EAST = 'AWS us-east-1';
const WEST = 'AWS eu-west-1';
const THIRD = 'AWS us-west-2';

beforeAll(async () => {
  dashboard = await startDashboard({
    adminToken: 'browser-admin-token-deployments-0123',
    viewport: { width: 1280, height: 900 },
  });
  ({ page, api } = dashboard);
  const account = await api('POST', '/v1/accounts', { name: 'Platform team' });
  await dashboard.addUser(
    account.id,
    { email: 'dana@example.com', name: 'Dana', password: 'correct horse battery' },
    ['designer', 'actor'],
  );

  // Two MCIs with real demo AMIs; only the second covers a third cloud.
  const clouds: { id: string; name: string }[] = (await api('GET', '/v1/clouds?limit=500')).items;
  const settings: Record<string, { cloudId: string; imageId: string; instanceTypeId: string }[]> = {
    base: [],
    alt: [],
  };
  for (const name of [EAST, WEST, THIRD]) {
    const cloud = clouds.find((c) => c.name === name)!;
    const images: Image[] = (
      await api('GET', `/v1/clouds/${cloud.id}/images?q=al2023-ami-2023&cpuArchitecture=x86_64&limit=3`)
    ).items;
    expect(images).toHaveLength(3);
    const type = (await api('GET', `/v1/clouds/${cloud.id}/instance-types?q=m5.large`)).items[0];
    catalog[name] = { id: cloud.id, images };
    if (name !== THIRD)
      settings.base.push({ cloudId: cloud.id, imageId: images[0].id, instanceTypeId: type.id });
    settings.alt.push({ cloudId: cloud.id, imageId: images[1].id, instanceTypeId: type.id });
  }
  const a = (p: string) => `/v1/accounts/${account.id}${p}`;
  const base = await api('POST', a('/mcis'), { name: 'AL2023 base', settings: settings.base });
  const alt = await api('POST', a('/mcis'), { name: 'AL2023 alt', settings: settings.alt });
  await api('POST', a('/server-templates'), { name: 'Web server', mciIds: [base.id, alt.id] });
  // R-LCH-1: the demo's clouds run on the simulated driver; launching takes the account's keys.
  await api('POST', a('/cloud-credentials'), {
    cloudType: 'simulated',
    accessKeyId: '123456789012',
    secretAccessKey: 'simulated-secret',
  });

  await dashboard.signIn('dana@example.com', 'correct horse battery');
});
afterAll(() => dashboard?.close());

/** Runs the add-server wizard up to its review step. */
async function wizardToReview(cloud: string) {
  await page.getByRole('button', { name: 'Add server' }).click();
  const dialog = page.getByRole('dialog');
  await choose(page, 'Cloud', cloud);
  await dialog.getByRole('button', { name: 'Next' }).click();
  await choose(page, 'ServerTemplate', /^Web server — HEAD/);
  await dialog.getByRole('button', { name: 'Next' }).click();
  const mci = await page.getByRole('combobox', { name: 'MultiCloud Image' }).inputValue();
  await dialog.getByRole('button', { name: 'Next' }).click();
  const inherits = page.getByRole('table', { name: 'Inherits' });
  await inherits.waitFor();
  return { mci, inherits, dialog };
}

describe('deployments and servers in Chromium', () => {
  it('creates a deployment', async () => {
    await page.getByRole('link', { name: 'Deployments' }).click();
    await page.getByText('No deployments yet.').waitFor();
    await page.getByRole('button', { name: 'New deployment' }).click();
    await page.getByLabel('Name').fill('Web tier');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Web tier' }).waitFor();
    await page.getByText('No servers yet').waitFor();
  });

  it('R-SRV-2/3: adds a server cloud first, previewing the default MCI’s AMI before creating it', async () => {
    const { mci, inherits, dialog } = await wizardToReview(EAST);
    expect(mci).toMatch(/^AL2023 base — HEAD \(template default/);
    const expected = catalog[EAST].images[0];
    await expect.poll(() => inherits.textContent()).toContain(expected.resourceUid);
    await expect.poll(() => inherits.textContent()).toContain('m5.large');
    expect(await inherits.textContent()).toContain(expected.name);
    await dialog.getByLabel('Server name').fill('web-1');
    await screenshot(page, '07-add-server-wizard');
    await dialog.getByRole('button', { name: 'Create server' }).click();
    const row = page.getByRole('table', { name: 'Servers' }).getByRole('row', { name: /web-1/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain(expected.resourceUid);
    // Names in a row load one by one: wait for the last of them too.
    await expect.poll(() => row.textContent()).toContain('m5.large');
    const text = await row.textContent();
    expect(text).toContain(EAST);
    expect(text).toContain('AL2023 base HEAD');
    expect(text).toContain('m5.large');
    expect(text).toContain('MCI ← template');
    expect(text).toContain('image ← MCI');
  });

  it('R-SRV-2: in a cloud only the second MCI covers, preselects that MCI', async () => {
    const { mci, inherits, dialog } = await wizardToReview(THIRD);
    expect(mci).toMatch(/^AL2023 alt — HEAD \(template default/);
    await expect.poll(() => inherits.textContent()).toContain(catalog[THIRD].images[1].resourceUid);
    await dialog.getByLabel('Server name').fill('web-2');
    await dialog.getByRole('button', { name: 'Create server' }).click();
    const row = page.getByRole('table', { name: 'Servers' }).getByRole('row', { name: /web-2/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('AL2023 alt HEAD');
    await expect.poll(() => row.textContent()).toContain(THIRD);
  });

  it('R-SRV-6: shows the server’s refusal when the inherited image became unavailable', async () => {
    const image = catalog[WEST].images[0];
    await api('PATCH', `/v1/clouds/${catalog[WEST].id}/images/${image.id}`, { state: 'unavailable' });
    const { dialog } = await wizardToReview(WEST);
    await dialog.getByLabel('Server name').fill('web-3');
    await dialog.getByRole('button', { name: 'Create server' }).click();
    await expect
      .poll(() => dialog.getByTestId('problem').textContent())
      .toContain(`image ${image.resourceUid} is unavailable in ${WEST}`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByRole('table', { name: 'Servers' }).getByRole('row').count()).toBe(3);
  });

  it('R-SRV-5, R-LCH-1/2/4: shows where each field came from, launches the server, points it at another image for its next launch, terminates it', async () => {
    await page.getByRole('table', { name: 'Servers' }).getByRole('link', { name: 'web-1' }).click();
    const fields = page.getByRole('table', { name: 'Server' });
    await fields.waitFor();
    const rowText = (name: string) => fields.getByRole('row', { name: new RegExp(`^${name}`) }).textContent();
    await expect.poll(() => rowText('MCI')).toContain('AL2023 base HEAD');
    expect(await rowText('MCI')).toContain('← template');
    await expect.poll(() => rowText('Image')).toContain(catalog[EAST].images[0].resourceUid);
    expect(await rowText('Image')).toContain('← MCI');
    await expect.poll(() => rowText('Instance type')).toContain('m5.large');
    expect(await rowText('Instance type')).toContain('← MCI');

    // R-LCH-1: Launch; the badge follows the reconciler: pending → booting → operational.
    const state = () => page.getByTestId('server-state').textContent();
    expect(await state()).toBe('inactive');
    await page.getByRole('button', { name: 'Launch web-1' }).click();
    await expect.poll(state).not.toBe('inactive');
    expect(['pending', 'booting', 'operational']).toContain(await state());
    await expect.poll(state, { timeout: 45_000, interval: 500 }).toBe('operational');
    await expect.poll(() => rowText('Instance(?! type)')).toMatch(/i-sim/);
    expect(await page.getByRole('button', { name: 'Launch web-1' }).count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('current-launch').textContent())
      .toContain(catalog[EAST].images[0].resourceUid);

    // A running server: the change applies at its next launch (R-SRV-5, R-LCH-4).

    const next = catalog[EAST].images[2];
    await page.getByLabel('Find image').fill(next.resourceUid);
    await choose(page, 'Image', new RegExp(next.resourceUid));
    await page.getByRole('button', { name: 'Use this image' }).click();
    await expect.poll(() => page.getByTestId('warnings').textContent()).toContain('next launch');
    await expect.poll(() => rowText('Image')).toContain(next.resourceUid);
    expect(await rowText('Image')).toContain('← you');
    expect(await rowText('MCI')).toContain('← template');
    await expect.poll(() => page.getByTestId('next-launch').textContent()).toContain(next.resourceUid);
    expect(await page.getByTestId('current-launch').textContent()).toContain(
      catalog[EAST].images[0].resourceUid,
    );
    await screenshot(page, '08-server-detail');

    await page.getByRole('link', { name: 'Web tier' }).click();
    const row = page.getByRole('table', { name: 'Servers' }).getByRole('row', { name: /web-1/ });
    await expect.poll(() => row.textContent()).toContain(next.resourceUid);
    await expect.poll(() => row.textContent()).toContain('image ← you');
    await expect.poll(() => row.textContent()).toContain('operational');

    // R-LCH-2: Terminate from the deployment view asks first, then → terminating → inactive.
    await row.getByRole('button', { name: 'Terminate web-1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Terminate web-1?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Terminate' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => row.textContent()).not.toContain('operational');
    await expect.poll(() => row.textContent(), { timeout: 45_000, interval: 500 }).toContain('inactive');
    await expect.poll(() => row.getByRole('button', { name: 'Launch web-1' }).count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Terminate web-1' }).count()).toBe(0);
  });
});
