import { describe, expect, it } from 'vitest';
import { ConflictError, InputError } from './errors.ts';
import {
  assertCommittable,
  assertEditable,
  assertLineageDeletable,
  assertNoSettingForCloud,
  checkSetting,
  lintMci,
  planClone,
  type LintSettingFacts,
} from './mci.ts';
import { fake } from './testing.ts';

const cloud = fake.cloud('c1', 'AWS us-east-1');
const check = (over: Partial<Parameters<typeof checkSetting>[0]> = {}) =>
  checkSetting({
    accountId: 'acc_a',
    cloud,
    imageId: 'i1',
    image: fake.image('i1'),
    instanceTypeId: 't1',
    instanceType: fake.instanceType('t1'),
    ...over,
  });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as InputError).code;
  }
  return 'no error';
};

describe('R-MCI-1: one setting per cloud', () => {
  it('R-MCI-1: a second setting for a cloud is a 409 naming the cloud', () => {
    const settings = [{ cloudId: 'c1', imageId: 'i1', instanceTypeId: 't1', userData: null }];
    expect(() => assertNoSettingForCloud(settings, cloud)).toThrow(ConflictError);
    expect(() => assertNoSettingForCloud(settings, cloud)).toThrow(/AWS us-east-1/);
    expect(() => assertNoSettingForCloud(settings, fake.cloud('c2'))).not.toThrow();
  });
});

describe('R-MCI-2: image and instance type belong to the cloud and are usable', () => {
  it('R-MCI-2: accepts a usable image and instance type of the cloud', () => {
    expect(check()).toEqual([]);
  });
  it('R-MCI-2: an image of another cloud is 422 naming the image id', () => {
    expect(codeOf(() => check({ image: fake.image('i1', { cloudId: 'c2' }) }))).toBe('image_cloud_mismatch');
    expect(() => check({ image: fake.image('i1', { cloudId: 'c2' }) })).toThrow(/i1/);
  });
  it('R-MCI-2: an instance type of another cloud is 422', () => {
    expect(codeOf(() => check({ instanceType: fake.instanceType('t1', { cloudId: 'c2' }) }))).toBe(
      'instance_type_cloud_mismatch',
    );
  });
  it('R-MCI-2: a private image not shared with the account is refused', () => {
    const image = fake.image('i1', { visibility: 'private', ownerAccountId: 'acc_b' });
    expect(codeOf(() => check({ image }))).toBe('image_not_usable');
    expect(check({ image: { ...image, launchPermissions: ['acc_a'] } })).toEqual([]);
  });
  it('R-MCI-2: an unavailable image is refused; a deprecated one is accepted with a warning', () => {
    expect(codeOf(() => check({ image: fake.image('i1', { state: 'unavailable' }) }))).toBe(
      'image_unavailable',
    );
    const warnings = check({ image: fake.image('i1', { state: 'deprecated' }) });
    expect(warnings).toEqual([expect.objectContaining({ code: 'deprecated_image', cloudId: 'c1' })]);
  });
  it('R-MCI-2: unknown ids are 422 naming them', () => {
    expect(codeOf(() => check({ image: undefined, imageId: 'img_x' }))).toBe('image_not_found');
    expect(codeOf(() => check({ instanceType: undefined }))).toBe('instance_type_not_found');
  });
});

describe('R-MCI-3: instance type fits the image architecture', () => {
  it('R-MCI-3: an x86_64-only type cannot run an arm64 image', () => {
    const image = fake.image('i1', { cpuArchitecture: 'arm64' });
    expect(codeOf(() => check({ image }))).toBe('architecture_mismatch');
    expect(check({ image, instanceType: fake.instanceType('t1', { cpuArchitectures: ['arm64'] }) })).toEqual(
      [],
    );
  });
});

describe('R-MCI-4: only HEAD of an own component is editable', () => {
  it('R-MCI-4: committed and imported revisions are immutable (409 immutable_revision)', () => {
    expect(() => assertEditable({ id: 'm', revision: 0, importedFrom: null })).not.toThrow();
    expect(codeOf(() => assertEditable({ id: 'm', revision: 3, importedFrom: null }))).toBe(
      'immutable_revision',
    );
    expect(codeOf(() => assertEditable({ id: 'm', revision: 0, importedFrom: 'pub_1' }))).toBe(
      'immutable_revision',
    );
  });
});

describe('R-MCI-5: commit needs settings', () => {
  it('R-MCI-5: an MCI without settings cannot be committed', () => {
    expect(codeOf(() => assertCommittable({ id: 'm', settings: [] }))).toBe('no_settings');
  });
});

describe('R-MCI-8: lint', () => {
  const facts = (
    over: Partial<LintSettingFacts['image']>,
    cloudId = 'c1',
    name = 'AWS us-east-1',
  ): LintSettingFacts => ({
    cloud: { id: cloudId, name },
    image: {
      resourceUid: `ami-${cloudId}`,
      name: 'ubuntu-22.04',
      osFamily: 'ubuntu',
      osVersion: '22.04',
      cpuArchitecture: 'x86_64',
      state: 'available',
      ...over,
    },
  });
  const codes = (name: string, settings: LintSettingFacts[]) => lintMci(name, settings).map((w) => w.code);

  it('R-MCI-8: no settings', () => {
    expect(codes('Anything', [])).toEqual(['no_settings']);
  });
  it('R-MCI-8: a consistent, well-named MCI has no warnings', () => {
    expect(codes('Ubuntu_22.04_x64', [facts({}), facts({}, 'c2', 'AWS eu-west-1')])).toEqual([]);
  });
  it('R-MCI-8: OS family, version and architecture differing across clouds', () => {
    expect(codes('Base_x64', [facts({}), facts({ osFamily: 'debian', osVersion: '12' }, 'c2', 'B')])).toEqual(
      ['os_family_mismatch'],
    );
    expect(codes('Ubuntu_Base', [facts({}), facts({ osVersion: '24.04' }, 'c2', 'B')])).toEqual([
      'os_version_mismatch',
    ]);
    expect(codes('Ubuntu_22.04', [facts({}), facts({ cpuArchitecture: 'arm64' }, 'c2', 'B')])).toEqual([
      'architecture_mismatch',
    ]);
  });
  it('R-MCI-8: "My Image" over Fedora CoreOS and Ubuntu names none of its images: name_not_descriptive', () => {
    const warnings = lintMci('My Image', [
      facts({ osFamily: 'fedora-coreos', osVersion: '39', name: 'fedora-coreos-39' }),
      facts({}, 'c2', 'B'),
    ]);
    expect(warnings.map((w) => w.code)).toEqual(['os_family_mismatch', 'name_not_descriptive']);
    expect(warnings[1].message).toBe(
      '"My Image" names none of its images\' OS family, version or architecture (fedora-coreos 39 x86_64, ubuntu 22.04 x86_64); name it after what it launches, e.g. fedora-coreos_39_x64',
    );
    expect(warnings[1].cloudId).toBeUndefined();
    expect(codes('Base', [facts({ state: 'available' })])).toEqual(['name_not_descriptive']);
  });
  it('R-MCI-8: a name that names any OS family, version or architecture of its images is descriptive', () => {
    const settings = [facts({}), facts({}, 'c2', 'B')];
    for (const name of ['RightImage_Ubuntu_10.04_x64_v5.7', 'Web x64', 'base 22.04', 'UBUNTU']) {
      expect(codes(name, settings)).not.toContain('name_not_descriptive');
    }
    expect(codes('RightImage_Ubuntu_10.04_x64_v5.7', settings)).toEqual(['name_mismatch', 'name_mismatch']);
    expect(codes('Fedora CoreOS', [facts({ osFamily: 'fedora-coreos', osVersion: '39' })])).toEqual([]);
  });
  it('R-MCI-8: a name that does not reflect the image (Ubuntu_22.04_x64 on Debian arm64)', () => {
    const warnings = lintMci('Ubuntu_22.04_x64', [
      facts({ osFamily: 'debian', osVersion: '12', cpuArchitecture: 'arm64' }),
    ]);
    expect(warnings.map((w) => w.code)).toEqual(['name_mismatch']);
    expect(warnings[0].message).toMatch(/ubuntu.*debian/);
    expect(warnings[0].message).toMatch(/22\.04.*12/);
    expect(warnings[0].message).toMatch(/x86_64.*arm64/);
    expect(warnings[0].cloudId).toBe('c1');
  });
  it('R-MCI-8: deprecated and unavailable images', () => {
    expect(
      codes('Ubuntu', [facts({ state: 'deprecated' }), facts({ state: 'unavailable' }, 'c2', 'B')]),
    ).toEqual(['deprecated_image', 'unavailable_image']);
  });
});

describe('R-MCI-7: deleting a lineage', () => {
  const refusal = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      return e as ConflictError;
    }
    throw new Error('expected a refusal');
  };

  it('R-MCI-7: refused (409 mci_in_use) while template revisions link it, listing them', () => {
    const e = refusal(() =>
      assertLineageDeletable(
        'Base',
        [
          { templateId: 'st_1', templateName: 'Web', revision: 0, mciId: 'mci_h' },
          { templateId: 'st_2', templateName: 'Web', revision: 3, mciId: 'mci_2' },
        ],
        [],
      ),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.code).toBe('mci_in_use');
    expect(e.message).toBe(
      'MCI "Base" is linked by 2 template revision(s): "Web" r0 (st_1), "Web" r3 (st_2); unlink it first',
    );
    expect(e.details).toEqual({
      templates: [
        { templateId: 'st_1', name: 'Web', revision: 0, mciId: 'mci_h' },
        { templateId: 'st_2', name: 'Web', revision: 3, mciId: 'mci_2' },
      ],
    });
  });

  it('R-MCI-7: refused (409 mci_published) while a revision is published; links are reported first', () => {
    const e = refusal(() => assertLineageDeletable('Base', [], [{ id: 'pub_1', revision: 2 }]));
    expect(e.code).toBe('mci_published');
    expect(e.message).toBe(
      'MCI "Base" revision 2 is published (pub_1); importers rely on it — deprecate the publication instead',
    );
    const both = refusal(() =>
      assertLineageDeletable(
        'Base',
        [{ templateId: 'st_1', templateName: 'Web', revision: 1, mciId: 'm' }],
        [{ id: 'pub_1', revision: 2 }],
      ),
    );
    expect(both.code).toBe('mci_in_use');
  });

  it('R-MCI-7: an unlinked, unpublished lineage can be deleted', () => {
    expect(() => assertLineageDeletable('Base', [], [])).not.toThrow();
  });
});

describe('R-MCI-6: clone', () => {
  it('R-MCI-6: a clone is an editable HEAD of a new lineage recording clonedFrom, even of an imported revision', () => {
    const source = { id: 'mci_imported', description: 'from the marketplace', tags: ['base'] };
    expect(planClone(source, { name: 'Mine' })).toEqual({
      revision: 0,
      name: 'Mine',
      description: 'from the marketplace',
      tags: ['base'],
      clonedFrom: 'mci_imported',
      importedFrom: null,
      baseRevision: null,
    });
    expect(planClone(source, { name: 'Mine', description: 'own words' }).description).toBe('own words');
  });
});
