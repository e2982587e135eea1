/**
 * Open image catalog formats (SPEC §10, R-FMT; issue 14), read into one neutral shape and written
 * back out. Pure: a document arrives already parsed (JSON or YAML text is the transport's job),
 * and every refusal names the document path it is about (`document.Mappings.AWSRegionArch2AMI.…`).
 *
 * Reading gives *variants* (one future MCI each: a CloudFormation arch key, a CoreOS architecture,
 * a simplestreams product), each a list of region → image id entries, plus every entry that cannot
 * be used and why. Matching regions to clouds and ids to catalog images is the importer's (server).
 */
import type { CpuArchitecture } from './catalog.ts';
import { InputError } from './errors.ts';

export const CATALOG_FORMATS = ['cloudformation-mappings', 'coreos-stream', 'simplestreams'] as const;
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];

/** One region's image in a variant, with where it sits in the document. */
export interface CatalogImageRef {
  region: string;
  imageId: string;
  path: string;
  /** An instance type the document names for this very entry (simplestreams items may). */
  instanceType?: string;
}

export interface CatalogVariant {
  /** The document's own key: `HVM64`, `stable/x86_64`, a simplestreams product name. */
  key: string;
  /** What the document says the images run on; null when it does not say (the caller chooses). */
  cpuArchitecture: CpuArchitecture | null;
  /** The document's version of the images (a CoreOS release, a simplestreams version), if any. */
  version: string | null;
  entries: CatalogImageRef[];
  /** Instance types the document pairs with this variant (CloudFormation's AWSInstanceType2Arch). */
  instanceTypeHints: string[];
}

export type SkipReason =
  | 'not_supported'
  | 'not_an_image_id'
  | 'duplicate_image_id'
  | 'duplicate_region'
  | 'unsupported_platform'
  | 'unsupported_architecture';

/** An entry of the document that gives no image for a region, and why. */
export interface SkippedCatalogEntry {
  path: string;
  variant?: string;
  region?: string;
  reason: SkipReason;
  message: string;
}

export interface ParsedCatalog {
  format: CatalogFormat;
  variants: CatalogVariant[];
  skipped: SkippedCatalogEntry[];
}

const ROOT = 'document';

/**
 * A document that is not of its format: 422 naming the offending path (the request itself is
 * well-formed; its document is not usable).
 */
function malformed(path: string, message: string): InputError {
  return new InputError('invalid_catalog_document', `${path}: ${message}`, { errors: [{ path, message }] });
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (path: string, key: string) =>
  /^[A-Za-z_][\w-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

function objectAt(value: unknown, path: string, what: string): Obj {
  if (!isObject(value)) throw malformed(path, `must be an object (${what})`);
  return value;
}

function textAt(value: unknown, path: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw malformed(path, `must be a non-empty string (${what})`);
  return value.trim();
}

/** A region name as clouds name them (`us-east-1`, `eu-west-1`, `cn-beijing`). */
const REGION = /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/;

function regionAt(key: string, path: string): string {
  if (!REGION.test(key)) throw malformed(path, `"${key}" is not a region name (such as us-east-1)`);
  return key;
}

/** Each image id once per variant: a second region with the same id is a copying mistake. */
function dropDuplicateIds(variant: CatalogVariant, skipped: SkippedCatalogEntry[]): CatalogVariant {
  const seen = new Map<string, string>();
  const entries = variant.entries.filter((e) => {
    const first = seen.get(e.imageId);
    if (first === undefined) {
      seen.set(e.imageId, e.region);
      return true;
    }
    skipped.push({
      path: e.path,
      variant: variant.key,
      region: e.region,
      reason: 'duplicate_image_id',
      message: `${e.imageId} is already the image of ${first}: an image id belongs to one region`,
    });
    return false;
  });
  return { ...variant, entries };
}

// ---------------------------------------------------------------- CloudFormation Mappings

/** AMI ids as CloudFormation maps hold them (`ami-` and 8 or 17 hex digits). */
const AMI_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** What CloudFormation's customary arch keys run on (`PV64`, `HVM64`, `HVMG2`: 64-bit x86). */
export function architectureOfCfnKey(key: string): CpuArchitecture | null {
  const k = key.toUpperCase();
  if (/ARM|AARCH64|GRAVITON/.test(k)) return 'arm64';
  if (/32|I386/.test(k)) return 'i386';
  if (/64|G2|X86/.test(k)) return 'x86_64';
  return null;
}

/** The arch key an export writes for an architecture (what `architectureOfCfnKey` reads back). */
export const CFN_ARCH_KEYS: Record<CpuArchitecture, string> = {
  x86_64: 'HVM64',
  arm64: 'ARM64',
  i386: 'HVM32',
};

export interface CfnOptions {
  /** The mapping to read; default `AWSRegionArch2AMI`, else the one mapping that holds AMI ids. */
  mapName?: string;
}

/** Does a mapping look like region → key → AMI id? */
function holdsAmis(mapping: unknown): boolean {
  if (!isObject(mapping)) return false;
  const cells = Object.values(mapping).flatMap((row) => (isObject(row) ? Object.values(row) : []));
  return cells.some((c) => typeof c === 'string' && AMI_ID.test(c));
}

/**
 * A CloudFormation `Mappings` block (a whole template, `{Mappings: …}`, or the block itself):
 * region → arch key → AMI id. One variant per arch key; `NOT_SUPPORTED` cells are skipped with
 * that reason; `AWSInstanceType2Arch` gives each key its instance types.
 */
export function parseCloudFormationMappings(doc: unknown, opts: CfnOptions = {}): ParsedCatalog {
  const root = objectAt(doc, ROOT, 'a CloudFormation template or its Mappings block');
  const [mappings, mappingsPath] = isObject(root.Mappings)
    ? [root.Mappings, at(ROOT, 'Mappings')]
    : root.Mappings !== undefined
      ? (() => {
          throw malformed(at(ROOT, 'Mappings'), 'must be an object of named mappings');
        })()
      : [root, ROOT];
  const names = Object.keys(mappings);
  const mapName =
    opts.mapName ??
    (mappings.AWSRegionArch2AMI !== undefined
      ? 'AWSRegionArch2AMI'
      : (() => {
          const found = names.filter((n) => holdsAmis(mappings[n]));
          if (found.length === 1) return found[0];
          throw malformed(
            mappingsPath,
            found.length === 0
              ? 'holds no mapping of region → key → AMI id (such as AWSRegionArch2AMI)'
              : `holds several AMI mappings (${found.join(', ')}): name the one to import`,
          );
        })());
  const mapPath = at(mappingsPath, mapName);
  const regionMap = objectAt(mappings[mapName], mapPath, 'region → key → AMI id');
  const hints = instanceTypeHints(mappings.AWSInstanceType2Arch, at(mappingsPath, 'AWSInstanceType2Arch'));

  const variants = new Map<string, CatalogVariant>();
  const skipped: SkippedCatalogEntry[] = [];
  for (const [regionKey, row] of Object.entries(regionMap)) {
    const rowPath = at(mapPath, regionKey);
    const region = regionAt(regionKey, rowPath);
    for (const [key, cell] of Object.entries(objectAt(row, rowPath, 'arch key → AMI id'))) {
      const path = at(rowPath, key);
      const variant =
        variants.get(key) ??
        variants
          .set(key, {
            key,
            cpuArchitecture: architectureOfCfnKey(key),
            version: null,
            entries: [],
            instanceTypeHints: hints.get(key) ?? [],
          })
          .get(key)!;
      const imageId = textAt(cell, path, 'an AMI id or NOT_SUPPORTED');
      if (imageId === 'NOT_SUPPORTED') {
        skipped.push({
          path,
          variant: key,
          region,
          reason: 'not_supported',
          message: `${key} is NOT_SUPPORTED in ${region}`,
        });
      } else if (!AMI_ID.test(imageId)) {
        skipped.push({
          path,
          variant: key,
          region,
          reason: 'not_an_image_id',
          message: `"${imageId}" is not an AMI id (ami- and 8 or 17 hex digits)`,
        });
      } else variant.entries.push({ region, imageId, path });
    }
  }
  return {
    format: 'cloudformation-mappings',
    variants: [...variants.values()].map((v) => dropDuplicateIds(v, skipped)),
    skipped,
  };
}

/** `AWSInstanceType2Arch`: instance type → `{Arch: key}`, turned into key → instance types. */
function instanceTypeHints(mapping: unknown, path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (mapping === undefined) return out;
  for (const [type, row] of Object.entries(objectAt(mapping, path, 'instance type → {Arch}'))) {
    const key = textAt(
      objectAt(row, at(path, type), '{Arch: key}').Arch,
      at(at(path, type), 'Arch'),
      'an arch key',
    );
    out.set(key, [...(out.get(key) ?? []), type]);
  }
  return out;
}

// ---------------------------------------------------------------- Fedora CoreOS streams

/** CoreOS architecture names → the catalog's (`aarch64` is arm64 here). */
const COREOS_ARCHITECTURES: Record<string, CpuArchitecture> = { x86_64: 'x86_64', aarch64: 'arm64' };

/** The platforms a stream lists per region, and how error messages name them. */
const REGION_PLATFORMS: Record<string, string> = { aws: 'AWS', aliyun: 'Aliyun' };

export interface CoreosOptions {
  /** The platform whose regional images become settings (default `aws`). */
  platform?: string;
}

/**
 * Fedora CoreOS stream metadata: architectures → images → platform → regions → {release, image}.
 * One variant per architecture, for one regional platform; other platforms' images are reported.
 */
export function parseCoreosStream(doc: unknown, opts: CoreosOptions = {}): ParsedCatalog {
  const platform = opts.platform ?? 'aws';
  const root = objectAt(doc, ROOT, 'a CoreOS stream (stream, architectures)');
  const stream = textAt(root.stream, at(ROOT, 'stream'), 'the stream name');
  const archesPath = at(ROOT, 'architectures');
  const arches = objectAt(root.architectures, archesPath, 'architecture → artifacts and images');
  const variants: CatalogVariant[] = [];
  const skipped: SkippedCatalogEntry[] = [];
  for (const [arch, body] of Object.entries(arches)) {
    const archPath = at(archesPath, arch);
    const key = `${stream}/${arch}`;
    const images = objectAt(
      objectAt(body, archPath, 'artifacts and images').images ?? {},
      at(archPath, 'images'),
      'platform → images',
    );
    const cpuArchitecture = COREOS_ARCHITECTURES[arch] ?? null;
    for (const other of Object.keys(images).filter((p) => p !== platform))
      skipped.push({
        path: at(at(archPath, 'images'), other),
        variant: key,
        reason: 'unsupported_platform',
        message: `${other} images are not imported (importing ${platform})`,
      });
    if (!cpuArchitecture) {
      skipped.push({
        path: archPath,
        variant: key,
        reason: 'unsupported_architecture',
        message: `architecture ${arch} has no catalog equivalent`,
      });
      continue;
    }
    const regionsPath = at(at(at(archPath, 'images'), platform), 'regions');
    const found = images[platform];
    if (found === undefined) continue;
    const regions = objectAt(
      objectAt(found, at(at(archPath, 'images'), platform), 'regions').regions,
      regionsPath,
      'region → {release, image}',
    );
    const entries: CatalogImageRef[] = [];
    const releases = new Set<string>();
    for (const [regionKey, entry] of Object.entries(regions)) {
      const path = at(regionsPath, regionKey);
      const e = objectAt(entry, path, '{release, image}');
      const imageId = textAt(e.image, at(path, 'image'), 'the image id');
      if (e.release !== undefined) releases.add(textAt(e.release, at(path, 'release'), 'the release'));
      entries.push({ region: regionAt(regionKey, path), imageId, path: at(path, 'image') });
    }
    variants.push(
      dropDuplicateIds(
        {
          key,
          cpuArchitecture,
          version: [...releases].sort(compareVersions).at(-1) ?? null,
          entries,
          instanceTypeHints: [],
        },
        skipped,
      ),
    );
  }
  return { format: 'coreos-stream', variants, skipped };
}

/**
 * One image of a CoreOS stream, the way coreos/stream-metadata-go looks it up (same wording for
 * what is missing): an architecture the stream lacks, or a region with no image of the platform.
 */
export function lookupCoreosImage(
  doc: unknown,
  q: { arch: string; platform: string; region: string },
): { ok: true; image: string; release: string | null } | { ok: false; error: string } {
  const root = objectAt(doc, ROOT, 'a CoreOS stream');
  const stream = textAt(root.stream, at(ROOT, 'stream'), 'the stream name');
  const arches = objectAt(root.architectures, at(ROOT, 'architectures'), 'architectures');
  const arch = arches[q.arch];
  if (!isObject(arch)) return { ok: false, error: `stream:${stream} does not have architecture '${q.arch}'` };
  const images = isObject(arch.images) ? arch.images : {};
  const platform = isObject(images[q.platform]) ? (images[q.platform] as Obj) : {};
  const regions = isObject(platform.regions) ? platform.regions : {};
  const entry = regions[q.region];
  const name = REGION_PLATFORMS[q.platform] ?? q.platform;
  if (!isObject(entry) || typeof entry.image !== 'string')
    return { ok: false, error: `${stream}/${q.arch}: No ${name} images in region ${q.region}` };
  return { ok: true, image: entry.image, release: typeof entry.release === 'string' ? entry.release : null };
}

// ---------------------------------------------------------------- simplestreams

/** simplestreams' architecture names → the catalog's. */
const SIMPLESTREAMS_ARCHITECTURES: Record<string, CpuArchitecture> = {
  amd64: 'x86_64',
  x86_64: 'x86_64',
  i386: 'i386',
  arm64: 'arm64',
  aarch64: 'arm64',
};

/** Serials such as `20121026.1` compared part by part as numbers (`r2` < `r10` too). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.\-_]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i], pb[i]];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

const ENDPOINT_REGION = /^https?:\/\/ec2\.([a-z0-9-]+)\.amazonaws\.com/;

/** Which item of a region wins: EBS-backed and HVM first (what launches on today's types). */
const itemRank = (item: Obj) =>
  (item.root_store === 'ebs' || item.root_store === 'ssd' ? 0 : 2) +
  (item.virt === undefined || item.virt === 'hvm' ? 0 : 1);

export interface SimplestreamsOptions {
  /** A product's version to read instead of its newest (for every product that has it). */
  version?: string;
  /** Only this product. */
  product?: string;
}

/**
 * A simplestreams `products:1.0` document of datatype `image-ids`: one variant per product,
 * from its newest version (or the one named), one entry per region (EBS/HVM preferred; the other
 * items of the region reported). An `index:1.0` document only points at such documents: refused.
 */
export function parseSimplestreams(doc: unknown, opts: SimplestreamsOptions = {}): ParsedCatalog {
  const root = objectAt(doc, ROOT, 'a simplestreams products:1.0 document');
  if (root.format === 'index:1.0')
    throw malformed(
      at(ROOT, 'format'),
      'an index:1.0 document lists product streams: import the products:1.0 document its "path" names',
    );
  if (root.format !== undefined && root.format !== 'products:1.0')
    throw malformed(at(ROOT, 'format'), `must be products:1.0 (is ${JSON.stringify(root.format)})`);
  if (root.datatype !== undefined && root.datatype !== 'image-ids')
    throw malformed(
      at(ROOT, 'datatype'),
      `must be image-ids (is ${JSON.stringify(root.datatype)}): only image ids become MCIs`,
    );
  const productsPath = at(ROOT, 'products');
  const products = objectAt(root.products, productsPath, 'product name → versions');
  if (opts.product !== undefined && !(opts.product in products))
    throw malformed(productsPath, `has no product "${opts.product}"`);
  const variants: CatalogVariant[] = [];
  const skipped: SkippedCatalogEntry[] = [];
  for (const [name, body] of Object.entries(products)) {
    if (opts.product !== undefined && name !== opts.product) continue;
    const productPath = at(productsPath, name);
    const product = objectAt(body, productPath, 'a product');
    const versionsPath = at(productPath, 'versions');
    const versions = objectAt(product.versions, versionsPath, 'version → items');
    const keys = Object.keys(versions).sort(compareVersions);
    const version = opts.version ?? keys.at(-1);
    if (version === undefined) throw malformed(versionsPath, 'has no versions');
    if (!(version in versions)) throw malformed(versionsPath, `has no version "${version}"`);
    const versionPath = at(versionsPath, version);
    const v = objectAt(versions[version], versionPath, 'a version');
    const itemsPath = at(versionPath, 'items');
    const chosen = new Map<string, { item: Obj; ref: CatalogImageRef }>();
    for (const [itemKey, raw] of Object.entries(objectAt(v.items, itemsPath, 'item → {id, region…}'))) {
      const path = at(itemsPath, itemKey);
      const item = objectAt(raw, path, 'an item');
      const endpoint = [item.endpoint, v.endpoint, product.endpoint].find(
        (e): e is string => typeof e === 'string',
      );
      const regionText = [item.crsn, item.region, endpoint && ENDPOINT_REGION.exec(endpoint)?.[1]].find(
        (r): r is string => typeof r === 'string' && r !== '',
      );
      if (!regionText) throw malformed(path, 'names no region (crsn, region or an ec2 endpoint)');
      const ref: CatalogImageRef = {
        region: regionAt(regionText, path),
        imageId: textAt(item.id, at(path, 'id'), 'the image id'),
        path: at(path, 'id'),
        ...(typeof item.instance_type === 'string' ? { instanceType: item.instance_type } : {}),
      };
      const current = chosen.get(ref.region);
      const [keep, drop] =
        !current || itemRank(item) < itemRank(current.item)
          ? [{ item, ref }, current]
          : [current, { item, ref }];
      chosen.set(ref.region, keep);
      if (drop)
        skipped.push({
          path: drop.ref.path,
          variant: name,
          region: ref.region,
          reason: 'duplicate_region',
          message: `${drop.ref.imageId} (${String(drop.item.root_store ?? '?')}) is another image for ${ref.region}; ${keep.ref.imageId} is used`,
        });
    }
    const arch =
      typeof product.arch === 'string' ? product.arch : /:(amd64|i386|arm64|aarch64|armhf)$/.exec(name)?.[1];
    variants.push(
      dropDuplicateIds(
        {
          key: name,
          cpuArchitecture: arch ? (SIMPLESTREAMS_ARCHITECTURES[arch] ?? null) : null,
          version,
          entries: [...chosen.values()].map((c) => c.ref),
          instanceTypeHints: [],
        },
        skipped,
      ),
    );
  }
  return { format: 'simplestreams', variants, skipped };
}

/**
 * Reads a catalog document of a format into variants and what cannot be used (R-FMT-1: entries
 * for unknown clouds or images are reported by the importer, never guessed).
 * @rule R-FMT-1
 */
export function parseCatalog(
  format: CatalogFormat,
  doc: unknown,
  opts: CfnOptions & CoreosOptions & SimplestreamsOptions = {},
): ParsedCatalog {
  switch (format) {
    case 'cloudformation-mappings':
      return parseCloudFormationMappings(doc, opts);
    case 'coreos-stream':
      return parseCoreosStream(doc, opts);
    case 'simplestreams':
      return parseSimplestreams(doc, opts);
  }
}

// ---------------------------------------------------------------- export (R-FMT-2)

/** One cloud's setting of an MCI revision, as exports need it (the cloud's region and ids). */
export interface ExportSetting {
  region: string;
  imageId: string;
  instanceType: string;
  cpuArchitecture: CpuArchitecture;
}

/**
 * R-FMT-2: an MCI revision as a CloudFormation `Mappings` block CloudFormation accepts: `AWSRegionArch2AMI`
 * (region → arch key → AMI id) and `AWSInstanceType2Arch` for its instance types, so that
 * `Fn::FindInMap` lookups work as in AWS's own samples. Regions sorted, for stable output.
 */
export function toCloudFormationMappings(settings: readonly ExportSetting[]) {
  const regionMap: Record<string, Record<string, string>> = {};
  const typeMap: Record<string, { Arch: string }> = {};
  for (const s of [...settings].sort((a, b) => a.region.localeCompare(b.region))) {
    const key = CFN_ARCH_KEYS[s.cpuArchitecture];
    (regionMap[s.region] ??= {})[key] = s.imageId;
    typeMap[s.instanceType] ??= { Arch: key };
  }
  return { Mappings: { AWSRegionArch2AMI: regionMap, AWSInstanceType2Arch: typeMap } };
}

/**
 * R-FMT-2: a simplestreams `products:1.0` document of an MCI lineage, one version per committed
 * revision.
 * @rule R-FMT-2
 */
export function toSimplestreams(input: {
  contentId: string;
  product: string;
  updated: Date;
  revisions: readonly { revision: number; label?: string; settings: readonly ExportSetting[] }[];
}) {
  const arch = input.revisions.flatMap((r) => r.settings)[0]?.cpuArchitecture;
  const versions: Record<string, { label?: string; items: Record<string, Record<string, string>> }> = {};
  for (const r of input.revisions) {
    const items: Record<string, Record<string, string>> = {};
    for (const s of [...r.settings].sort((a, b) => a.region.localeCompare(b.region)))
      items[s.region] = {
        crsn: s.region,
        id: s.imageId,
        instance_type: s.instanceType,
        root_store: 'ebs',
        virt: 'hvm',
      };
    versions[String(r.revision)] = { ...(r.label ? { label: r.label } : {}), items };
  }
  return {
    format: 'products:1.0',
    datatype: 'image-ids',
    content_id: input.contentId,
    updated: input.updated.toUTCString().replace('GMT', '+0000'),
    products: {
      [input.product]: { ...(arch ? { arch: arch === 'x86_64' ? 'amd64' : arch } : {}), versions },
    },
  };
}
