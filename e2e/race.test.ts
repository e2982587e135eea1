/**
 * The race tier (docs/adr/012-outside-testers.md): two real server processes on one fresh
 * PostgreSQL database, driven by concurrent HTTP requests. PGlite serializes every transaction, so
 * these races exist only on PostgreSQL; without DATABASE_URL the tier is skipped.
 */
import type { ApiClient } from '@mci/client';
import { withAdminClient } from '@mci/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createCloud, createMci, must } from './peers/fixtures.ts';
import { startServer, type RunningServer } from './support/server.ts';

const ADMIN_URL = process.env.DATABASE_URL;
const ADMIN_TOKEN = `race-admin-token-${process.pid}-0123456789`;
const DB_NAME = `mci_race_${process.pid}`;
const N = 20;

let servers: RunningServer[] = [];
/** One client per server process; requests alternate between them. */
let apis: ApiClient[] = [];
let accountId: string;
let importerId: string;
let c1: Awaited<ReturnType<typeof createCloud>>;
let c2: Awaited<ReturnType<typeof createCloud>>;
/** A second image and instance type of c1, for setting edits that change something. */
let c1Alt: { imageId: string; instanceTypeId: string };

interface Answer {
  status: number;
  body: unknown;
}

/** Sends `n` requests at once, the i-th to server i mod 2, and waits for every answer. */
async function race(
  n: number,
  send: (api: ApiClient, i: number) => Promise<{ response: Response; data?: unknown; error?: unknown }>,
): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const r = await send(apis[i % apis.length], i);
      return { status: r.response.status, body: r.data ?? r.error };
    }),
  );
}

function statuses(answers: Answer[]): Record<number, number> {
  const count: Record<number, number> = {};
  for (const a of answers) count[a.status] = (count[a.status] ?? 0) + 1;
  return count;
}

/** Exactly one winner (`won`), every other answer 412: the If-Match rule under concurrency. */
function expectOneWinner(answers: Answer[], won: number): void {
  const serverErrors = answers.filter((a) => a.status >= 500);
  expect(serverErrors, `server errors: ${JSON.stringify(serverErrors.slice(0, 3))}`).toEqual([]);
  expect(statuses(answers)).toEqual({ [won]: 1, 412: answers.length - 1 });
}

function etagOf(r: { response: Response }): string {
  const etag = r.response.headers.get('etag');
  expect(etag).toMatch(/^"\d+"$/);
  return etag!;
}

async function mciHead(name: string, settings = [c1, c2]) {
  const api = apis[0];
  const created = await createMci(api, accountId, name, settings);
  const read = await api.GET('/v1/accounts/{a}/mcis/{id}', {
    params: { path: { a: accountId, id: created.id } },
  });
  return { id: created.id, lineageId: created.lineageId, etag: etagOf(read) };
}

async function commitMci(id: string, message: string) {
  return must(
    `commit ${id}`,
    await apis[0].POST('/v1/accounts/{a}/mcis/{id}/commit', {
      params: { path: { a: accountId, id } },
      body: { message },
    }),
    201,
  );
}

async function templateHead(name: string, mciIds: string[]) {
  const api = apis[0];
  const t = must(
    `create template ${name}`,
    await api.POST('/v1/accounts/{a}/server-templates', {
      params: { path: { a: accountId } },
      body: { name, mciIds },
    }),
    201,
  );
  const read = await api.GET('/v1/accounts/{a}/server-templates/{id}', {
    params: { path: { a: accountId, id: t.id } },
  });
  return { template: must('read template', read, 200), etag: etagOf(read) };
}

describe.skipIf(!ADMIN_URL)('race tier: two server processes on one PostgreSQL (DATABASE_URL)', () => {
  beforeAll(async () => {
    await withAdminClient(ADMIN_URL!, async (c) => {
      await c.query(`drop database if exists ${DB_NAME} with (force)`);
      await c.query(`create database ${DB_NAME}`);
    });
    const u = new URL(ADMIN_URL!);
    u.pathname = `/${DB_NAME}`;
    const env = { DATABASE_URL: u.toString(), SEED: 'none', ADMIN_TOKEN, LOG_LEVEL: 'warn' };
    // One after the other: the first one migrates and bootstraps, the second finds it done.
    servers.push(await startServer({ ...env, LOG_LEVEL: 'info' }));
    servers.push(await startServer({ ...env, LOG_LEVEL: 'info' }));
    apis = servers.map((s) => client(s.baseUrl, ADMIN_TOKEN));

    const api = apis[0];
    accountId = must('account', await api.POST('/v1/accounts', { body: { name: 'Race' } }), 201).id;
    importerId = must('account', await api.POST('/v1/accounts', { body: { name: 'Race importer' } }), 201).id;
    c1 = await createCloud(api, 'Race-east-1');
    c2 = await createCloud(api, 'Race-west-2');
    const image = must(
      'second image',
      await api.POST('/v1/clouds/{c}/images', {
        params: { path: { c: c1.cloudId } },
        body: { resourceUid: 'ami-race-alt', name: 'alt', cpuArchitecture: 'x86_64', visibility: 'public' },
      }),
      201,
    );
    const type = must(
      'second instance type',
      await api.POST('/v1/clouds/{c}/instance-types', {
        params: { path: { c: c1.cloudId } },
        body: {
          resourceUid: 'm5.large',
          name: 'm5.large',
          cpuArchitectures: ['x86_64'],
          cpuCount: 2,
          memoryMb: 8192,
        },
      }),
      201,
    );
    c1Alt = { imageId: image.id, instanceTypeId: type.id };
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) {
      const errors = s
        .output()
        .split('\n')
        .filter((l) => /"level":(5\d|60)\b/.test(l));
      if (errors.length > 0)
        console.log(`server ${s.baseUrl} logged errors:\n${errors.slice(0, 5).join('\n')}`);
      await s.stop();
    }
    servers = [];
    await withAdminClient(ADMIN_URL!, (c) => c.query(`drop database if exists ${DB_NAME} with (force)`));
  });

  describe(`${N} concurrent If-Match edits of one HEAD with one ETag: exactly one wins, the rest 412`, () => {
    it('MCI PATCH', async () => {
      const head = await mciHead('race-patch');
      const answers = await race(N, (api, i) =>
        api.PATCH('/v1/accounts/{a}/mcis/{id}', {
          params: { path: { a: accountId, id: head.id }, header: { 'if-match': head.etag } },
          body: { name: `race-patch-${i}` },
        }),
      );
      expectOneWinner(answers, 200);
    });

    it('setting PUT', async () => {
      const head = await mciHead('race-put');
      const answers = await race(N, (api, i) =>
        api.PUT('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
          params: {
            path: { a: accountId, id: head.id, cloudId: c1.cloudId },
            header: { 'if-match': head.etag },
          },
          body: { ...c1Alt, userData: `#!/bin/sh\necho ${i}` },
        }),
      );
      expectOneWinner(answers, 200);
    });

    it('setting DELETE', async () => {
      const head = await mciHead('race-delete-setting');
      const answers = await race(N, (api) =>
        api.DELETE('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
          params: {
            path: { a: accountId, id: head.id, cloudId: c2.cloudId },
            header: { 'if-match': head.etag },
          },
        }),
      );
      expectOneWinner(answers, 200);
    });

    it('template PATCH', async () => {
      const mci = await mciHead('race-template-patch-mci');
      const { template, etag } = await templateHead('race-template-patch', [mci.id]);
      const answers = await race(N, (api, i) =>
        api.PATCH('/v1/accounts/{a}/server-templates/{id}', {
          params: { path: { a: accountId, id: template.id }, header: { 'if-match': etag } },
          body: { description: `edit ${i}` },
        }),
      );
      expectOneWinner(answers, 200);
    });

    it('link PATCH (another revision of the linked MCI)', async () => {
      const mci = await mciHead('race-link-mci');
      const rev1 = await commitMci(mci.id, 'one');
      const rev2 = await commitMci(mci.id, 'two');
      const { template, etag } = await templateHead('race-link-patch', [rev1.id]);
      const linkId = template.links[0].id;
      const answers = await race(N, (api, i) =>
        api.PATCH('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', {
          params: { path: { a: accountId, id: template.id, linkId }, header: { 'if-match': etag } },
          body: { mciId: i % 2 === 0 ? rev2.id : mci.id },
        }),
      );
      expectOneWinner(answers, 200);
    });

    it('link add (POST …/mcis) of different MCIs', async () => {
      const first = await mciHead('race-link-add-0');
      const others = await Promise.all(
        Array.from({ length: N }, (_, i) => createMci(apis[0], accountId, `race-link-add-${i + 1}`, [c1])),
      );
      const { template, etag } = await templateHead('race-link-add', [first.id]);
      const answers = await race(N, (api, i) =>
        api.POST('/v1/accounts/{a}/server-templates/{id}/mcis', {
          params: { path: { a: accountId, id: template.id }, header: { 'if-match': etag } },
          body: { mciId: others[i].id },
        }),
      );
      expectOneWinner(answers, 201);
    });

    it('link DELETE', async () => {
      const a = await mciHead('race-unlink-a');
      const b = await mciHead('race-unlink-b');
      const { template, etag } = await templateHead('race-unlink', [a.id, b.id]);
      const nonDefault = template.links.find((l) => !l.isDefault)!;
      const answers = await race(N, (api) =>
        api.DELETE('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', {
          params: {
            path: { a: accountId, id: template.id, linkId: nonDefault.id },
            header: { 'if-match': etag },
          },
        }),
      );
      expectOneWinner(answers, 200);
    });

    it('make-default', async () => {
      const a = await mciHead('race-default-a');
      const b = await mciHead('race-default-b');
      const { template, etag } = await templateHead('race-default', [a.id, b.id]);
      const nonDefault = template.links.find((l) => !l.isDefault)!;
      const answers = await race(N, (api) =>
        api.POST('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}/make-default', {
          params: {
            path: { a: accountId, id: template.id, linkId: nonDefault.id },
            header: { 'if-match': etag },
          },
        }),
      );
      expectOneWinner(answers, 200);
    });
  });

  describe('deletes against creations and concurrent imports: never a 500', () => {
    it('deleting a deployment while 15 servers are created in it', async () => {
      const mci = await mciHead('race-deploy-mci', [c1]);
      const { template } = await templateHead('race-deploy-template', [mci.id]);
      const deployment = must(
        'deployment',
        await apis[0].POST('/v1/accounts/{a}/deployments', {
          params: { path: { a: accountId } },
          body: { name: 'race-doomed' },
        }),
        201,
      );
      const creations = race(15, (api, i) =>
        api.POST('/v1/accounts/{a}/deployments/{d}/servers', {
          params: { path: { a: accountId, d: deployment.id } },
          body: { name: `web-${i}`, serverTemplateId: template.id, cloudId: c1.cloudId },
        }),
      );
      const deletion = apis[1].DELETE('/v1/accounts/{a}/deployments/{d}', {
        params: { path: { a: accountId, d: deployment.id } },
      });
      const [created, deleted] = await Promise.all([creations, deletion]);
      const all = [...created, { status: deleted.response.status, body: deleted.error }];
      expect(
        all.filter((a) => a.status >= 500),
        JSON.stringify(statuses(all)),
      ).toEqual([]);
      // Each creation either happened before the delete or found the deployment gone.
      for (const c of created) expect([201, 404, 409]).toContain(c.status);
      expect([204, 409]).toContain(deleted.response.status);
      const after = await apis[0].GET('/v1/accounts/{a}/deployments/{d}', {
        params: { path: { a: accountId, d: deployment.id } },
      });
      expect(after.response.status).toBe(deleted.response.status === 204 ? 404 : 200);
    });

    it('R-MCI-7: deleting an MCI lineage while templates link it', async () => {
      const mci = await mciHead('race-doomed-mci', [c1]);
      const creations = race(15, (api, i) =>
        api.POST('/v1/accounts/{a}/server-templates', {
          params: { path: { a: accountId } },
          body: { name: `race-linker-${i}`, mciIds: [mci.id] },
        }),
      );
      const deletion = apis[1].DELETE('/v1/accounts/{a}/mcis/{id}', {
        params: { path: { a: accountId, id: mci.id } },
      });
      const [created, deleted] = await Promise.all([creations, deletion]);
      const all = [...created, { status: deleted.response.status, body: deleted.error }];
      expect(
        all.filter((a) => a.status >= 500),
        JSON.stringify(statuses(all)),
      ).toEqual([]);
      for (const c of created) expect([201, 404, 409, 422]).toContain(c.status);
      expect([204, 409]).toContain(deleted.response.status);
      const linked = created.filter((c) => c.status === 201).length;
      // Deleted only when no template links it (409 otherwise), never both.
      if (deleted.response.status === 204) expect(linked).toBe(0);
    });

    it('R-IMP-2: 10 simultaneous imports of one publication: one 201, the rest 200 with the same copy', async () => {
      const mci = await mciHead('race-published', [c1]);
      const rev = await commitMci(mci.id, 'to publish');
      const published = must(
        'publish',
        await apis[0].POST('/v1/accounts/{a}/publications', {
          params: { path: { a: accountId } },
          body: { sourceId: rev.id, visibility: 'public', shortDescription: 'race' },
        }),
        201,
      );
      const answers = await race(10, (api) =>
        api.POST('/v1/accounts/{a}/imports', {
          params: { path: { a: importerId } },
          body: { publicationId: published.publication.id },
        }),
      );
      expect(
        answers.filter((a) => a.status >= 500),
        JSON.stringify(statuses(answers)),
      ).toEqual([]);
      expect(statuses(answers)).toEqual({ 201: 1, 200: 9 });
      const copies = new Set(answers.map((a) => JSON.stringify((a.body as { imported?: unknown }).imported)));
      expect(copies.size).toBe(1);
    });
  });

  it(`two server processes committing one lineage ${N} times at once: consecutive numbers, no duplicate`, async () => {
    const head = await mciHead('race-commits', [c1]);
    const answers = await race(N, (api, i) =>
      api.POST('/v1/accounts/{a}/mcis/{id}/commit', {
        params: { path: { a: accountId, id: head.id } },
        body: { message: `commit ${i}` },
      }),
    );
    expect(
      answers.filter((a) => a.status >= 500),
      JSON.stringify(statuses(answers)),
    ).toEqual([]);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    const numbers = answers
      .filter((a) => a.status === 201)
      .map((a) => (a.body as { revision: number }).revision)
      .sort((x, y) => x - y);
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    const listed = must(
      'revisions',
      await apis[0].GET('/v1/accounts/{a}/mcis/{id}/revisions', {
        params: { path: { a: accountId, id: head.id } },
      }),
      200,
    );
    const committed = listed.items.map((r) => r.revision).filter((n) => n > 0);
    expect(new Set(committed).size).toBe(committed.length);
    expect(committed.sort((x, y) => x - y)).toEqual(numbers);
  });
});

describe.skipIf(Boolean(ADMIN_URL))('race tier', () => {
  it.skip('needs PostgreSQL: set DATABASE_URL (CI does); PGlite serializes every transaction', () => {});
});
