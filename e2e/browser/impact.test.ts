import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { apiAs, choose, screenshot } from './support.ts';

const PASSWORD = 'correct horse battery';
const RETIRED_UID = 'ami-0impactretired0001';
const PRIVATE_UID = 'ami-0impactprivate0001';
let dashboard: Dashboard;
let page: Page;
let admin: AdminApi;
let owner: { id: string; name: string };
let partner: { id: string; name: string };
let cloudId: string;
let retiredId: string;
let privateId: string;

beforeAll(async () => {
  dashboard = await startDashboard({
    adminToken: 'browser-admin-token-impact-0123456',
    viewport: { width: 1280, height: 900 },
  });
  ({ page, api: admin } = dashboard);
  owner = await admin('POST', '/v1/accounts', { name: 'Impact Owner' });
  partner = await admin('POST', '/v1/accounts', { name: 'Impact Partner' });
  const oUser = await dashboard.addUser(
    owner.id,
    { email: 'olga@example.com', name: 'Olga', password: PASSWORD },
    ['publisher', 'designer'],
  );
  const pUser = await dashboard.addUser(
    partner.id,
    { email: 'pete@example.com', name: 'Pete', password: PASSWORD },
    ['admin'],
  );
  const tokenOf = async (userId: string) =>
    (await admin('POST', `/v1/users/${userId}/tokens`, { name: 'e2e' })).token as string;
  const asO = await apiAs(dashboard.server.baseUrl, await tokenOf(oUser.id));
  const asP = await apiAs(dashboard.server.baseUrl, await tokenOf(pUser.id));

  cloudId = (await admin('GET', `/v1/clouds?q=${encodeURIComponent('AWS us-east-1')}`)).items.find(
    (c: { name: string }) => c.name === 'AWS us-east-1',
  ).id;
  const m5Large = (
    await admin('GET', `/v1/clouds/${cloudId}/instance-types?cpuArchitecture=x86_64&limit=500`)
  ).items.find((t: { resourceUid: string }) => t.resourceUid === 'm5.large').id as string;
  retiredId = (
    await admin('POST', `/v1/clouds/${cloudId}/images`, {
      resourceUid: RETIRED_UID,
      name: 'impact-retiring-base',
      cpuArchitecture: 'x86_64',
      osFamily: 'linux',
      visibility: 'public',
    })
  ).id;
  privateId = (
    await admin('POST', `/v1/clouds/${cloudId}/images`, {
      resourceUid: PRIVATE_UID,
      name: 'impact-private-base',
      cpuArchitecture: 'x86_64',
      osFamily: 'linux',
      visibility: 'private',
      ownerAccountId: owner.id,
    })
  ).id;
  const mciOf = async (name: string, imageId: string) => {
    const head = await asO('POST', `/v1/accounts/${owner.id}/mcis`, {
      name,
      settings: [{ cloudId, imageId, instanceTypeId: m5Large }],
    });
    const r1 = await asO('POST', `/v1/accounts/${owner.id}/mcis/${head.id}/commit`, { message: 'v1' });
    return { head, r1 };
  };
  await mciOf('Retiring_Web', retiredId);
  const golden = await mciOf('Impact_Golden', privateId);

  const group = await asO('POST', `/v1/accounts/${owner.id}/account-groups`, { name: 'Impact partners' });
  const invitation = await asO('POST', `/v1/accounts/${owner.id}/account-groups/${group.id}/invitations`, {
    accountId: partner.id,
  });
  await asP('POST', `/v1/accounts/${partner.id}/invitations/${invitation.code}/accept`);
  await asO('POST', `/v1/accounts/${owner.id}/publications`, {
    sourceId: golden.r1.id,
    visibility: 'groups',
    groupIds: [group.id],
    shortDescription: 'golden',
  });

  // The image goes away (by hand here; a sync does the same).
  await admin('PATCH', `/v1/clouds/${cloudId}/images/${retiredId}`, { state: 'unavailable' });
});
afterAll(() => dashboard?.close());

describe('image impact and live launchability in Chromium (R-CLD-5, R-GRP-2)', () => {
  it('R-CLD-5: the catalog shows an unavailable image with its state, its change and what uses it', async () => {
    await dashboard.signIn('olga@example.com', PASSWORD);
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Catalog', level: 2 }).waitFor();
    await choose(page, 'Cloud', 'AWS us-east-1');
    await page.getByLabel('Search images').fill(RETIRED_UID);
    await page.getByRole('button', { name: 'impact-retiring-base' }).click();
    const drawer = page.getByTestId('image-drawer');
    await drawer.waitFor();
    await expect.poll(() => drawer.getByTestId('image-state').textContent()).toContain('unavailable');
    const current = drawer.getByLabel('Current impact');
    await expect.poll(() => current.textContent()).toContain('Retiring_Web HEAD');
    expect(await current.textContent()).toContain('Retiring_Web r1');
    const changes = drawer.getByRole('table', { name: 'Image changes' });
    expect(await changes.textContent()).toContain('set by hand');
    expect(await changes.textContent()).toContain('2 MCI');
    await screenshot(page, '14-image-impact');
    await page.keyboard.press('Escape');
  });

  it('R-CLD-5: the MCI page alerts about the cloud whose image is unavailable', async () => {
    await page.getByRole('link', { name: 'MultiCloud Images' }).click();
    await page.getByRole('link', { name: 'Retiring_Web' }).first().click();
    const alert = page.getByTestId('image-alerts');
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).toContain('AWS us-east-1');
    expect(text).toContain(RETIRED_UID);
    expect(text).toContain('unavailable');
    expect(text).toContain('set by hand');
    // An MCI whose images are fine has no alert.
    await page.getByRole('link', { name: 'MultiCloud Images' }).click();
    await page.getByRole('link', { name: 'Impact_Golden' }).first().click();
    await page.getByRole('heading', { name: 'Impact_Golden' }).waitFor();
    expect(await page.getByTestId('image-alerts').count()).toBe(0);
  });

  it('R-GRP-2: "Re-check launchability" shows a published revision for its current receivers', async () => {
    await page.getByRole('link', { name: 'Marketplace' }).click();
    const mine = page.getByRole('table', { name: 'My publications' });
    await mine.getByText('Impact_Golden r1').waitFor();
    await mine.getByRole('button', { name: 'Re-check launchability' }).click();
    const dialog = page.getByTestId('recheck');
    const matrix = dialog.getByRole('table', { name: 'Preflight matrix' });
    await matrix.waitFor();
    expect(await matrix.getByRole('columnheader').allTextContents()).toEqual(['Image', 'Impact Partner']);
    const row = matrix.getByRole('row', { name: new RegExp(PRIVATE_UID) });
    expect(await row.textContent()).toContain('private, not shared');
    // No credentials to ask the cloud with: the catalog's copy, and the dialog says so.
    expect(await row.textContent()).toContain("catalog's copy");
    expect(await dialog.getByTestId('preflight-note').textContent()).toContain('credentials');

    await admin('PATCH', `/v1/clouds/${cloudId}/images/${privateId}`, { launchPermissions: [partner.id] });
    await dialog.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => row.textContent()).not.toContain('private, not shared');
    expect(await dialog.getByTestId('preflight').textContent()).toContain(
      'every receiving account can launch every image',
    );
    await screenshot(page, '15-recheck-launchability');
  });
});
