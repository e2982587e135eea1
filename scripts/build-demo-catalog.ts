/**
 * Builds the demo cloud catalog (`packages/server/src/bootstrap/demo-catalog.json`) from the real
 * AWS AMI facts that moto ships, plus one simulated cloud.
 *
 * Usage (from the repo root): `node --import tsx scripts/build-demo-catalog.ts`
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CPU_ARCHITECTURES,
  type CatalogImageFacts,
  type CatalogInstanceTypeFacts,
  type CpuArchitecture,
  type DemoCatalog,
  type DemoCatalogCloud,
} from '@mci/core';

/** The fields of a moto `latest_amis` record that the catalog uses. */
interface AmiRecord {
  ami_id: string;
  name: string;
  description: string | null;
  architecture: string;
  state: string;
  root_device_type: string;
  virtualization_type: string;
}

const GENERATED_BY = 'scripts/build-demo-catalog.ts';
const SOURCE_DIR = new URL('../../shared/data/external/moto-aws-amis/', import.meta.url);
const SOURCE_DIR_LABEL = '../shared/data/external/moto-aws-amis';
const OUTPUT_FILE = new URL('../packages/server/src/bootstrap/demo-catalog.json', import.meta.url);

/** Official AWS display names; a region missing here fails the build rather than getting a made-up name. */
const AWS_REGION_NAMES: Readonly<Record<string, string>> = {
  'af-south-1': 'Africa (Cape Town)',
  'ap-east-1': 'Asia Pacific (Hong Kong)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'ap-south-2': 'Asia Pacific (Hyderabad)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-southeast-3': 'Asia Pacific (Jakarta)',
  'ap-southeast-4': 'Asia Pacific (Melbourne)',
  'ap-southeast-5': 'Asia Pacific (Malaysia)',
  'ca-central-1': 'Canada (Central)',
  'ca-west-1': 'Canada West (Calgary)',
  'eu-central-1': 'Europe (Frankfurt)',
  'eu-central-2': 'Europe (Zurich)',
  'eu-north-1': 'Europe (Stockholm)',
  'eu-south-1': 'Europe (Milan)',
  'eu-south-2': 'Europe (Spain)',
  'eu-west-1': 'Europe (Ireland)',
  'eu-west-2': 'Europe (London)',
  'eu-west-3': 'Europe (Paris)',
  'il-central-1': 'Israel (Tel Aviv)',
  'me-central-1': 'Middle East (UAE)',
  'me-south-1': 'Middle East (Bahrain)',
  'sa-east-1': 'South America (São Paulo)',
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
};

/** vCPU and memory figures as published by AWS; the same set is offered in every demo region. */
const AWS_INSTANCE_TYPES: readonly CatalogInstanceTypeFacts[] = [
  // t2 is the one current family that still runs 32-bit (i386) AMIs.
  instanceType('t2.micro', 1, 1024, ['i386', 'x86_64']),
  instanceType('t2.small', 1, 2048, ['i386', 'x86_64']),
  instanceType('t3.micro', 2, 1024, ['x86_64']),
  instanceType('t3.small', 2, 2048, ['x86_64']),
  instanceType('t3.medium', 2, 4096, ['x86_64']),
  instanceType('t3.large', 2, 8192, ['x86_64']),
  instanceType('m5.large', 2, 8192, ['x86_64']),
  instanceType('m5.xlarge', 4, 16384, ['x86_64']),
  instanceType('m5.2xlarge', 8, 32768, ['x86_64']),
  instanceType('c5.large', 2, 4096, ['x86_64']),
  instanceType('c5.xlarge', 4, 8192, ['x86_64']),
  instanceType('r5.large', 2, 16384, ['x86_64']),
  instanceType('m6i.large', 2, 8192, ['x86_64']),
  instanceType('c6i.large', 2, 4096, ['x86_64']),
  instanceType('t4g.micro', 2, 1024, ['arm64']),
  instanceType('t4g.small', 2, 2048, ['arm64']),
  instanceType('t4g.medium', 2, 4096, ['arm64']),
  instanceType('m6g.large', 2, 8192, ['arm64']),
  instanceType('m6g.xlarge', 4, 16384, ['arm64']),
  instanceType('c6g.large', 2, 4096, ['arm64']),
  instanceType('r6g.large', 2, 16384, ['arm64']),
  instanceType('m7g.large', 2, 8192, ['arm64']),
];

const SIMULATED_CLOUD: DemoCatalogCloud = {
  name: 'Simulated Cloud',
  cloudType: 'simulated',
  region: 'sim-1',
  description: 'Built-in simulated cloud for demos and tests; launches nothing real',
  instanceTypes: [
    instanceType('sim.small', 1, 1024, ['x86_64']),
    instanceType('sim.medium', 2, 4096, ['x86_64']),
    instanceType('sim.large', 4, 8192, ['x86_64']),
    instanceType('sim.arm.medium', 2, 4096, ['arm64']),
  ],
  images: sortImages([
    simulatedImage('ubuntu', '22.04', 'Ubuntu 22.04 LTS', 'x86_64'),
    simulatedImage('ubuntu', '22.04', 'Ubuntu 22.04 LTS', 'arm64'),
    simulatedImage('ubuntu', '24.04', 'Ubuntu 24.04 LTS', 'x86_64'),
    simulatedImage('debian', '12', 'Debian 12', 'x86_64'),
    simulatedImage('rocky', '9', 'Rocky Linux 9', 'x86_64'),
  ]),
};

/** Builds an instance type whose resource UID is its name, as on AWS. */
function instanceType(
  name: string,
  cpuCount: number,
  memoryMb: number,
  cpuArchitectures: CpuArchitecture[],
): CatalogInstanceTypeFacts {
  return { resourceUid: name, name, cpuCount, memoryMb, cpuArchitectures };
}

/** Builds a simulated image with a UID like `sim-ubuntu-2204-x86_64`. */
function simulatedImage(
  osFamily: string,
  osVersion: string,
  label: string,
  cpuArchitecture: CpuArchitecture,
): CatalogImageFacts {
  return {
    resourceUid: `sim-${osFamily}-${osVersion.replace('.', '')}-${cpuArchitecture}`,
    name: `${label} (${cpuArchitecture})`,
    description: `Simulated ${label} image for ${cpuArchitecture}`,
    osFamily,
    osVersion,
    cpuArchitecture,
    virtualizationType: 'hvm',
    rootDeviceType: 'ebs',
  };
}

/**
 * Derives `{ osFamily, osVersion }` from an AMI name.
 *
 * | name starts with / matches                     | osFamily       | osVersion            |
 * | ---------------------------------------------- | -------------- | -------------------- |
 * | `al2023-ami` (incl. `-minimal`)                | `amazon-linux` | `2023`               |
 * | `amzn2-ami` (hvm, kernel-5.10, minimal)        | `amazon-linux` | `2`                  |
 * | `amzn-ami` (hvm, minimal-hvm, pv; 2018.03)     | `amazon-linux` | `1`                  |
 * | `Windows_Server-<year>-…`                      | `windows`      | `<year>`             |
 * | contains `ubuntu` and a `NN.NN` release        | `ubuntu`       | `NN.NN`              |
 * | anything else                                  | `other`        | `""`                 |
 *
 * The moto data (commit 0af643a5) only contains the three Amazon Linux prefixes; the Windows and
 * Ubuntu rules are there so a refreshed copy that adds those common public families still classifies.
 */
function osFromAmiName(name: string): { osFamily: string; osVersion: string } {
  if (name.startsWith('al2023-ami')) return { osFamily: 'amazon-linux', osVersion: '2023' };
  if (name.startsWith('amzn2-ami')) return { osFamily: 'amazon-linux', osVersion: '2' };
  if (name.startsWith('amzn-ami')) return { osFamily: 'amazon-linux', osVersion: '1' };

  const windows = /^Windows_Server-(\d{4})/i.exec(name);
  if (windows) return { osFamily: 'windows', osVersion: windows[1] };

  const ubuntu = /ubuntu.*?(\d{2}\.\d{2})/i.exec(name);
  if (ubuntu) return { osFamily: 'ubuntu', osVersion: ubuntu[1] };

  return { osFamily: 'other', osVersion: '' };
}

/** Narrows a parsed JSON value to an AMI record, failing loudly on a shape we do not understand. */
function toAmiRecord(value: unknown, where: string): AmiRecord {
  if (typeof value !== 'object' || value === null) throw new Error(`${where}: record is not an object`);
  const record = value as Record<string, unknown>;
  for (const key of ['ami_id', 'name', 'architecture', 'state', 'root_device_type', 'virtualization_type']) {
    if (typeof record[key] !== 'string') throw new Error(`${where}: field "${key}" is not a string`);
  }
  if (record.description !== null && typeof record.description !== 'string') {
    throw new Error(`${where}: field "description" is neither a string nor null`);
  }
  return record as unknown as AmiRecord;
}

/** Orders images by name, then resource UID, by code point so the output does not depend on locale. */
function sortImages(images: CatalogImageFacts[]): CatalogImageFacts[] {
  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...images].sort((a, b) => compare(a.name, b.name) || compare(a.resourceUid, b.resourceUid));
}

/** Reads the moto commit hash from PROVENANCE.md so the `source` sentence cannot drift from the data. */
async function readSourceCommit(): Promise<string> {
  const provenance = await readFile(new URL('PROVENANCE.md', SOURCE_DIR), 'utf8');
  const commit = /github\.com\/getmoto\/moto, commit ([0-9a-f]{40})/.exec(provenance)?.[1];
  if (!commit) throw new Error(`${SOURCE_DIR_LABEL}/PROVENANCE.md does not name a moto commit`);
  return commit;
}

/** Builds one AWS cloud from a `latest_amis/<region>.json` file; returns how many records it skipped. */
async function buildAwsCloud(region: string): Promise<{ cloud: DemoCatalogCloud; skipped: number }> {
  const regionName = AWS_REGION_NAMES[region];
  if (!regionName)
    throw new Error(`No AWS display name known for region "${region}"; add it to AWS_REGION_NAMES`);

  const file = new URL(`latest_amis/${region}.json`, SOURCE_DIR);
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`latest_amis/${region}.json is not a JSON array`);

  const images: CatalogImageFacts[] = [];
  let skipped = 0;
  parsed.forEach((value, index) => {
    const record = toAmiRecord(value, `latest_amis/${region}.json[${index}]`);
    const architecture = CPU_ARCHITECTURES.find((arch) => arch === record.architecture);
    if (record.state !== 'available' || !architecture) {
      skipped += 1;
      return;
    }
    images.push({
      resourceUid: record.ami_id,
      name: record.name,
      description: record.description ?? '',
      ...osFromAmiName(record.name),
      cpuArchitecture: architecture,
      virtualizationType: record.virtualization_type,
      rootDeviceType: record.root_device_type,
    });
  });

  return {
    cloud: {
      name: `AWS ${region}`,
      cloudType: 'aws',
      region,
      description: `Amazon EC2 region ${region} (${regionName})`,
      instanceTypes: AWS_INSTANCE_TYPES.map((type) => ({
        ...type,
        cpuArchitectures: [...type.cpuArchitectures],
      })),
      images: sortImages(images),
    },
    skipped,
  };
}

/**
 * Serialises like `JSON.stringify(value, null, 2)` but keeps arrays of primitives on one line, which
 * is what Prettier produces for this file, so `npm run format:check` accepts it unchanged.
 */
function toJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => typeof item !== 'object' || item === null)) {
      return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    }
    const inner = indent + '  ';
    return `[\n${value.map((item) => inner + toJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const inner = indent + '  ';
    const entries = Object.entries(value).map(
      ([key, item]) => `${inner}${JSON.stringify(key)}: ${toJson(item, inner)}`,
    );
    return entries.length === 0 ? '{}' : `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** Reads the moto data and builds the catalog and its file text (deterministic). */
export async function buildDemoCatalog(): Promise<{
  catalog: DemoCatalog;
  text: string;
  awsClouds: number;
  skipped: number;
}> {
  const sourcePath = fileURLToPath(SOURCE_DIR);
  if (!existsSync(new URL('latest_amis/', SOURCE_DIR))) {
    throw new Error(
      `AMI source data not found: expected ${sourcePath}latest_amis/ (the moto-aws-amis copy in ${SOURCE_DIR_LABEL})`,
    );
  }

  const commit = await readSourceCommit();
  const regions = (await readdir(new URL('latest_amis/', SOURCE_DIR)))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
  if (regions.length === 0) throw new Error(`No region files in ${sourcePath}latest_amis/`);

  const built = await Promise.all(regions.map(buildAwsCloud));
  const catalog: DemoCatalog = {
    source:
      `AWS images are moto's latest_amis (github.com/getmoto/moto, commit ${commit}, Apache-2.0), ` +
      `copied in ${SOURCE_DIR_LABEL}; generated by ${GENERATED_BY}.`,
    generatedBy: GENERATED_BY,
    clouds: [...built.map((entry) => entry.cloud), SIMULATED_CLOUD],
  };
  const skipped = built.reduce((sum, entry) => sum + entry.skipped, 0);
  return { catalog, text: toJson(catalog) + '\n', awsClouds: built.length, skipped };
}

/** Writes the catalog next to the bootstrap code and prints a one-line summary. */
async function main(): Promise<void> {
  const { catalog, text, awsClouds, skipped } = await buildDemoCatalog();
  await mkdir(new URL('.', OUTPUT_FILE), { recursive: true });
  await writeFile(OUTPUT_FILE, text);

  const images = catalog.clouds.reduce((sum, cloud) => sum + cloud.images.length, 0);
  const instanceTypes = catalog.clouds.reduce((sum, cloud) => sum + cloud.instanceTypes.length, 0);
  console.log(
    `Wrote ${fileURLToPath(OUTPUT_FILE)}: ${catalog.clouds.length} clouds (${awsClouds} AWS + 1 simulated), ` +
      `${images} images, ${instanceTypes} instance types` +
      (skipped > 0 ? `, ${skipped} AMI records skipped (not available or unsupported architecture)` : ''),
  );
}

export const DEMO_CATALOG_FILE = OUTPUT_FILE;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main();
  } catch (error) {
    console.error(`build-demo-catalog: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
