import { imageUnusableReason, type Cloud, type Image, type InstanceType } from './catalog.ts';
import { ConflictError, InputError } from './errors.ts';

/** A cloud's entry in an MCI revision: which image and default instance type it launches. */
export interface MciSetting {
  cloudId: string;
  imageId: string;
  instanceTypeId: string;
  userData: string | null;
}

/** Fields shared by every revisioned component (MCIs and ServerTemplates). */
export interface RevisionFields {
  id: string;
  lineageId: string;
  /** 0 = HEAD (editable), 1..n = committed (immutable). */
  revision: number;
  name: string;
  description: string;
  tags: string[];
  accountId: string;
  commitMessage: string | null;
  committedBy: string | null;
  committedAt: string | null;
  baseRevision: number | null;
  clonedFrom: string | null;
  importedFrom: string | null;
}

export interface Mci extends RevisionFields {
  settings: MciSetting[];
}

/** A non-blocking remark: deprecated images on save, lint findings, commit notes. */
export interface Warning {
  code: string;
  message: string;
  cloudId?: string;
}

export const HEAD_REVISION = 0;

/**
 * R-MCI-4: only the HEAD of a component the account created or cloned is editable.
 * @rule R-MCI-4
 */
export function assertEditable(
  rev: Pick<RevisionFields, 'id' | 'revision' | 'importedFrom'>,
  kind = 'MCI',
): void {
  if (rev.revision !== HEAD_REVISION) {
    throw new ConflictError(
      'immutable_revision',
      `${kind} ${rev.id} is committed revision ${rev.revision}; committed revisions are immutable — edit the HEAD (revision 0) instead`,
    );
  }
  if (rev.importedFrom) {
    throw new ConflictError(
      'immutable_revision',
      `${kind} ${rev.id} was imported and is read-only; clone it to make an editable copy`,
    );
  }
}

/**
 * R-MCI-1: one setting per cloud in a revision (409 naming the cloud).
 * @rule R-MCI-1
 */
export function assertNoSettingForCloud(
  settings: readonly MciSetting[],
  cloud: Pick<Cloud, 'id' | 'name'>,
): void {
  if (settings.some((s) => s.cloudId === cloud.id)) {
    throw new ConflictError(
      'duplicate_cloud_setting',
      `This MCI already has a setting for cloud ${cloud.name} (${cloud.id}); replace that setting instead, or use a second MCI`,
      {
        errors: [{ path: 'cloudId', message: `already has a setting for ${cloud.name}` }],
        details: { cloudId: cloud.id, hint: { operation: 'replaceSetting', cloudId: cloud.id } },
      },
    );
  }
}

const REASON_TEXT = {
  private_not_shared: 'it is private to another account and not shared with this account',
  unavailable: 'it is marked unavailable',
} as const;

/**
 * R-MCI-2 and R-MCI-3: the image and instance type belong to the setting's cloud, the account
 * can use the image, and the instance type supports its architecture. A deprecated image is
 * accepted with a warning. `image`/`instanceType` are undefined when the id names nothing the
 * account can see.
 * @rule R-MCI-2
 * @rule R-MCI-3
 */
export function checkSetting(input: {
  accountId: string;
  cloud: Pick<Cloud, 'id' | 'name'>;
  imageId: string;
  image: Image | undefined;
  instanceTypeId: string;
  instanceType: InstanceType | undefined;
}): Warning[] {
  const { cloud, image, instanceType } = input;
  const fail = (code: string, path: string, message: string): never => {
    throw new InputError(code, message, { errors: [{ path, message }] });
  };
  if (!image) fail('image_not_found', 'imageId', `image ${input.imageId} does not exist`);
  if (image!.cloudId !== cloud.id) {
    fail(
      'image_cloud_mismatch',
      'imageId',
      `image ${input.imageId} is not in cloud ${cloud.name} (${cloud.id})`,
    );
  }
  const reason = imageUnusableReason(image!, input.accountId);
  if (reason) {
    fail(
      reason === 'unavailable' ? 'image_unavailable' : 'image_not_usable',
      'imageId',
      `image ${input.imageId} (${image!.resourceUid}) cannot be used: ${REASON_TEXT[reason]}`,
    );
  }
  if (!instanceType)
    fail('instance_type_not_found', 'instanceTypeId', `instance type ${input.instanceTypeId} does not exist`);
  if (instanceType!.cloudId !== cloud.id) {
    fail(
      'instance_type_cloud_mismatch',
      'instanceTypeId',
      `instance type ${input.instanceTypeId} is not in cloud ${cloud.name} (${cloud.id})`,
    );
  }
  if (!instanceType!.cpuArchitectures.includes(image!.cpuArchitecture)) {
    fail(
      'architecture_mismatch',
      'instanceTypeId',
      `instance type ${instanceType!.resourceUid} (${instanceType!.cpuArchitectures.join(', ')}) cannot run image ${image!.resourceUid} (${image!.cpuArchitecture})`,
    );
  }
  if (image!.state === 'deprecated') {
    return [
      {
        code: 'deprecated_image',
        message: `image ${image!.resourceUid} in ${cloud.name} is deprecated${image!.replacementImageId ? `; its replacement is ${image!.replacementImageId}` : ''}`,
        cloudId: cloud.id,
      },
    ];
  }
  return [];
}

/**
 * R-MCI-5: a commit needs at least one setting (the message is checked by the schema).
 * @rule R-MCI-5
 */
export function assertCommittable(mci: Pick<Mci, 'id' | 'settings'>): void {
  if (mci.settings.length === 0) {
    throw new InputError(
      'no_settings',
      `MCI ${mci.id} has no settings; add a setting for at least one cloud before committing`,
    );
  }
}

const OS_WORDS: Record<string, string[]> = {
  ubuntu: ['ubuntu'],
  debian: ['debian'],
  centos: ['centos'],
  rhel: ['rhel', 'redhat'],
  rocky: ['rocky'],
  alma: ['alma', 'almalinux'],
  'amazon-linux': ['amazon', 'amzn', 'amzn2', 'al2', 'al2023', 'amazonlinux'],
  windows: ['windows', 'win'],
  fedora: ['fedora'],
  'fedora-coreos': ['fcos', 'coreos'],
  suse: ['suse', 'sles', 'opensuse'],
  freebsd: ['freebsd'],
};

const ARCH_WORDS: Record<string, string> = {
  x64: 'x86_64',
  x86_64: 'x86_64',
  amd64: 'x86_64',
  '64bit': 'x86_64',
  arm64: 'arm64',
  aarch64: 'arm64',
  i386: 'i386',
  i686: 'i386',
  x86: 'i386',
  '32bit': 'i386',
};

/** Words of a name, lower-cased; `Ubuntu_22.04_x64` → ubuntu, 22.04, x64. */
function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^a-z0-9._]+|_/)
    .flatMap((w) => (/^\d+(\.\d+)*$/.test(w) ? [w] : w.split('.')))
    .filter(Boolean);
}

function osFamilyOfWord(word: string): string | undefined {
  return Object.entries(OS_WORDS).find(([, words]) => words.includes(word))?.[0];
}

/** How a name usually writes an architecture (`x64` as in RightImage_Ubuntu_10.04_x64_v5.7). */
const ARCH_NAME: Record<string, string> = { x86_64: 'x64', arm64: 'arm64', i386: 'i386' };

/** True when no word of the name names an OS family, version or architecture of any image. */
function namesNoneOf(words: readonly string[], facts: readonly LintSettingFacts[]): boolean {
  return !facts.some(({ image }) =>
    words.some(
      (w) =>
        (image.osFamily && (w === image.osFamily.toLowerCase() || osFamilyOfWord(w) === image.osFamily)) ||
        (image.osVersion && w === image.osVersion.toLowerCase()) ||
        ARCH_WORDS[w] === image.cpuArchitecture,
    ),
  );
}

/** `fedora-coreos 39 x86_64, ubuntu 22.04 x86_64`: each distinct image description once. */
function describeImages(facts: readonly LintSettingFacts[]): string {
  const seen = new Set(
    facts.map(({ image }) =>
      [image.osFamily, image.osVersion, image.cpuArchitecture].filter(Boolean).join(' '),
    ),
  );
  return [...seen].join(', ');
}

export interface LintSettingFacts {
  cloud: Pick<Cloud, 'id' | 'name'>;
  image: Pick<Image, 'resourceUid' | 'name' | 'osFamily' | 'osVersion' | 'cpuArchitecture' | 'state'>;
}

function differing<T extends string>(
  facts: readonly LintSettingFacts[],
  pick: (f: LintSettingFacts) => T,
): Map<T, string[]> | null {
  const byValue = new Map<T, string[]>();
  for (const f of facts) byValue.set(pick(f), [...(byValue.get(pick(f)) ?? []), f.cloud.name]);
  return byValue.size > 1 ? byValue : null;
}

function describeSplit(split: Map<string, string[]>): string {
  return [...split.entries()].map(([v, clouds]) => `${v || '(unknown)'} in ${clouds.join(', ')}`).join('; ');
}

/**
 * R-MCI-8: warnings (never errors) about an MCI revision: no settings; OS family, OS version or
 * architecture differing across clouds; a name that contradicts its images (`name_mismatch`, per
 * cloud) or names none of their OS family, version or architecture (`name_not_descriptive`, e.g.
 * "My Image"); deprecated or unavailable images. Ordered by cloud name within each kind.
 * @rule R-MCI-8
 */
export function lintMci(name: string, settings: readonly LintSettingFacts[]): Warning[] {
  if (settings.length === 0) {
    return [{ code: 'no_settings', message: 'The MCI has no settings: no cloud can launch it' }];
  }
  const facts = [...settings].sort((a, b) => a.cloud.name.localeCompare(b.cloud.name));
  const warnings: Warning[] = [];
  const family = differing(facts, (f) => f.image.osFamily);
  if (family)
    warnings.push({
      code: 'os_family_mismatch',
      message: `OS family differs across clouds: ${describeSplit(family)}`,
    });
  const version = differing(facts, (f) => `${f.image.osFamily} ${f.image.osVersion}`.trim());
  if (!family && version) {
    warnings.push({
      code: 'os_version_mismatch',
      message: `OS version differs across clouds: ${describeSplit(version)}`,
    });
  }
  const arch = differing(facts, (f) => f.image.cpuArchitecture);
  if (arch)
    warnings.push({
      code: 'architecture_mismatch',
      message: `CPU architecture differs across clouds: ${describeSplit(arch)}`,
    });

  const words = nameWords(name);
  for (const f of facts) {
    const problems: string[] = [];
    const namedFamilies = new Set(words.map(osFamilyOfWord).filter((x): x is string => Boolean(x)));
    if (namedFamilies.size > 0 && f.image.osFamily && !namedFamilies.has(f.image.osFamily)) {
      problems.push(`the name says ${[...namedFamilies].join('/')} but the image is ${f.image.osFamily}`);
    }
    const namedVersions = words.filter((w) => /^\d+(\.\d+)+$/.test(w) || /^\d{2,4}$/.test(w));
    if (namedVersions.length > 0 && f.image.osVersion && !namedVersions.includes(f.image.osVersion)) {
      problems.push(`the name says version ${namedVersions.join('/')} but the image is ${f.image.osVersion}`);
    }
    const namedArchs = new Set(words.map((w) => ARCH_WORDS[w]).filter(Boolean));
    if (namedArchs.size > 0 && !namedArchs.has(f.image.cpuArchitecture)) {
      problems.push(`the name says ${[...namedArchs].join('/')} but the image is ${f.image.cpuArchitecture}`);
    }
    if (problems.length > 0) {
      warnings.push({
        code: 'name_mismatch',
        message: `"${name}" does not reflect image ${f.image.resourceUid} in ${f.cloud.name}: ${problems.join('; ')}`,
        cloudId: f.cloud.id,
      });
    }
  }
  const undescriptive = !warnings.some((w) => w.code === 'name_mismatch') && namesNoneOf(words, facts);
  if (undescriptive) {
    const first = facts[0].image;
    const example = [first.osFamily, first.osVersion, ARCH_NAME[first.cpuArchitecture]]
      .filter(Boolean)
      .join('_');
    warnings.push({
      code: 'name_not_descriptive',
      message: `"${name}" names none of its images' OS family, version or architecture (${describeImages(facts)}); name it after what it launches, e.g. ${example}`,
    });
  }
  for (const f of facts) {
    if (f.image.state === 'deprecated' || f.image.state === 'unavailable') {
      warnings.push({
        code: `${f.image.state}_image`,
        message: `image ${f.image.resourceUid} in ${f.cloud.name} is ${f.image.state}`,
        cloudId: f.cloud.id,
      });
    }
  }
  return warnings;
}

/** The fields of a clone's new HEAD (its content is copied from the source as it is). */
export type CloneFields = Pick<
  RevisionFields,
  'revision' | 'name' | 'description' | 'tags' | 'clonedFrom'
> & {
  importedFrom: null;
  baseRevision: null;
};

/**
 * R-MCI-6 (and R-ST-4 "as for MCIs"): a clone copies any revision the account can read,
 * imported ones too, into a new lineage whose HEAD is editable (never imported, no base yet)
 * and records the source in `clonedFrom`.
 * @rule R-MCI-6
 */
export function planClone(
  source: Pick<RevisionFields, 'id' | 'description' | 'tags'>,
  input: { name: string; description?: string },
): CloneFields {
  return {
    revision: HEAD_REVISION,
    name: input.name,
    description: input.description ?? source.description,
    tags: [...source.tags],
    clonedFrom: source.id,
    importedFrom: null,
    baseRevision: null,
  };
}

/** A template revision that links a revision of the MCI lineage being deleted. */
export interface LinkingTemplateRevision {
  templateId: string;
  templateName: string;
  revision: number;
  mciId: string;
}

/**
 * R-MCI-7: an MCI lineage is deleted whole, which is refused (409) while any template revision
 * (HEAD or committed) links any of its revisions, listing those templates, or while any of its
 * revisions is published (importers rely on it).
 * @rule R-MCI-7
 */
export function assertLineageDeletable(
  mciName: string,
  linkingTemplateRevisions: readonly LinkingTemplateRevision[],
  publishedRevisions: readonly { id: string; revision: number }[],
): void {
  const linking = linkingTemplateRevisions;
  if (linking.length > 0) {
    const list = linking.map((l) => `"${l.templateName}" r${l.revision} (${l.templateId})`);
    throw new ConflictError(
      'mci_in_use',
      `MCI "${mciName}" is linked by ${linking.length} template revision(s): ${list.join(', ')}; unlink it first`,
      {
        details: {
          templates: linking.map((l) => ({
            templateId: l.templateId,
            name: l.templateName,
            revision: l.revision,
            mciId: l.mciId,
          })),
        },
      },
    );
  }
  assertUnpublished('MCI', mciName, publishedRevisions);
}

/**
 * A lineage with a published revision stays: importers copy from it (an MCI's or a template's
 * publication would otherwise name a source that is gone). Deprecating the publication is the
 * way to retire it.
 */
export function assertUnpublished(
  kind: 'MCI' | 'ServerTemplate',
  name: string,
  publishedRevisions: readonly { id: string; revision: number }[],
): void {
  const pub = publishedRevisions[0];
  if (pub) {
    throw new ConflictError(
      kind === 'MCI' ? 'mci_published' : 'template_published',
      `${kind} "${name}" revision ${pub.revision} is published (${pub.id}); importers rely on it — deprecate the publication instead`,
    );
  }
}
