import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../support/server.ts';
import { startDashboard, type AdminApi, type Dashboard } from './setup.ts';
import { apiAs, choose, screenshot } from './support.ts';

const PASSWORD = 'correct horse battery';
const PRIVATE_UID = 'ami-0publisherprivate01';
let dashboard: Dashboard;
let server: RunningServer;
let page: Page;
let admin: AdminApi;
let publisher: { id: string; name: string };
let member: { id: string; name: string };
let cloudId: string;
let privateImageId: string;

beforeAll(async () => {
  dashboard = await startDashboard({
    adminToken: 'browser-admin-token-marketplace-0123',
    viewport: { width: 1280, height: 900 },
  });
  ({ server, page, api: admin } = dashboard);
  publisher = await admin('POST', '/v1/accounts', { name: 'Golden Images Inc' });
  member = await admin('POST', '/v1/accounts', { name: 'Partner Co' });
  const pUser = await dashboard.addUser(
    publisher.id,
    { email: 'pat@example.com', name: 'Pat', password: PASSWORD },
    ['publisher', 'designer'],
  );
  const mUser = await dashboard.addUser(
    member.id,
    { email: 'max@example.com', name: 'Max', password: PASSWORD },
    ['library', 'admin'],
  );
  const asP = await apiAs(
    server.baseUrl,
    (await admin('POST', `/v1/users/${pUser.id}/tokens`, { name: 'e2e' })).token,
  );
  const asM = await apiAs(
    server.baseUrl,
    (await admin('POST', `/v1/users/${mUser.id}/tokens`, { name: 'e2e' })).token,
  );

  // A private image of P in one demo cloud, a public demo image in another.
  const cloud = async (name: string) =>
    (await admin('GET', `/v1/clouds?q=${encodeURIComponent(name)}`)).items.find(
      (c: { name: string }) => c.name === name,
    ).id as string;
  const m5Large = async (c: string) =>
    (await admin('GET', `/v1/clouds/${c}/instance-types?cpuArchitecture=x86_64&limit=500`)).items.find(
      (t: { resourceUid: string }) => t.resourceUid === 'm5.large',
    ).id as string;
  cloudId = await cloud('AWS us-east-1');
  const euWest = await cloud('AWS eu-west-1');
  const privateImage = await admin('POST', `/v1/clouds/${cloudId}/images`, {
    resourceUid: PRIVATE_UID,
    name: 'golden-base-2026',
    cpuArchitecture: 'x86_64',
    osFamily: 'linux',
    visibility: 'private',
    ownerAccountId: publisher.id,
  });
  privateImageId = privateImage.id;
  const publicImage = (
    await admin('GET', `/v1/clouds/${euWest}/images?q=al2023-ami-2023.12.20260727.0-kernel-6.1-x86_64`)
  ).items[0];
  const head = await asP('POST', `/v1/accounts/${publisher.id}/mcis`, {
    name: 'Golden_Base',
    description: 'Hardened base image',
    settings: [
      { cloudId, imageId: privateImage.id, instanceTypeId: await m5Large(cloudId) },
      { cloudId: euWest, imageId: publicImage.id, instanceTypeId: await m5Large(euWest) },
    ],
  });
  await asP('POST', `/v1/accounts/${publisher.id}/mcis/${head.id}/commit`, { message: 'First build' });

  // A group of P with M as its member.
  const group = await asP('POST', `/v1/accounts/${publisher.id}/account-groups`, { name: 'Partners' });
  const invitation = await asP(
    'POST',
    `/v1/accounts/${publisher.id}/account-groups/${group.id}/invitations`,
    {
      accountId: member.id,
    },
  );
  await asM('POST', `/v1/accounts/${member.id}/invitations/${invitation.code}/accept`);
});
afterAll(() => dashboard?.close());

async function signIn(email: string) {
  await dashboard.signIn(email, PASSWORD);
}

describe('the marketplace and sharing in Chromium', () => {
  it('runs the preflight before publishing, refuses a strict publish with gaps, then publishes', async () => {
    await signIn('pat@example.com');
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByRole('heading', { name: 'Marketplace', level: 2 }).waitFor();
    await page.getByText('This account has published nothing yet.').waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await choose(page, 'Revision', 'Golden_Base r1');
    await choose(page, 'Groups', 'Partners');
    await page.keyboard.press('Escape');
    await dialog.getByLabel('Short description').fill('A hardened base image for partners');
    await dialog.getByLabel('Categories').fill('base');
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Run preflight' }).click();

    const matrix = dialog.getByRole('table', { name: 'Preflight matrix' });
    await matrix.waitFor();
    expect(await matrix.getByRole('columnheader').allTextContents()).toEqual(['Image', 'Partner Co']);
    const privateRow = matrix.getByRole('row', { name: new RegExp(PRIVATE_UID) });
    expect(await privateRow.textContent()).toContain('private, not shared');
    const publicRow = matrix.getByRole('row', { name: /eu-west-1/ });
    expect(await publicRow.textContent()).toContain('usable');
    expect(await dialog.getByTestId('preflight').textContent()).toContain('1 gap');
    await screenshot(page, '09-publish-preflight');

    await dialog.getByLabel(/^Strict/).check();
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect
      .poll(() => dialog.getByTestId('problem').textContent())
      .toContain('1 receiving account/image pair(s) could not launch');

    // The owner shares the private image with M; the preflight now passes.
    await admin('PATCH', `/v1/clouds/${cloudId}/images/${privateImageId}`, {
      launchPermissions: [member.id],
    });
    await dialog.getByRole('button', { name: 'Re-run preflight' }).click();
    await expect.poll(() => privateRow.textContent()).not.toContain('private, not shared');
    expect(await privateRow.textContent()).toContain('usable');
    expect(await dialog.getByTestId('preflight').textContent()).toContain(
      'every receiving account can launch every image',
    );
    expect(await dialog.getByTestId('problem').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(() => dialog.getByTestId('published').textContent()).toContain('Golden_Base r1');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const mine = page.getByRole('table', { name: 'My publications' });
    await mine.getByText('Golden_Base r1').waitFor();
    expect(await mine.textContent()).toContain('active');
    expect(await mine.getByRole('button', { name: 'Deprecate' }).count()).toBe(1);
  });

  it('invites an account from the group owner’s Sharing page, shows the code once, and cancels', async () => {
    const other = await admin<{ id: string }>('POST', '/v1/accounts', { name: 'Other Co' });
    await page.getByRole('link', { name: 'Sharing' }).click();
    const group = page.getByRole('region', { name: 'Group Partners' });
    await group.waitFor();
    expect(await group.textContent()).toContain('owned by this account');
    const invitations = group.getByRole('table', { name: 'Invitations of Partners' });
    await expect.poll(() => invitations.textContent()).toContain('accepted');

    await group.getByLabel('Invite an account').fill('acc_does_not_exist');
    await group.getByRole('button', { name: 'Invite' }).click();
    await expect.poll(() => group.getByTestId('problem').count()).toBe(1);
    await group.getByLabel('Invite an account').fill(other.id);
    await group.getByRole('button', { name: 'Invite' }).click();
    const code = group.getByTestId('invitation-code');
    await expect.poll(() => code.textContent()).toContain('shown only once');
    expect(await group.getByTestId('problem').count()).toBe(0);
    const pending = invitations.getByRole('row', { name: /pending/ });
    await pending.waitFor();
    await pending.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => invitations.textContent()).toContain('cancelled');
    expect(await invitations.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
  });

  it('lets the member account import the publication once, then says it is already imported', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('max@example.com');
    await page.getByRole('link', { name: 'Marketplace' }).click();
    const card = page.getByRole('article', { name: 'Golden_Base' });
    await card.waitFor();
    const text = await card.textContent();
    expect(text).toContain('Golden Images Inc');
    expect(text).toContain('r1');
    expect(text).toContain('AWS us-east-1');
    expect(text).toContain('AWS eu-west-1');
    expect(text).toContain('base');
    // M is neither publisher nor owner of a group: no Publish, no "My publications".
    expect(await page.getByRole('button', { name: 'Publish', exact: true }).count()).toBe(0);
    expect(await page.getByRole('table', { name: 'My publications' }).count()).toBe(0);

    await card.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => card.getByTestId('import-result').textContent()).toBe('imported');
    await card.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => card.getByTestId('import-result').textContent()).toBe('already imported');
    await screenshot(page, '10-marketplace');

    await card.getByRole('link', { name: 'Open the copy' }).click();
    await page.getByRole('heading', { name: 'Golden_Base' }).waitFor();
    await page.getByText('imported, read-only').waitFor();
  });

  it('shows the member account its group and the accepted invitation', async () => {
    await page.getByRole('link', { name: 'Sharing' }).click();
    const group = page.getByRole('region', { name: 'Group Partners' });
    await group.waitFor();
    expect(await group.textContent()).toContain('owner Golden Images Inc');
    expect(await group.getByRole('table', { name: 'Members of Partners' }).textContent()).toContain(
      'Partner Co',
    );
    // Only the owner's publishers invite and remove members.
    expect(await group.getByRole('button', { name: /Remove|Invite/ }).count()).toBe(0);
    const received = page.getByRole('table', { name: 'Received invitations' });
    expect(await received.textContent()).toContain('Partners');
    expect(await received.textContent()).toContain('accepted');
    await page.getByLabel('Accept with code').waitFor();
    await screenshot(page, '11-sharing');
  });
});
