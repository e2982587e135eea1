import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const a = (acc: { id: string }, p: string) => `/v1/accounts/${acc.id}${p}`;
const withoutVolatile = (body: string) =>
  body
    .replace(/"(requestId|id|createdAt|expiresAt)":"[^"]*"/g, '"$1":"-"')
    .replace(/min_[0-9a-z]+/g, 'min_-');

async function auditOf(acc: { id: string }) {
  return (await h.call('GET', a(acc, '/audit?limit=100'))).data.items as {
    action: string;
    summary: string;
  }[];
}

describe('enrolment through member invitations (issue 11, item 6)', () => {
  it('an account admin cannot enrol a user of the installation by id: 404, whether or not the user exists', async () => {
    const acc = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const elsewhere = await h.build.account();
    const stranger = await h.build.user({ accountId: elsewhere.id, roles: ['admin'] });
    const existing = await h.call('PUT', a(acc, `/members/${stranger.id}`), {
      token: admin.token,
      body: { roles: ['observer'] },
    });
    const missing = await h.call('PUT', a(acc, '/members/usr_01nosuchuser0000000000000'), {
      token: admin.token,
      body: { roles: ['observer'] },
    });
    expect(existing.statusCode).toBe(404);
    expect(existing.body).not.toContain(stranger.email);
    expect(withoutVolatile(existing.body).replace(stranger.id, 'X')).toBe(
      withoutVolatile(missing.body).replace('usr_01nosuchuser0000000000000', 'X'),
    );
    const members = (await h.call('GET', a(acc, '/members'), { token: admin.token })).data.items;
    expect(members.map((m: { userId: string }) => m.userId)).toEqual([admin.id]);
  });

  it('an admin invites by email; the invitee sees, accepts, and only then is a member; all audited', async () => {
    const acc = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const invitee = await h.build.user();
    const designer = await h.build.user({ accountId: acc.id, roles: ['designer'] });

    const forbidden = await h.call('POST', a(acc, '/member-invitations'), {
      token: designer.token,
      body: { email: invitee.email, roles: ['actor'] },
    });
    expect(forbidden.statusCode).toBe(403);

    const created = await h.call('POST', a(acc, '/member-invitations'), {
      token: admin.token,
      body: { email: invitee.email.toUpperCase(), roles: ['observer', 'actor'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(a(acc, `/member-invitations/${created.data.id}`));
    expect(created.data).toMatchObject({
      accountId: acc.id,
      accountName: acc.name,
      state: 'pending',
      roles: ['observer', 'actor'],
    });
    expect((await h.call('GET', created.headers.location as string, { token: admin.token })).data).toEqual(
      created.data,
    );
    expect((await h.call('GET', a(acc, '/member-invitations'), { token: admin.token })).data.items).toEqual([
      created.data,
    ]);
    expect((await h.call('GET', a(acc, '/member-invitations'), { token: designer.token })).statusCode).toBe(
      403,
    );

    // Not a member yet.
    expect((await h.call('GET', a(acc, ''), { token: invitee.token })).statusCode).toBe(404);
    const dup = await h.call('POST', a(acc, '/member-invitations'), {
      token: admin.token,
      body: { email: invitee.email, roles: ['observer'] },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.data.errors[0].path).toBe('email');

    const mine = await h.call('GET', '/v1/me/member-invitations', { token: invitee.token });
    expect(mine.data.items).toEqual([created.data]);
    // Somebody else cannot act on it.
    const other = await h.build.user();
    expect((await h.call('GET', '/v1/me/member-invitations', { token: other.token })).data.items).toEqual([]);
    expect(
      (await h.call('POST', `/v1/me/member-invitations/${created.data.id}/accept`, { token: other.token }))
        .statusCode,
    ).toBe(404);

    const accepted = await h.call('POST', `/v1/me/member-invitations/${created.data.id}/accept`, {
      token: invitee.token,
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.data).toMatchObject({
      accountId: acc.id,
      userId: invitee.id,
      roles: ['observer', 'actor'],
    });
    const me = await h.call('GET', '/v1/me', { token: invitee.token });
    expect(me.data.accounts).toEqual([{ id: acc.id, name: acc.name, roles: ['observer', 'actor'] }]);
    const again = await h.call('POST', `/v1/me/member-invitations/${created.data.id}/accept`, {
      token: invitee.token,
    });
    expect(again.statusCode).toBe(409);
    expect(again.data.code).toBe('invitation_closed');
    expect((await h.call('GET', '/v1/me/member-invitations', { token: invitee.token })).data.items).toEqual(
      [],
    );
    expect((await h.call('GET', a(acc, '/member-invitations'), { token: admin.token })).data.items).toEqual(
      [],
    );

    // Now a member: the admin changes the roles, and inviting again is a conflict.
    const put = await h.call('PUT', a(acc, `/members/${invitee.id}`), {
      token: admin.token,
      body: { roles: ['designer'] },
    });
    expect(put.statusCode).toBe(200);
    const member = await h.call('POST', a(acc, '/member-invitations'), {
      token: admin.token,
      body: { email: invitee.email, roles: ['observer'] },
    });
    expect(member.statusCode).toBe(409);
    expect(member.data.code).toBe('already_member');
    expect(
      (await h.call('DELETE', a(acc, `/members/${invitee.id}`), { token: admin.token })).statusCode,
    ).toBe(204);

    const actions = (await auditOf(acc)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'member_invitation.create',
        'member_invitation.accept',
        'member.put',
        'member.delete',
      ]),
    );
  });

  it('the answer to an invitation is the same for an unknown address, a user of another account and a new user', async () => {
    const acc = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const elsewhere = await h.build.account();
    const known = await h.build.user({ accountId: elsewhere.id, roles: ['observer'] });
    const invite = (email: string) =>
      h.call('POST', a(acc, '/member-invitations'), {
        token: admin.token,
        body: { email, roles: ['observer'] },
      });
    const forKnown = await invite(known.email);
    const forUnknown = await invite('nobody-here@example.com');
    expect(forKnown.statusCode).toBe(201);
    expect(forUnknown.statusCode).toBe(201);
    expect(withoutVolatile(forKnown.body).replace(known.email, 'E')).toBe(
      withoutVolatile(forUnknown.body).replace('nobody-here@example.com', 'E'),
    );
    // A user created later for that address sees the invitation.
    const later = await h.call('POST', '/v1/users', {
      body: { email: 'nobody-here@example.com', name: 'Later' },
    });
    const token = (await h.call('POST', `/v1/users/${later.data.id}/tokens`, { body: { name: 't' } })).data
      .token;
    const mine = await h.call('GET', '/v1/me/member-invitations', { token });
    expect(mine.data.items.map((i: { id: string }) => i.id)).toEqual([forUnknown.data.id]);
  });

  it('POST /v1/users by an account admin answers the same whether the email exists or not', async () => {
    const acc = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const elsewhere = await h.build.user();
    const forExisting = await h.call('POST', '/v1/users', {
      token: admin.token,
      body: { email: elsewhere.email, name: 'X', password: 'a long passphrase' },
    });
    const forNew = await h.call('POST', '/v1/users', {
      token: admin.token,
      body: { email: 'brand-new@example.com', name: 'X', password: 'a long passphrase' },
    });
    expect(forExisting.statusCode).toBe(403);
    expect(forExisting.data.code).toBe('superuser_required');
    expect(withoutVolatile(forExisting.body)).toBe(withoutVolatile(forNew.body));
    // Nothing was created.
    const signIn = await h.call('POST', '/v1/session', {
      token: null,
      body: { email: 'brand-new@example.com', password: 'a long passphrase' },
    });
    expect(signIn.statusCode).toBe(401);
  });

  it('the invitee declines; the admin cancels; an expired one cannot be accepted', async () => {
    const acc = await h.build.account();
    const admin = await h.build.user({ accountId: acc.id, roles: ['admin'] });
    const invitee = await h.build.user();
    const invite = async () =>
      (
        await h.call('POST', a(acc, '/member-invitations'), {
          token: admin.token,
          body: { email: invitee.email, roles: ['observer'] },
        })
      ).data;

    const first = await invite();
    expect(
      (await h.call('POST', `/v1/me/member-invitations/${first.id}/decline`, { token: invitee.token }))
        .statusCode,
    ).toBe(204);
    expect((await h.call('GET', a(acc, ''), { token: invitee.token })).statusCode).toBe(404);

    const second = await invite();
    expect(
      (await h.call('DELETE', a(acc, `/member-invitations/${second.id}`), { token: admin.token })).statusCode,
    ).toBe(204);
    expect(
      (await h.call('DELETE', a(acc, `/member-invitations/${second.id}`), { token: admin.token })).statusCode,
    ).toBe(404);
    // Cancelled is deleted for the admin: no longer readable (the audit entry stays).
    expect(
      (await h.call('GET', a(acc, `/member-invitations/${second.id}`), { token: admin.token })).statusCode,
    ).toBe(404);
    expect(
      (await h.call('POST', `/v1/me/member-invitations/${second.id}/accept`, { token: invitee.token })).data
        .code,
    ).toBe('invitation_closed');

    const third = await invite();
    h.clock.advance(15 * 86_400_000);
    expect((await h.call('GET', '/v1/me/member-invitations', { token: invitee.token })).data.items).toEqual(
      [],
    );
    const late = await h.call('POST', `/v1/me/member-invitations/${third.id}/accept`, {
      token: invitee.token,
    });
    expect(late.statusCode).toBe(409);
    expect(late.data.state).toBe('expired');
    const listed = (await h.call('GET', a(acc, '/member-invitations'), { token: admin.token })).data.items;
    expect(listed.map((i: { id: string; state: string }) => [i.id, i.state])).toEqual([
      [third.id, 'expired'],
    ]);
    // An expired invitation does not stand in the way of a new one.
    expect((await invite()).state).toBe('pending');

    const entries = await auditOf(acc);
    expect(entries.map((e) => e.action)).toContain('member_invitation.cancel');
    // A decline is not in the account's log: it would show the id of a user who is not a member.
    expect(JSON.stringify(entries)).not.toContain(invitee.id);
    const all = (await h.call('GET', '/v1/audit?limit=500')).data.items as {
      action: string;
      userId: string;
    }[];
    expect(all.some((e) => e.action === 'member_invitation.decline' && e.userId === invitee.id)).toBe(true);
  });

  it('the superuser still enrols any user directly', async () => {
    const acc = await h.build.account();
    const user = await h.build.user();
    const put = await h.call('PUT', a(acc, `/members/${user.id}`), { body: { roles: ['observer'] } });
    expect(put.statusCode).toBe(200);
    expect(
      (await auditOf(acc)).some((e) => e.action === 'member.put' && e.summary.startsWith('added ')),
    ).toBe(true);
  });
});

describe("ids of other tenants' users (issue 11, item 6)", () => {
  it("an imported revision does not show the publishing account's committer", async () => {
    const P = await h.build.account();
    const M = await h.build.account();
    const publisher = await h.build.user({ accountId: P.id, roles: ['publisher', 'designer'] });
    const importer = await h.build.user({ accountId: M.id, roles: ['library', 'designer'] });
    const c = await h.build.cloudWithImage();
    const head = await h.build.mci(
      P.id,
      { name: 'Shared', settings: [{ cloudId: c.cloud.id, imageId: c.image.id, instanceTypeId: c.type.id }] },
      publisher.token,
    );
    const r1 = (
      await h.call('POST', a(P, `/mcis/${head.id}/commit`), {
        token: publisher.token,
        body: { message: 'v1' },
      })
    ).data;
    expect(r1.committedBy).toBe(publisher.id);
    const published = await h.call('POST', a(P, '/publications'), {
      token: publisher.token,
      body: { sourceId: r1.id, visibility: 'public', shortDescription: 'shared' },
    });
    expect(published.statusCode).toBe(201);
    const imported = await h.call('POST', a(M, '/imports'), {
      token: importer.token,
      body: { publicationId: published.data.publication.id },
    });
    expect(imported.statusCode).toBe(201);
    expect(imported.data.committedBy).toBeNull();
    const read = await h.call('GET', a(M, `/mcis/${imported.data.id}`), { token: importer.token });
    expect(read.data.committedBy).toBeNull();
    const revisions = await h.call('GET', a(M, `/mcis/${imported.data.id}/revisions`), {
      token: importer.token,
    });
    expect(revisions.data.items.map((r: { committedBy: string | null }) => r.committedBy)).toEqual([null]);
    const list = await h.call('GET', a(M, '/mcis'), { token: importer.token });
    expect(list.body).not.toContain(publisher.id);
    expect(read.body).not.toContain(publisher.id);
    // The published source read across accounts (clone and merge read it so) hides its author too.
    const source = await h.call('GET', a(M, `/mcis/${r1.id}`), { token: importer.token });
    expect(source.statusCode).toBe(200);
    expect(source.data.committedBy).toBeNull();
    expect(source.body).not.toContain(publisher.id);
  });
});
