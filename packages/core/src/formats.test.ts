import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  lookupCoreosImage,
  parseCatalog,
  parseCloudFormationMappings,
  parseCoreosStream,
  parseSimplestreams,
  toCloudFormationMappings,
  toSimplestreams,
  type ExportSetting,
} from './formats.ts';

const pathOfError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { errors?: { path: string }[] }).errors?.[0]?.path ?? (error as Error).message;
  }
  return undefined;
};

const cfn = {
  Mappings: {
    AWSInstanceType2Arch: { 't3.micro': { Arch: 'HVM64' }, 'm1.small': { Arch: 'PV64' } },
    AWSRegionArch2AMI: {
      'us-east-1': { HVM64: 'ami-0123456789abcdef0', PV64: 'ami-12345678' },
      'eu-west-1': { HVM64: 'ami-0fedcba9876543210', PV64: 'NOT_SUPPORTED' },
      'mars-1': { HVM64: 'ami-0aaaaaaaaaaaaaaaa' },
    },
  },
};

describe('catalog formats in (R-FMT-1: reading; matching is the importer’s)', () => {
  it('R-FMT-1: a CloudFormation map gives one variant per arch key with its instance types; NOT_SUPPORTED is reported', () => {
    const parsed = parseCloudFormationMappings(cfn);
    expect(
      parsed.variants.map((v) => [v.key, v.cpuArchitecture, v.instanceTypeHints, v.entries.length]),
    ).toEqual([
      ['HVM64', 'x86_64', ['t3.micro'], 3],
      ['PV64', 'x86_64', ['m1.small'], 1],
    ]);
    expect(parsed.variants[0].entries[0]).toEqual({
      region: 'us-east-1',
      imageId: 'ami-0123456789abcdef0',
      path: 'document.Mappings.AWSRegionArch2AMI.us-east-1.HVM64',
    });
    expect(parsed.skipped).toEqual([
      {
        path: 'document.Mappings.AWSRegionArch2AMI.eu-west-1.PV64',
        variant: 'PV64',
        region: 'eu-west-1',
        reason: 'not_supported',
        message: 'PV64 is NOT_SUPPORTED in eu-west-1',
      },
    ]);
    // The Mappings block alone reads the same; another map name is found when it is the only AMI map.
    const withoutPaths = (c: typeof parsed) =>
      c.variants.map((v) => ({ ...v, entries: v.entries.map(({ path: _path, ...e }) => e) }));
    expect(withoutPaths(parseCloudFormationMappings(cfn.Mappings))).toEqual(withoutPaths(parsed));
    const renamed = { RegionMap: cfn.Mappings.AWSRegionArch2AMI };
    expect(parseCloudFormationMappings(renamed).variants.map((v) => v.key)).toEqual(['HVM64', 'PV64']);
  });

  it('R-FMT-1: malformed CloudFormation maps are refused naming the path; a repeated id is reported', () => {
    expect(pathOfError(() => parseCloudFormationMappings([]))).toBe('document');
    expect(pathOfError(() => parseCloudFormationMappings({ Mappings: { X: { a: 1 } } }))).toBe(
      'document.Mappings',
    );
    expect(
      pathOfError(() => parseCloudFormationMappings({ AWSRegionArch2AMI: { 'us-east-1': { HVM64: 7 } } })),
    ).toBe('document.AWSRegionArch2AMI.us-east-1.HVM64');
    expect(
      pathOfError(() =>
        parseCloudFormationMappings({ AWSRegionArch2AMI: { 'US East': { HVM64: 'ami-12345678' } } }),
      ),
    ).toBe('document.AWSRegionArch2AMI["US East"]');
    const twice = parseCloudFormationMappings({
      AWSRegionArch2AMI: { 'us-east-1': { HVM64: 'ami-12345678' }, 'us-west-2': { HVM64: 'ami-12345678' } },
    });
    expect(twice.variants[0].entries.map((e) => e.region)).toEqual(['us-east-1']);
    expect(twice.skipped[0]).toMatchObject({ region: 'us-west-2', reason: 'duplicate_image_id' });
    const junk = parseCloudFormationMappings({ AWSRegionArch2AMI: { 'us-east-1': { HVM64: 'latest' } } });
    expect(junk.skipped[0]).toMatchObject({ reason: 'not_an_image_id' });
  });

  const stream = {
    stream: 'stable',
    architectures: {
      x86_64: {
        images: {
          aws: {
            regions: {
              'us-east-2': { release: '33.1', image: 'ami-0a' },
              'eu-west-1': { release: '33.2', image: 'ami-0b' },
            },
          },
          gcp: { project: 'fedora-coreos-cloud', name: 'fedora-coreos-33' },
        },
      },
      s390x: { images: {} },
    },
  };

  it('R-FMT-1: a CoreOS stream gives one variant per architecture for one platform; the rest is reported', () => {
    const parsed = parseCoreosStream(stream);
    expect(parsed.variants).toEqual([
      {
        key: 'stable/x86_64',
        cpuArchitecture: 'x86_64',
        version: '33.2',
        instanceTypeHints: [],
        entries: [
          {
            region: 'us-east-2',
            imageId: 'ami-0a',
            path: 'document.architectures.x86_64.images.aws.regions.us-east-2.image',
          },
          {
            region: 'eu-west-1',
            imageId: 'ami-0b',
            path: 'document.architectures.x86_64.images.aws.regions.eu-west-1.image',
          },
        ],
      },
    ]);
    expect(parsed.skipped.map((s) => s.reason)).toEqual(['unsupported_platform', 'unsupported_architecture']);
    expect(lookupCoreosImage(stream, { arch: 'x86_64', platform: 'aws', region: 'mars-1' })).toEqual({
      ok: false,
      error: 'stable/x86_64: No AWS images in region mars-1',
    });
    expect(
      pathOfError(() =>
        parseCoreosStream({
          stream: 'stable',
          architectures: { x86_64: { images: { aws: { regions: { 'us-east-2': {} } } } } },
        }),
      ),
    ).toBe('document.architectures.x86_64.images.aws.regions.us-east-2.image');
  });

  const products = {
    format: 'products:1.0',
    datatype: 'image-ids',
    products: {
      'com.example:web:amd64': {
        endpoint: 'https://ec2.us-east-1.amazonaws.com',
        versions: {
          '20121001': { items: { a: { id: 'ami-00000001', root_store: 'ebs' } } },
          '20121026.1': {
            items: {
              pi: { id: 'ami-00000003', root_store: 'instance-store' },
              pe: { id: 'ami-00000002', root_store: 'ebs' },
              w: { id: 'ami-00000004', crsn: 'us-west-2', root_store: 'ebs' },
            },
          },
          '20121026': { items: { a: { id: 'ami-00000005', root_store: 'ebs' } } },
        },
      },
    },
  };

  it('R-FMT-1: a simplestreams product gives its newest version (or a named one), EBS first per region', () => {
    const parsed = parseSimplestreams(products);
    expect(parsed.variants).toEqual([
      {
        key: 'com.example:web:amd64',
        cpuArchitecture: 'x86_64',
        version: '20121026.1',
        instanceTypeHints: [],
        entries: [
          {
            region: 'us-east-1',
            imageId: 'ami-00000002',
            path: 'document.products["com.example:web:amd64"].versions["20121026.1"].items.pe.id',
          },
          {
            region: 'us-west-2',
            imageId: 'ami-00000004',
            path: 'document.products["com.example:web:amd64"].versions["20121026.1"].items.w.id',
          },
        ],
      },
    ]);
    expect(parsed.skipped).toMatchObject([{ reason: 'duplicate_region', region: 'us-east-1' }]);
    expect(parseSimplestreams(products, { version: '20121001' }).variants[0].entries[0].imageId).toBe(
      'ami-00000001',
    );
    expect(pathOfError(() => parseSimplestreams({ format: 'index:1.0', index: {} }))).toBe('document.format');
    expect(pathOfError(() => parseSimplestreams(products, { version: '1999' }))).toBe(
      'document.products["com.example:web:amd64"].versions',
    );
    expect(compareVersions('20121026.1', '20121026')).toBeGreaterThan(0);
    expect(compareVersions('2', '10')).toBeLessThan(0);
  });
});

describe('catalog formats out (R-FMT-2: documents of an MCI revision)', () => {
  const settings: ExportSetting[] = [
    {
      region: 'us-west-2',
      imageId: 'ami-0fedcba9876543210',
      instanceType: 't3.micro',
      cpuArchitecture: 'x86_64',
    },
    {
      region: 'us-east-1',
      imageId: 'ami-0123456789abcdef0',
      instanceType: 't3.micro',
      cpuArchitecture: 'x86_64',
    },
  ];

  it('R-FMT-2: CloudFormation Mappings and a simplestreams product read back as the same entries', () => {
    const mappings = toCloudFormationMappings(settings);
    expect(mappings).toEqual({
      Mappings: {
        AWSRegionArch2AMI: {
          'us-east-1': { HVM64: 'ami-0123456789abcdef0' },
          'us-west-2': { HVM64: 'ami-0fedcba9876543210' },
        },
        AWSInstanceType2Arch: { 't3.micro': { Arch: 'HVM64' } },
      },
    });
    const back = parseCatalog('cloudformation-mappings', mappings);
    expect(back.variants.map((v) => [v.key, v.cpuArchitecture, v.instanceTypeHints])).toEqual([
      ['HVM64', 'x86_64', ['t3.micro']],
    ]);
    expect(back.variants[0].entries.map((e) => [e.region, e.imageId])).toEqual([
      ['us-east-1', 'ami-0123456789abcdef0'],
      ['us-west-2', 'ami-0fedcba9876543210'],
    ]);

    const doc = toSimplestreams({
      contentId: 'mci:acc:lin',
      product: 'mci:web:amd64',
      updated: new Date('2026-12-02T10:00:00Z'),
      revisions: [
        { revision: 1, settings: settings.slice(0, 1) },
        { revision: 2, settings },
      ],
    });
    expect(doc.updated).toBe('Wed, 02 Dec 2026 10:00:00 +0000');
    const read = parseSimplestreams(doc);
    expect(read.variants[0]).toMatchObject({ key: 'mci:web:amd64', cpuArchitecture: 'x86_64', version: '2' });
    expect(read.variants[0].entries.map((e) => [e.region, e.imageId, e.instanceType])).toEqual([
      ['us-east-1', 'ami-0123456789abcdef0', 't3.micro'],
      ['us-west-2', 'ami-0fedcba9876543210', 't3.micro'],
    ]);
    expect(parseSimplestreams(doc, { version: '1' }).variants[0].entries).toHaveLength(1);
  });
});
