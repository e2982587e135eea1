import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

/**
 * SPEC §10 through the API: catalog documents in with a preview (R-FMT-1), MCIs out as
 * CloudFormation Mappings and simplestreams, and resolved per cloud (R-FMT-2).
 */
let h: Harness;
let A: { id: string };
let token: string;
let east: any;
let west: any;
const images: Record<string, any> = {};

const url = (p: string) => `/v1/accounts/${A.id}${p}`;
const post = (body: Record<string, unknown>) => h.call('POST', url('/catalog-imports'), { token, body });

const cfnYaml = (eastAmi = 'ami-0000000000000e001') => `
Mappings:
  AWSInstanceType2Arch:
    t3.micro: { Arch: HVM64 }
  AWSRegionArch2AMI:
    us-east-1: { HVM64: ${eastAmi}, PV64: ami-0000000000000e0a1 }
    us-west-2: { HVM64: ami-0000000000000b001, PV64: NOT_SUPPORTED }
    eu-west-1: { HVM64: ami-0000000000000c001, PV64: ami-0000000000000c0a1 }
`;

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'Formats A' });
  const B = await h.build.account({ name: 'Formats B' });
  token = (await h.build.user({ accountId: A.id, roles: ['designer'] })).token;
  east = await h.build.cloud({ name: 'fmt us-east-1', cloudType: 'aws', region: 'us-east-1' });
  west = await h.build.cloud({ name: 'fmt us-west-2', cloudType: 'aws', region: 'us-west-2' });
  for (const c of [east, west])
    await h.build.instanceType(c.id, { resourceUid: 't3.micro', name: 't3.micro' });
  for (const [cloud, uid] of [
    [east, 'ami-0000000000000e001'],
    [east, 'ami-0000000000000e002'],
    [west, 'ami-0000000000000b001'],
  ])
    images[uid] = await h.build.image(cloud.id, { resourceUid: uid });
  // PV64's us-east-1 image is B's private one: A may not use it, nor learn it exists.
  await h.build.image(east.id, {
    resourceUid: 'ami-0000000000000e0a1',
    visibility: 'private',
    ownerAccountId: B.id,
  });
});

afterAll(() => h?.close());

describe('catalog imports (R-FMT-1)', () => {
  it('R-FMT-1: a preview (the default) lists the MCIs it would make and every entry it cannot use; it writes nothing', async () => {
    const res = await post({ format: 'cloudformation-mappings', document: cfnYaml() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.data.dryRun).toBe(true);
    expect(res.data.mcis).toEqual([
      {
        variant: 'HVM64',
        name: 'AWSRegionArch2AMI HVM64',
        mciId: null,
        action: 'create',
        version: null,
        cpuArchitecture: 'x86_64',
        committedRevisionId: null,
        committedRevision: null,
        settings: [
          expect.objectContaining({
            region: 'us-east-1',
            cloudId: east.id,
            resourceUid: 'ami-0000000000000e001',
            instanceType: 't3.micro',
            change: 'add',
          }),
          expect.objectContaining({
            region: 'us-west-2',
            cloudId: west.id,
            resourceUid: 'ami-0000000000000b001',
            change: 'add',
          }),
        ],
      },
    ]);
    expect(res.data.skipped.map((s: any) => [s.variant, s.region, s.reason])).toEqual([
      ['PV64', 'us-west-2', 'not_supported'],
      ['HVM64', 'eu-west-1', 'unknown_region'],
      ['PV64', 'us-east-1', 'image_not_in_catalog'],
      ['PV64', 'eu-west-1', 'unknown_region'],
      ['PV64', null, 'no_usable_entries'],
    ]);
    expect(res.data.skipped[1]).toMatchObject({
      path: 'document.Mappings.AWSRegionArch2AMI.eu-west-1.HVM64',
      message: 'no cloud of the catalog is in region eu-west-1',
    });
    expect((await h.call('GET', url('/mcis'), { token })).data.items).toEqual([]);
  });

  it('R-FMT-1: applying writes what the preview showed and commits; the same document again changes nothing; a newer one changes one region', async () => {
    const applied = await post({
      format: 'cloudformation-mappings',
      document: cfnYaml(),
      dryRun: false,
      commitMessage: 'from the samples',
    });
    expect(applied.statusCode, applied.body).toBe(200);
    const [mci] = applied.data.mcis;
    expect(mci).toMatchObject({ action: 'create', committedRevision: 1 });
    const head = await h.call('GET', url(`/mcis/${mci.mciId}`), { token });
    expect(head.data.settings.map((s: any) => [s.cloudId, s.imageId]).sort()).toEqual(
      [
        [east.id, images['ami-0000000000000e001'].id],
        [west.id, images['ami-0000000000000b001'].id],
      ].sort(),
    );

    const again = await post({
      format: 'cloudformation-mappings',
      document: cfnYaml(),
      dryRun: false,
      commitMessage: 'again',
    });
    expect(again.data.mcis[0]).toMatchObject({
      action: 'unchanged',
      mciId: mci.mciId,
      committedRevision: null,
    });
    expect(again.data.mcis[0].settings.map((s: any) => s.change)).toEqual(['keep', 'keep']);

    const newer = await post({
      format: 'cloudformation-mappings',
      document: cfnYaml('ami-0000000000000e002'),
      dryRun: false,
      commitMessage: 'new east image',
    });
    expect(newer.data.mcis[0]).toMatchObject({ action: 'update', committedRevision: 2 });
    expect(newer.data.mcis[0].settings.map((s: any) => [s.region, s.change])).toEqual([
      ['us-east-1', 'replace'],
      ['us-west-2', 'keep'],
    ]);
    const diff = await h.call(
      'GET',
      url(`/mcis/${newer.data.mcis[0].committedRevisionId}/diff?against=${mci.committedRevisionId}`),
      { token },
    );
    expect(diff.data.clouds.map((c: any) => [c.cloudId, c.change])).toEqual([[east.id, 'changed']]);
  });

  it('R-FMT-1: a malformed document is a 422 naming the offending path (a bad request a 400), and nothing is written', async () => {
    const before = (await h.call('GET', url('/mcis?limit=500'), { token })).data.items.length;
    const dup = await post({
      format: 'cloudformation-mappings',
      document:
        'AWSRegionArch2AMI:\n  us-east-1: { HVM64: ami-0000000000000e001 }\n  us-east-1: { HVM64: ami-0000000000000e002 }\n',
      dryRun: false,
    });
    expect(dup.statusCode).toBe(422);
    expect(dup.headers['content-type']).toMatch(/problem\+json/);
    expect(dup.data.errors[0]).toMatchObject({
      path: 'document',
      message: expect.stringMatching(/unique|duplicate/i),
    });
    const cell = await post({
      format: 'cloudformation-mappings',
      document: JSON.stringify({ AWSRegionArch2AMI: { 'us-east-1': { HVM64: 42 } } }),
      dryRun: false,
    });
    expect(cell.statusCode).toBe(422);
    expect(cell.data.errors[0].path).toBe('document.AWSRegionArch2AMI.us-east-1.HVM64');
    const bad = await post({ format: 'xml-maps', document: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.data.errors[0].path).toBe('body.format');
    expect((await h.call('GET', url('/mcis?limit=500'), { token })).data.items.length).toBe(before);
  });

  it('R-FMT-1: an architecture with no document hint takes the caller’s default instance type, or is reported', async () => {
    const stream = {
      stream: 'stable',
      architectures: {
        x86_64: {
          images: { aws: { regions: { 'us-west-2': { release: '40.1', image: 'ami-0000000000000b001' } } } },
        },
      },
    };
    const without = await post({ format: 'coreos-stream', document: JSON.stringify(stream) });
    expect(without.data.mcis).toEqual([]);
    expect(without.data.skipped.map((s: any) => s.reason)).toEqual(['no_instance_type', 'no_usable_entries']);
    expect(without.data.skipped[0].message).toMatch(/defaultInstanceTypes\.x86_64/);
    const withDefault = await post({
      format: 'coreos-stream',
      document: JSON.stringify(stream),
      defaultInstanceTypes: { x86_64: 't3.micro' },
    });
    expect(withDefault.data.mcis[0]).toMatchObject({
      name: 'Fedora CoreOS stable/x86_64',
      version: '40.1',
      action: 'create',
    });
  });
});

describe('catalog exports and resolve (R-FMT-2)', () => {
  let lineageHead: string;
  let r1: string;
  let r2: string;

  beforeAll(async () => {
    const listed = await h.call('GET', url('/mcis?q=AWSRegionArch2AMI&limit=50'), { token });
    const revisions = listed.data.items.filter((m: any) => m.name === 'AWSRegionArch2AMI HVM64');
    lineageHead = revisions.find((m: any) => m.revision === 0).id;
    r1 = revisions.find((m: any) => m.revision === 1).id;
    r2 = revisions.find((m: any) => m.revision === 2).id;
  });

  it('R-FMT-2: a revision exports as Mappings CloudFormation accepts; importing it back gives an identical revision', async () => {
    const res = await h.call('GET', url(`/mcis/${r2}/export?format=cloudformation-mappings`), { token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.data).toEqual({
      Mappings: {
        AWSRegionArch2AMI: {
          'us-east-1': { HVM64: 'ami-0000000000000e002' },
          'us-west-2': { HVM64: 'ami-0000000000000b001' },
        },
        AWSInstanceType2Arch: { 't3.micro': { Arch: 'HVM64' } },
      },
    });
    const back = await post({
      format: 'cloudformation-mappings',
      document: JSON.stringify(res.data),
      namePrefix: 'Round trip',
      dryRun: false,
      commitMessage: 'round trip',
    });
    const copy = back.data.mcis[0];
    expect(copy).toMatchObject({ name: 'Round trip HVM64', action: 'create', committedRevision: 1 });
    const diff = await h.call('GET', url(`/mcis/${copy.committedRevisionId}/diff?against=${r2}`), { token });
    expect(diff.data.clouds).toEqual([]);
  });

  it('R-FMT-2: the lineage exports as a simplestreams product, one version per committed revision', async () => {
    const res = await h.call('GET', url(`/mcis/${lineageHead}/export?format=simplestreams`), { token });
    expect(res.data).toMatchObject({ format: 'products:1.0', datatype: 'image-ids' });
    const [product] = Object.values(res.data.products) as any[];
    expect(product.arch).toBe('amd64');
    expect(Object.keys(product.versions)).toEqual(['1', '2']);
    expect(product.versions['1'].items['us-east-1']).toMatchObject({
      id: 'ami-0000000000000e001',
      instance_type: 't3.micro',
    });
    expect(product.versions['2'].items['us-east-1'].id).toBe('ami-0000000000000e002');
  });

  it('R-FMT-2: resolve answers one cloud’s image (by cloud or region) with an ETag; a lineage id resolves its newest commit', async () => {
    const byCloud = await h.call('GET', url(`/mcis/${r1}/resolve?cloudId=${east.id}`), { token });
    expect(byCloud.statusCode, byCloud.body).toBe(200);
    expect(byCloud.data).toMatchObject({
      mciId: r1,
      revision: 1,
      region: 'us-east-1',
      resourceUid: 'ami-0000000000000e001',
      instanceType: 't3.micro',
    });
    expect(byCloud.headers['cache-control']).toBe('private, max-age=86400, immutable');
    const etag = String(byCloud.headers.etag);
    const notModified = await h.call('GET', url(`/mcis/${r1}/resolve?cloudId=${east.id}`), {
      token,
      headers: { 'if-none-match': etag },
    });
    expect(notModified.statusCode).toBe(304);

    const head = await h.call('GET', url(`/mcis/${lineageHead}`), { token });
    const newest = await h.call('GET', url(`/mcis/${head.data.lineageId}/resolve?region=us-east-1`), {
      token,
    });
    expect(newest.data).toMatchObject({ mciId: r2, revision: 2, resourceUid: 'ami-0000000000000e002' });
    expect(newest.headers['cache-control']).toBe('private, no-cache');

    const none = await h.call('GET', url(`/mcis/${r1}/resolve?region=eu-west-1`), { token });
    expect(none.statusCode).toBe(422);
    expect(none.data.errors[0]).toMatchObject({
      path: 'region',
      message: expect.stringContaining('fmt us-east-1 (us-east-1)'),
    });
    const both = await h.call('GET', url(`/mcis/${r1}/resolve?region=x&cloudId=${east.id}`), { token });
    expect(both.statusCode).toBe(422);
  });
});

describe('catalog imports and connected clouds (R-FMT-1)', () => {
  it('R-FMT-1: a public image the connected cloud knows is registered by the import; one it does not know is reported', async () => {
    const made = await h.call('POST', '/v1/clouds', {
      body: { name: 'fmt ap-south-1', cloudType: 'aws', region: 'ap-south-1', driver: 'simulated' },
    });
    expect(made.statusCode, made.body).toBe(201);
    await h.build.instanceType(made.data.id, { resourceUid: 't3.micro', name: 't3.micro' });
    h.world.registerImage('ap-south-1', {
      resourceUid: 'ami-0000000000000d001',
      name: 'known to the cloud',
      description: '',
      ownerPrincipal: 'amazon',
      isPublic: true,
      cpuArchitecture: 'x86_64',
      virtualizationType: 'hvm',
      rootDeviceType: 'ebs',
      osFamily: 'ubuntu',
      osVersion: '24.04',
      cloudState: 'available',
    });
    const doc = JSON.stringify({
      AWSRegionArch2AMI: {
        'ap-south-1': { HVM64: 'ami-0000000000000d001', HVMG2: 'ami-0000000000000d0ff' },
      },
    });
    const body = {
      format: 'cloudformation-mappings',
      document: doc,
      namePrefix: 'Connected',
      defaultInstanceTypes: { x86_64: 't3.micro' },
    };
    const preview = await post(body);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(
      preview.data.mcis.map((m: any) => [m.name, m.settings.map((s: any) => [s.resourceUid, s.change])]),
    ).toEqual([['Connected HVM64', [['ami-0000000000000d001', 'add']]]]);
    expect(preview.data.skipped.map((s: any) => [s.variant, s.reason])).toEqual([
      ['HVMG2', 'image_not_in_catalog'],
      ['HVMG2', 'no_usable_entries'],
    ]);
    // The preview registered nothing.
    const before = await h.call('GET', `/v1/clouds/${made.data.id}/images?q=ami-0000000000000d001`, {
      token,
    });
    expect(before.data.items).toEqual([]);
    const applied = await post({ ...body, dryRun: false });
    const image = await h.call('GET', `/v1/clouds/${made.data.id}/images?q=ami-0000000000000d001`, { token });
    expect(image.data.items).toMatchObject([
      { resourceUid: 'ami-0000000000000d001', visibility: 'public', name: 'known to the cloud' },
    ]);
    const head = await h.call('GET', url(`/mcis/${applied.data.mcis[0].mciId}`), { token });
    expect(head.data.settings.map((s: any) => s.imageId)).toEqual([image.data.items[0].id]);
  });
});
