import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '@mci/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * The whole story over HTTP with real AMI facts: per-region AMI ids of Amazon Linux 2023
 * (moto's latest_amis, in ../shared/data/external/moto-aws-amis) in three AWS regions.
 */
const ADMIN_TOKEN = 'story-admin-token-0123456789';
const PIVOT = new URL(
  '../../shared/data/external/moto-aws-amis/latest-amis-pivot-by-name.json',
  import.meta.url,
);
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
const X86 = 'al2023-ami-2023.12.20260727.0-kernel-6.1-x86_64';
const ARM = 'al2023-ami-2023.12.20260727.0-kernel-6.1-arm64';

let server: RunningServer;
let dataDir: string;
let admin: ApiClient;
let amis: Record<string, Record<string, string>>;

beforeAll(async () => {
  amis = JSON.parse(await readFile(PIVOT, 'utf8')).images;
  dataDir = await mkdtemp(join(tmpdir(), 'mci-story-'));
  server = await startServer({ DATA_DIR: dataDir, SEED: 'none', ADMIN_TOKEN, DATABASE_URL: '' });
  admin = createApiClient({ baseUrl: server.baseUrl, token: ADMIN_TOKEN });
});
afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function ok<T>(res: { data?: T; error?: unknown; response: Response }, status = 200): T {
  expect(res.response.status, JSON.stringify(res.error)).toBe(status);
  return res.data!;
}

describe('a platform team rolls one server role out to three AWS regions', () => {
  it('builds clouds, an MCI with each region’s AMI, a template, and servers that inherit the right AMI', async () => {
    const clouds: Record<string, { id: string; x86: string; arm: string; m5: string; m6g: string }> = {};
    for (const region of REGIONS) {
      const cloud = ok(
        await admin.POST('/v1/clouds', { body: { name: `AWS ${region}`, cloudType: 'aws', region } }),
        201,
      );
      const image = async (name: string, arch: 'x86_64' | 'arm64') =>
        ok(
          await admin.POST('/v1/clouds/{c}/images', {
            params: { path: { c: cloud.id } },
            body: {
              resourceUid: amis[name][region],
              name,
              osFamily: 'amazon-linux',
              osVersion: '2023',
              cpuArchitecture: arch,
              visibility: 'public',
            },
          }),
          201,
        ).id;
      const type = async (uid: string, arch: 'x86_64' | 'arm64') =>
        ok(
          await admin.POST('/v1/clouds/{c}/instance-types', {
            params: { path: { c: cloud.id } },
            body: { resourceUid: uid, name: uid, cpuCount: 2, memoryMb: 8192, cpuArchitectures: [arch] },
          }),
          201,
        ).id;
      clouds[region] = {
        id: cloud.id,
        x86: await image(X86, 'x86_64'),
        arm: await image(ARM, 'arm64'),
        m5: await type('m5.large', 'x86_64'),
        m6g: await type('m6g.large', 'arm64'),
      };
    }
    const account = ok(await admin.POST('/v1/accounts', { body: { name: 'Platform' } }), 201);
    const dana = ok(
      await admin.POST('/v1/users', { body: { email: 'dana@example.com', name: 'Dana' } }),
      201,
    );
    ok(
      await admin.PUT('/v1/accounts/{a}/members/{userId}', {
        params: { path: { a: account.id, userId: dana.id } },
        body: { roles: ['designer', 'actor'] },
      }),
    );
    const token = ok(
      await admin.POST('/v1/users/{id}/tokens', {
        params: { path: { id: dana.id } },
        body: { name: 'story' },
      }),
      201,
    ).token;
    const api = createApiClient({ baseUrl: server.baseUrl, token });
    const a = { path: { a: account.id } };

    // An MCI for two regions; the architecture rule refuses an arm64 AMI on m5.large.
    const mci = ok(
      await api.POST('/v1/accounts/{a}/mcis', {
        params: a,
        body: {
          name: 'AL2023_x64',
          settings: ['us-east-1', 'eu-west-1'].map((r) => ({
            cloudId: clouds[r].id,
            imageId: clouds[r].x86,
            instanceTypeId: clouds[r].m5,
          })),
        },
      }),
      201,
    );
    const misfit = await api.POST('/v1/accounts/{a}/mcis/{id}/settings', {
      params: { path: { a: account.id, id: mci.id } },
      body: {
        cloudId: clouds['ap-northeast-1'].id,
        imageId: clouds['ap-northeast-1'].arm,
        instanceTypeId: clouds['ap-northeast-1'].m5,
      },
    });
    expect(misfit.response.status).toBe(422);
    expect((misfit.error as { code: string }).code).toBe('architecture_mismatch');
    ok(
      await api.POST('/v1/accounts/{a}/mcis/{id}/settings', {
        params: { path: { a: account.id, id: mci.id } },
        body: {
          cloudId: clouds['ap-northeast-1'].id,
          imageId: clouds['ap-northeast-1'].x86,
          instanceTypeId: clouds['ap-northeast-1'].m5,
        },
      }),
      201,
    );
    const lint = ok(
      await api.GET('/v1/accounts/{a}/mcis/{id}/lint', { params: { path: { a: account.id, id: mci.id } } }),
    );
    expect(lint.warnings).toEqual([]);
    const r1 = ok(
      await api.POST('/v1/accounts/{a}/mcis/{id}/commit', {
        params: { path: { a: account.id, id: mci.id } },
        body: { message: 'AL2023 July build' },
      }),
      201,
    );
    expect(r1.revision).toBe(1);

    // A Graviton MCI as a second choice, and a template linking revision 1 as the default.
    const arm = ok(
      await api.POST('/v1/accounts/{a}/mcis', {
        params: a,
        body: {
          name: 'AL2023_arm64',
          settings: [
            {
              cloudId: clouds['eu-west-1'].id,
              imageId: clouds['eu-west-1'].arm,
              instanceTypeId: clouds['eu-west-1'].m6g,
            },
          ],
        },
      }),
      201,
    );
    const template = ok(
      await api.POST('/v1/accounts/{a}/server-templates', {
        params: a,
        body: { name: 'Web', mciIds: [r1.id, arm.id] },
      }),
      201,
    );
    const supported = ok(
      await api.GET('/v1/accounts/{a}/server-templates/{id}/clouds', {
        params: { path: { a: account.id, id: template.id } },
      }),
    );
    expect(supported.items.map((c) => c.cloudName)).toEqual([
      'AWS ap-northeast-1',
      'AWS eu-west-1',
      'AWS us-east-1',
    ]);

    const deployment = ok(
      await api.POST('/v1/accounts/{a}/deployments', { params: a, body: { name: 'prod' } }),
      201,
    );
    const d = { path: { a: account.id, d: deployment.id } };
    for (const region of REGIONS) {
      const srv = ok(
        await api.POST('/v1/accounts/{a}/deployments/{d}/servers', {
          params: d,
          body: { name: `web-${region}`, serverTemplateId: template.id, cloudId: clouds[region].id },
        }),
        201,
      );
      expect(srv).toMatchObject({
        mciId: r1.id,
        imageId: clouds[region].x86,
        instanceTypeId: clouds[region].m5,
      });
      const image = ok(
        await api.GET('/v1/clouds/{c}/images/{id}', {
          params: { path: { c: clouds[region].id, id: srv.imageId } },
        }),
      );
      expect(image.resourceUid).toBe(amis[X86][region]);
    }
    const graviton = ok(
      await api.POST('/v1/accounts/{a}/deployments/{d}/servers', {
        params: d,
        body: {
          name: 'web-arm',
          serverTemplateId: template.id,
          cloudId: clouds['eu-west-1'].id,
          mciId: arm.id,
        },
      }),
      201,
    );
    expect(graviton).toMatchObject({
      imageId: clouds['eu-west-1'].arm,
      instanceTypeId: clouds['eu-west-1'].m6g,
      inheritedSource: { mci: 'user' },
    });

    const usage = ok(
      await api.GET('/v1/accounts/{a}/mcis/{id}/usage', { params: { path: { a: account.id, id: mci.id } } }),
    );
    const rev1 = usage.revisions.find((r) => r.revision === 1)!;
    expect(rev1.templates.map((t) => t.name)).toEqual(['Web']);
    expect(rev1.servers.map((s) => s.name).sort()).toEqual(REGIONS.map((r) => `web-${r}`).sort());
  });
});
