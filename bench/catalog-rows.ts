/**
 * Deterministic, realistic image rows for the catalog benchmark. Row `i` depends only on `i`
 * and the accounts it may name, so both loads (raw COPY and the service's bulk path) regenerate
 * exactly the same rows batch by batch instead of holding a million objects in memory.
 *
 * Names follow the real AMI naming schemes of the families the demo catalog ships (moto's
 * latest_amis: Amazon Linux, Ubuntu, Debian, RHEL, Windows, SLES, Rocky, Fedora CoreOS).
 */
import type { CatalogImageFacts, CpuArchitecture, ImageState } from '@mci/core';
import type { CreateImageInput } from '../packages/server/src/modules/catalog/catalog.service.ts';

/** The 30 clouds the images are spread over: the AWS regions of the demo catalog. */
export const BENCH_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

/** Accounts that own private images, then accounts they share with (launch permissions). */
export const OWNER_ACCOUNTS = ['acme-platform', 'globex-infra', 'initech-ops', 'umbrella-sre'] as const;
export const SHAREE_ACCOUNTS = [
  'acme-dev',
  'acme-qa',
  'globex-dev',
  'globex-analytics',
  'initech-dev',
  'umbrella-research',
  'hooli-ml',
  'stark-labs',
] as const;

/** The account whose member runs the non-superuser searches (`usableBy`). */
export const MEMBER_ACCOUNT = 'globex-dev';

export interface AccountRef {
  id: string;
  slug: string;
}

export interface RowAccounts {
  owners: readonly AccountRef[];
  sharees: readonly AccountRef[];
}

/** The service stamps `deprecatedAt` with its clock; both loads use this instant. */
export const LOAD_CLOCK = new Date('2026-11-27T10:00:00Z');

const SEED = 0x2b1d_7e55;
const DAY_MS = 86_400_000;
const LAST_BUILD_DAY = Math.floor(Date.UTC(2026, 10, 1) / DAY_MS);

/** A bijective 32-bit mix (lowbias32): distinct inputs give distinct outputs, so derived uids never collide. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

/** One element of `items`, uniformly. */
function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** One element of `items` by weight. */
function weighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

interface Build {
  day: number;
  /** 20240503 */
  ymd: string;
  /** 2024.05.03 */
  dotted: string;
}

/** A build date between `since` (yyyy-mm-dd) and the last build day. */
function buildDate(rng: Rng, since: string): Build {
  const first = Math.floor(Date.parse(`${since}T00:00:00Z`) / DAY_MS);
  const day = first + Math.floor(rng() * (LAST_BUILD_DAY - first + 1));
  const iso = new Date(day * DAY_MS).toISOString();
  const [y, m, d] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  return { day, ymd: `${y}${m}${d}`, dotted: `${y}.${m}.${d}` };
}

/** The descriptive part of an image; uid, visibility and state are added by {@link benchImage}. */
type Facts = Omit<CatalogImageFacts, 'resourceUid' | 'rootDeviceType'> & { build: Build };

type Family = (rng: Rng) => Facts;

const hvm = 'hvm';

function amazonLinux2023(rng: Rng): Facts {
  const arch = pick(rng, ['x86_64', 'arm64'] as const);
  const build = buildDate(rng, '2023-03-15');
  const kernel = pick(rng, ['6.1', '6.12']);
  const minimal = rng() < 0.3;
  const release = `2023.${Math.floor(rng() * 9)}.${build.ymd}.${Math.floor(rng() * 3)}`;
  return {
    name: `al2023-ami-${minimal ? 'minimal-' : ''}${release}-kernel-${kernel}-${arch}`,
    description: `Amazon Linux 2023 AMI ${release} ${arch} ${minimal ? 'Minimal ' : ''}HVM kernel-${kernel}`,
    osFamily: 'amazon-linux',
    osVersion: '2023',
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

function amazonLinux2(rng: Rng): Facts {
  const arch = pick(rng, ['x86_64', 'x86_64', 'arm64'] as const);
  const build = buildDate(rng, '2018-06-01');
  const kernel = rng() < 0.5 ? 'kernel-5.10-' : '';
  const release = `2.0.${build.ymd}.${Math.floor(rng() * 3)}`;
  const volume = pick(rng, ['gp2', 'ebs']);
  return {
    name: `amzn2-ami-${kernel}hvm-${release}-${arch}-${volume}`,
    description: `Amazon Linux 2 ${kernel ? 'Kernel 5.10 ' : ''}AMI ${release} ${arch} HVM ${volume}`,
    osFamily: 'amazon-linux',
    osVersion: '2',
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

/** Amazon Linux 1: the only family still carrying paravirtual and i386 images. */
function amazonLinux1(rng: Rng): Facts {
  const pv = rng() < 0.4;
  const arch: CpuArchitecture = pv && rng() < 0.5 ? 'i386' : 'x86_64';
  const build = buildDate(rng, '2016-01-01');
  const release = `2018.03.0.${build.ymd}.0`;
  const volume = pick(rng, ['gp2', 'ebs']);
  return {
    name: `amzn-ami-${pv ? 'pv' : 'hvm'}-${release}-${arch}-${volume}`,
    description: `Amazon Linux AMI ${release} ${arch} ${pv ? 'PV' : 'HVM'} ${volume}`,
    osFamily: 'amazon-linux',
    osVersion: '1',
    cpuArchitecture: arch,
    virtualizationType: pv ? 'paravirtual' : hvm,
    build,
  };
}

const UBUNTU = [
  ['16.04', 'xenial', '2016-04-21'],
  ['18.04', 'bionic', '2018-04-26'],
  ['20.04', 'focal', '2020-04-23'],
  ['22.04', 'jammy', '2022-04-21'],
  ['24.04', 'noble', '2024-04-25'],
] as const;

function ubuntu(rng: Rng): Facts {
  const [version, codename, since] = pick(rng, UBUNTU);
  const arch = pick(rng, ['x86_64', 'x86_64', 'arm64'] as const);
  const deb = arch === 'arm64' ? 'arm64' : 'amd64';
  const build = buildDate(rng, since);
  const minimal = rng() < 0.2;
  const disk = version === '24.04' ? 'hvm-ssd-gp3' : 'hvm-ssd';
  return {
    name: minimal
      ? `ubuntu-minimal/images/${disk}/ubuntu-${codename}-${version}-${deb}-minimal-${build.ymd}`
      : `ubuntu/images/${disk}/ubuntu-${codename}-${version}-${deb}-server-${build.ymd}`,
    description: `Canonical, Ubuntu${minimal ? ' Minimal' : ''}, ${version} LTS, ${deb} ${codename} image build on ${build.dotted.replaceAll('.', '-')}`,
    osFamily: 'ubuntu',
    osVersion: version,
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

function debian(rng: Rng): Facts {
  const [version, codename, since] = pick(rng, [
    ['10', 'buster', '2019-07-06'],
    ['11', 'bullseye', '2021-08-14'],
    ['12', 'bookworm', '2023-06-10'],
  ] as const);
  const arch = pick(rng, ['x86_64', 'arm64'] as const);
  const build = buildDate(rng, since);
  const serial = `${build.ymd}-${1000 + Math.floor(rng() * 1300)}`;
  return {
    name: `debian-${version}-${arch === 'arm64' ? 'arm64' : 'amd64'}-${serial}`,
    description: `Debian ${version} (${codename}) ${serial}`,
    osFamily: 'debian',
    osVersion: version,
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

function rhel(rng: Rng): Facts {
  const [version, since] = pick(rng, [
    ['7.9', '2020-09-29'],
    ['8.8', '2023-05-16'],
    ['8.10', '2024-05-22'],
    ['9.2', '2023-05-10'],
    ['9.4', '2024-04-30'],
  ] as const);
  const arch = pick(rng, ['x86_64', 'x86_64', 'arm64'] as const);
  const build = buildDate(rng, since);
  const volume = pick(rng, ['GP2', 'GP3']);
  return {
    name: `RHEL-${version}.0_HVM-${build.ymd}-${arch}-${Math.floor(rng() * 90) + 2}-Hourly2-${volume}`,
    description: `Provided by Red Hat, Inc. RHEL ${version} ${arch}`,
    osFamily: 'rhel',
    osVersion: version,
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

const WINDOWS_EDITIONS = [
  'English-Full-Base',
  'English-Core-Base',
  'English-Full-SQL_2019_Standard',
  'English-Full-SQL_2022_Web',
  'English-Full-ContainersLatest',
  'Japanese-Full-Base',
  'German-Full-Base',
] as const;

function windows(rng: Rng): Facts {
  const [version, since] = pick(rng, [
    ['2016', '2016-10-12'],
    ['2019', '2018-11-13'],
    ['2022', '2021-09-01'],
    ['2025', '2024-11-01'],
  ] as const);
  const edition = pick(rng, WINDOWS_EDITIONS);
  const build = buildDate(rng, since);
  return {
    name: `Windows_Server-${version}-${edition}-${build.dotted}`,
    description: `Microsoft Windows Server ${version} ${edition.replaceAll('-', ' ')} AMI provided by Amazon`,
    osFamily: 'windows',
    osVersion: version,
    cpuArchitecture: 'x86_64',
    virtualizationType: hvm,
    build,
  };
}

function sles(rng: Rng): Facts {
  const [sp, since] = pick(rng, [
    ['12-sp5', '2019-12-09'],
    ['15-sp5', '2023-06-20'],
    ['15-sp6', '2024-06-20'],
  ] as const);
  const arch = pick(rng, ['x86_64', 'arm64'] as const);
  const build = buildDate(rng, since);
  return {
    name: `suse-sles-${sp}-v${build.ymd}-hvm-ssd-${arch}`,
    description: `SUSE Linux Enterprise Server ${sp.toUpperCase().replace('-', ' ')} (HVM, 64-bit, SSD-Backed)`,
    osFamily: 'sles',
    osVersion: sp.split('-')[0],
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

function rocky(rng: Rng): Facts {
  const [major, minor, since] = pick(rng, [
    ['8', '8.9', '2023-11-22'],
    ['9', '9.4', '2024-05-09'],
  ] as const);
  const arch = pick(rng, ['x86_64', 'arm64'] as const);
  const build = buildDate(rng, since);
  return {
    name: `Rocky-${major}-EC2-Base-${minor}-${build.ymd}.0.${arch === 'arm64' ? 'aarch64' : 'x86_64'}`,
    description: `Rocky Linux ${minor} EC2 Base image`,
    osFamily: 'rocky',
    osVersion: minor,
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

function fedoraCoreOs(rng: Rng): Facts {
  const major = pick(rng, ['39', '40', '41']);
  const arch = pick(rng, ['x86_64', 'arm64'] as const);
  const build = buildDate(rng, `20${Number(major) - 16}-10-01`);
  const release = `${major}.${build.ymd}.3.0`;
  return {
    name: `fedora-coreos-${release}-${arch === 'arm64' ? 'aarch64' : 'x86_64'}`,
    description: `Fedora CoreOS stable ${release}`,
    osFamily: 'fedora-coreos',
    osVersion: major,
    cpuArchitecture: arch,
    virtualizationType: hvm,
    build,
  };
}

const PUBLIC_FAMILIES: readonly (readonly [Family, number])[] = [
  [amazonLinux2023, 14],
  [amazonLinux2, 10],
  [amazonLinux1, 3],
  [ubuntu, 22],
  [debian, 8],
  [rhel, 8],
  [windows, 12],
  [sles, 5],
  [rocky, 4],
  [fedoraCoreOs, 3],
];

const PRIVATE_BASES: readonly (readonly [Family, number])[] = [
  [ubuntu, 4],
  [amazonLinux2023, 3],
  [rhel, 2],
  [windows, 2],
  [debian, 1],
];

const ROLES = ['web', 'api', 'worker', 'db', 'bastion', 'ci-runner', 'k8s-node', 'batch', 'cache', 'gateway'];

/** A golden image an account built on top of a public one, e.g. `acme-platform-web-ubuntu-22.04-20240503-1530`. */
function privateImage(rng: Rng, owner: AccountRef): Facts {
  const base = weighted(rng, PRIVATE_BASES)(rng);
  const role = pick(rng, ROLES);
  const time = `${String(Math.floor(rng() * 24)).padStart(2, '0')}${String(Math.floor(rng() * 60)).padStart(2, '0')}`;
  return {
    ...base,
    name: `${owner.slug}-${role}-${base.osFamily}-${base.osVersion}-${base.cpuArchitecture}-${base.build.ymd}-${time}`,
    description: `${role} image of ${owner.slug}, built from ${base.name}`,
  };
}

/** Older builds are more often deprecated or withdrawn, as in a real catalog. */
function stateOf(rng: Rng, build: Build): ImageState {
  const ageDays = Math.floor(LOAD_CLOCK.getTime() / DAY_MS) - build.day;
  const r = rng();
  if (ageDays > 730) return r < 0.5 ? 'deprecated' : r < 0.6 ? 'unavailable' : 'available';
  if (ageDays > 365) return r < 0.2 ? 'deprecated' : r < 0.23 ? 'unavailable' : 'available';
  return r < 0.03 ? 'deprecated' : r < 0.04 ? 'unavailable' : 'available';
}

/** Zero to three distinct accounts, other than the owner, allowed to launch a private image. */
function launchPermissions(rng: Rng, sharees: readonly AccountRef[]): string[] {
  if (rng() < 0.55) return [];
  const count = 1 + Math.floor(rng() * 3);
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(pick(rng, sharees).id);
  return [...chosen];
}

/** Row `i` of the catalog: the same input every time, ~10% private. Its uid is unique across all rows. */
export function benchImage(i: number, accounts: RowAccounts): CreateImageInput {
  const rng = prng(mix32((i ^ SEED) >>> 0));
  const isPrivate = rng() < 0.1;
  const owner = isPrivate
    ? weighted(
        rng,
        accounts.owners.map((a, k) => [a, 4 - k] as const),
      )
    : undefined;
  const facts = owner ? privateImage(rng, owner) : weighted(rng, PUBLIC_FAMILIES)(rng);
  return {
    resourceUid: `ami-0${hex8(mix32(i))}${hex8(rng() * 4294967296)}`,
    name: facts.name,
    description: facts.description,
    osFamily: facts.osFamily,
    osVersion: facts.osVersion,
    cpuArchitecture: facts.cpuArchitecture,
    virtualizationType: facts.virtualizationType,
    rootDeviceType: rng() < 0.97 ? 'ebs' : 'instance-store',
    visibility: owner ? 'private' : 'public',
    ...(owner ? { ownerAccountId: owner.id } : {}),
    launchPermissions: owner ? launchPermissions(rng, accounts.sharees) : [],
    state: stateOf(rng, facts.build),
  };
}

/** The rows `[from, to)` of cloud `k` when `total` rows are spread evenly over `clouds` clouds. */
export function cloudRowRange(k: number, clouds: number, total: number): { from: number; to: number } {
  return { from: Math.floor((k * total) / clouds), to: Math.floor(((k + 1) * total) / clouds) };
}
