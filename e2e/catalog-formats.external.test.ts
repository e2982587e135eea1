import { readFileSync } from 'node:fs';
import {
  lookupCoreosImage,
  parseCloudFormationMappings,
  parseCoreosStream,
  parseSimplestreams,
  type ParsedCatalog,
} from '@mci/core';
import { describe, expect, it } from 'vitest';

/**
 * The catalog format readers of core (R-FMT-1) on real documents written by others
 * (../shared/data/external: AWS's CloudFormation samples, a Fedora CoreOS stream, simplestreams'
 * own example). External tier: a fresh clone has no ../shared.
 */
const external = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../shared/data/external/${path}`, import.meta.url), 'utf8'));

const cfn = external('cfn-region-ami-maps/aws-cfn-templates-2024-04-23.mappings.json') as {
  templates: Record<string, { Mappings: Record<string, unknown> }>;
};
const history = external('cfn-region-ami-maps/AutoScalingRollingUpdates.AWSRegionArch2AMI.history.json') as {
  revisions: { revision: number; AWSRegionArch2AMI: Record<string, Record<string, string>> }[];
};

const imagesOf = (parsed: ParsedCatalog) =>
  Object.fromEntries(
    parsed.variants.map((v) => [v.key, Object.fromEntries(v.entries.map((e) => [e.region, e.imageId]))]),
  );

describe('catalog formats on real documents (R-FMT-1)', () => {
  it('R-FMT-1: every AWSRegionArch2AMI map of the 13 CloudFormation samples reads, NOT_SUPPORTED cells reported', () => {
    const distinct = new Set<string>();
    for (const [name, template] of Object.entries(cfn.templates)) {
      const parsed = parseCloudFormationMappings(template);
      const map = template.Mappings.AWSRegionArch2AMI as Record<string, Record<string, string>>;
      distinct.add(JSON.stringify(map));
      const cells = Object.values(map).flatMap((row) => Object.values(row));
      const unsupported = cells.filter((c) => c === 'NOT_SUPPORTED').length;
      expect(
        parsed.skipped.filter((s) => s.reason === 'not_supported'),
        name,
      ).toHaveLength(unsupported);
      expect(parsed.variants.reduce((n, v) => n + v.entries.length, 0) + parsed.skipped.length, name).toBe(
        cells.length,
      );
      for (const v of parsed.variants) {
        expect(['PV64', 'HVM64', 'HVMG2'], name).toContain(v.key);
        expect(v.cpuArchitecture).toBe('x86_64');
        expect(v.entries.every((e) => /^ami-[0-9a-f]+$/.test(e.imageId))).toBe(true);
      }
      const regions = Object.keys(map).length;
      expect(regions).toBeGreaterThanOrEqual(12);
      expect(regions).toBeLessThanOrEqual(16);
      // AWSInstanceType2Arch gives each arch key its instance types where the template has it.
      if (template.Mappings.AWSInstanceType2Arch)
        expect(parsed.variants.find((v) => v.key === 'HVM64')?.instanceTypeHints).toContain('t2.micro');
    }
    expect(distinct.size).toBe(8);
  });

  it('R-FMT-1: the four revisions of one map read in order; each step changes some regions’ images', () => {
    const steps = history.revisions.map((r) =>
      imagesOf(parseCloudFormationMappings({ AWSRegionArch2AMI: r.AWSRegionArch2AMI })),
    );
    expect(history.revisions.map((r) => r.revision)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < steps.length; i++) {
      const changed = Object.keys(steps[i].HVM64 ?? {}).filter(
        (r) => steps[i].HVM64[r] !== steps[i - 1].HVM64?.[r],
      );
      const raw = history.revisions[i].AWSRegionArch2AMI;
      const before = history.revisions[i - 1].AWSRegionArch2AMI;
      const expected = Object.keys(raw).filter(
        (r) => raw[r].HVM64 !== before[r]?.HVM64 && raw[r].HVM64 !== 'NOT_SUPPORTED',
      );
      expect(changed.sort()).toEqual(expected.sort());
    }
  });

  it('R-FMT-1: the Fedora CoreOS stable stream gives its x86_64 AWS images; the golden lookups hold', () => {
    const stream = external('fcos-stream-metadata/fcos-stream.json');
    const expected = external('fcos-stream-metadata/expected.json') as {
      lookups_ok: { arch: string; cloud: string; region: string; image: string }[];
      lookups_error: { arch: string; cloud: string; region: string; error_contains: string }[];
    };
    const parsed = parseCoreosStream(stream);
    expect(parsed.variants.map((v) => [v.key, v.cpuArchitecture, v.version])).toEqual([
      ['stable/x86_64', 'x86_64', '33.20201201.3.0'],
    ]);
    expect(parsed.variants[0].entries).toHaveLength(20);
    // The other platforms' images (aliyun, gcp, …) are reported, not imported.
    const others = Object.keys(stream.architectures.x86_64.images).filter((p) => p !== 'aws');
    expect(others).toContain('aliyun');
    expect(parsed.skipped.map((s) => [s.reason, s.path])).toEqual(
      others.map((p) => ['unsupported_platform', `document.architectures.x86_64.images.${p}`]),
    );
    for (const q of expected.lookups_ok) {
      const found = lookupCoreosImage(stream, { arch: q.arch, platform: q.cloud, region: q.region });
      expect(found).toMatchObject({ ok: true, image: q.image });
      if (q.cloud === 'aws')
        expect(parsed.variants[0].entries.find((e) => e.region === q.region)?.imageId).toBe(q.image);
    }
    for (const q of expected.lookups_error) {
      const found = lookupCoreosImage(stream, { arch: q.arch, platform: q.cloud, region: q.region });
      expect(found.ok).toBe(false);
      expect(found.ok ? '' : found.error).toContain(q.error_contains);
    }
  });

  it('R-FMT-1: simplestreams’ own example: one variant per product from its newest version; the index is refused', () => {
    const products = external('simplestreams-examples/com.example.foovendor:released:aws.js.json');
    const parsed = parseSimplestreams(products);
    expect(
      parsed.variants.map((v) => [v.key, v.cpuArchitecture, v.version, v.entries.map((e) => e.region)]),
    ).toEqual([
      ['com.example.foovendor:pinky:server:amd64', 'x86_64', '20121026.1', ['us-east-1']],
      ['com.example.foovendor:pinky:server:i386', 'i386', '20121026.1', ['us-east-1']],
    ]);
    // The EBS item is the one used; the instance-store one is reported.
    expect(parsed.variants[0].entries[0].imageId).toBe(
      products.products['com.example.foovendor:pinky:server:amd64'].versions['20121026.1'].items.usee1pe.id,
    );
    expect(parsed.skipped.map((s) => s.reason)).toEqual(['duplicate_region', 'duplicate_region']);
    expect(() => parseSimplestreams(external('simplestreams-examples/index.js.json'))).toThrow(
      /document\.format: an index:1\.0/,
    );
  });
});
