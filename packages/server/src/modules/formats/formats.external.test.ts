import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

/**
 * Catalog imports (R-FMT-1) and resolve (R-FMT-2) on real documents written by others
 * (../shared/data/external), through the API. External tier: a fresh clone has no ../shared.
 */
const external = (path: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../../../../shared/data/external/${path}`, import.meta.url), 'utf8'),
  );

let h: Harness;
let A: { id: string };
let token: string;
const clouds = new Map<string, any>();
const registered = new Set<string>();

const url = (p: string) => `/v1/accounts/${A.id}${p}`;
const importDoc = (body: Record<string, unknown>) =>
  h.call('POST', url('/catalog-imports'), { token, body: { dryRun: false, ...body } });

/** An AWS cloud per region (with a t2.micro that runs i386 and x86_64), made once. */
async function cloudIn(region: string) {
  if (!clouds.has(region)) {
    const cloud = await h.build.cloud({ name: `ext ${region}`, cloudType: 'aws', region });
    await h.build.instanceType(cloud.id, {
      resourceUid: 't2.micro',
      name: 't2.micro',
      cpuArchitectures: ['i386', 'x86_64'],
    });
    clouds.set(region, cloud);
  }
  return clouds.get(region);
}

/** The image in the catalog of its region's cloud, as a sync would have put it there. */
async function register(region: string, resourceUid: string, cpuArchitecture = 'x86_64') {
  const key = `${region}/${resourceUid}`;
  if (registered.has(key)) return;
  registered.add(key);
  await h.build.image((await cloudIn(region)).id, { resourceUid, name: resourceUid, cpuArchitecture });
}

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'External formats' });
  token = (await h.build.user({ accountId: A.id, roles: ['designer'] })).token;
});
afterAll(() => h?.close());

describe('catalog imports of real documents (R-FMT-1, R-FMT-2)', () => {
  it('R-FMT-1: the four revisions of a CloudFormation map, imported in order, commit exactly the changes of its history', async () => {
    const history = external(
      'cfn-region-ami-maps/AutoScalingRollingUpdates.AWSRegionArch2AMI.history.json',
    ) as {
      revisions: { revision: number; AWSRegionArch2AMI: Record<string, Record<string, string>> }[];
    };
    for (const r of history.revisions)
      for (const [region, row] of Object.entries(r.AWSRegionArch2AMI))
        for (const ami of Object.values(row)) if (ami !== 'NOT_SUPPORTED') await register(region, ami);

    const commits = new Map<string, string[]>(); // variant → committed revision ids, in order
    for (const r of history.revisions) {
      const res = await importDoc({
        format: 'cloudformation-mappings',
        document: JSON.stringify({ Mappings: { AWSRegionArch2AMI: r.AWSRegionArch2AMI } }),
        defaultInstanceTypes: { x86_64: 't2.micro' },
        commitMessage: `history r${r.revision}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.data.skipped.every((s: any) => s.reason === 'not_supported')).toBe(true);
      for (const m of res.data.mcis)
        if (m.committedRevisionId)
          commits.set(m.variant, [...(commits.get(m.variant) ?? []), m.committedRevisionId]);
    }
    const cell = (i: number, region: string, key: string) => {
      const v = history.revisions[i].AWSRegionArch2AMI[region]?.[key];
      return v === 'NOT_SUPPORTED' ? undefined : v;
    };
    for (const key of ['PV64', 'HVM64', 'HVMG2']) {
      // The revisions whose column changed are the commits; each diff names the regions that changed.
      const changedSteps: string[][] = [];
      for (let i = 0; i < history.revisions.length; i++) {
        const regions = [
          ...new Set([
            ...Object.keys(history.revisions[i].AWSRegionArch2AMI),
            ...(i ? Object.keys(history.revisions[i - 1].AWSRegionArch2AMI) : []),
          ]),
        ];
        const changed = regions.filter(
          (region) => cell(i, region, key) !== (i ? cell(i - 1, region, key) : undefined),
        );
        if (changed.length) changedSteps.push(changed.sort());
      }
      const ids = commits.get(key) ?? [];
      expect(ids, key).toHaveLength(changedSteps.length);
      for (let i = 1; i < ids.length; i++) {
        const diff = await h.call('GET', url(`/mcis/${ids[i]}/diff?against=${ids[i - 1]}`), { token });
        const regions = diff.data.clouds
          .map((c: any) => [...clouds].find(([, cl]) => cl.id === c.cloudId)![0])
          .sort();
        expect(regions, `${key} commit ${i + 1}`).toEqual(changedSteps[i]);
      }
    }
    expect([...commits.values()].reduce((n, ids) => n + ids.length, 0)).toBeGreaterThanOrEqual(4);
    expect(commits.get('HVM64')).toHaveLength(4);
  });

  it('R-FMT-1/2: the Fedora CoreOS stable stream imports its AWS regions; the golden lookups resolve, the unknown region does not', async () => {
    const stream = external('fcos-stream-metadata/fcos-stream.json');
    const expected = external('fcos-stream-metadata/expected.json');
    const regions = stream.architectures.x86_64.images.aws.regions as Record<string, { image: string }>;
    for (const [region, e] of Object.entries(regions)) await register(region, e.image);
    const res = await importDoc({
      format: 'coreos-stream',
      document: JSON.stringify(stream),
      defaultInstanceTypes: { x86_64: 't2.micro' },
      commitMessage: 'stable',
    });
    expect(res.statusCode, res.body).toBe(200);
    const [m] = res.data.mcis;
    expect(m).toMatchObject({
      name: 'Fedora CoreOS stable/x86_64',
      version: '33.20201201.3.0',
      committedRevision: 1,
    });
    expect(m.settings).toHaveLength(Object.keys(regions).length);
    expect(res.data.skipped.map((s: any) => s.reason)).toEqual(
      Object.keys(stream.architectures.x86_64.images)
        .filter((p) => p !== 'aws')
        .map(() => 'unsupported_platform'),
    );
    const lineage = (await h.call('GET', url(`/mcis/${m.mciId}`), { token })).data.lineageId;
    for (const q of expected.lookups_ok.filter((q: any) => q.cloud === 'aws')) {
      const found = await h.call('GET', url(`/mcis/${lineage}/resolve?region=${q.region}`), { token });
      expect(found.data).toMatchObject({ resourceUid: q.image, revision: 1 });
    }
    for (const q of expected.lookups_error.filter((q: any) => q.cloud === 'aws' && q.arch === 'x86_64')) {
      const refused = await h.call('GET', url(`/mcis/${lineage}/resolve?region=${q.region}`), { token });
      expect(refused.statusCode).toBe(422);
      expect(refused.data.detail).toContain(`no setting for region ${q.region}`);
    }
  });

  it('R-FMT-1: simplestreams’ own AWS example imports its newest version, EBS first; an id claimed by two architectures goes to the one the catalog knows', async () => {
    const doc = external('simplestreams-examples/com.example.foovendor:released:aws.js.json');
    const amd64 = doc.products['com.example.foovendor:pinky:server:amd64'].versions['20121026.1'].items;
    const i386 = doc.products['com.example.foovendor:pinky:server:i386'].versions['20121026.1'].items;
    // The example gives both products the same AMI ids; the catalog says they are x86_64.
    expect(i386.usee1pe.id).toBe(amd64.usee1pe.id);
    for (const item of Object.values(amd64) as { id: string }[]) await register('us-east-1', item.id);
    const res = await importDoc({
      format: 'simplestreams',
      document: JSON.stringify(doc),
      defaultInstanceTypes: { x86_64: 't2.micro', i386: 't2.micro' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(
      res.data.mcis.map((m: any) => [
        m.name,
        m.cpuArchitecture,
        m.version,
        m.settings.map((s: any) => s.resourceUid),
      ]),
    ).toEqual([['com.example.foovendor:pinky:server:amd64', 'x86_64', '20121026.1', [amd64.usee1pe.id]]]);
    expect(res.data.skipped.map((s: any) => [s.variant, s.reason])).toEqual([
      ['com.example.foovendor:pinky:server:amd64', 'duplicate_region'],
      ['com.example.foovendor:pinky:server:i386', 'duplicate_region'],
      ['com.example.foovendor:pinky:server:i386', 'architecture_mismatch'],
      ['com.example.foovendor:pinky:server:i386', 'no_usable_entries'],
    ]);
    const index = await importDoc({
      format: 'simplestreams',
      document: JSON.stringify(external('simplestreams-examples/index.js.json')),
    });
    expect(index.statusCode).toBe(422);
    expect(index.data.errors[0].path).toBe('document.format');
  });
});
