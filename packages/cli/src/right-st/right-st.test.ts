import { describe, expect, it } from 'vitest';
import {
  parseMci,
  parseServerTemplate,
  RightStError,
  serializeMci,
  serializeServerTemplate,
  type RightStTemplate,
} from './right-st.ts';

const noFiles = {
  readFile: async (path: string): Promise<string> => {
    throw new Error(`no such file: ${path}`);
  },
};

const files = (byPath: Record<string, string>) => ({
  read: [] as string[],
  async readFile(path: string) {
    this.read.push(path);
    if (!(path in byPath)) throw new Error(`no such file: ${path}`);
    return byPath[path];
  },
});

/** The messages of the RightStError that `run` throws (fails the test if it throws anything else). */
async function errorsOf(run: () => unknown): Promise<string[]> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(RightStError);
    return (e as RightStError).errors;
  }
  throw new Error('expected a RightStError');
}

const st = (mcis: string, head = 'Name: T\nDescription: D\n') => `${head}MultiCloudImages:\n${mcis}`;

const UBUNTU_FILE = `Name: Ubuntu 16.04 x64
Description: Stock Ubuntu
Tags:
- rs_agent:type=right_link_lite
Settings:
- Cloud: EC2 us-west-2
  Instance Type: m3.medium
  Image: ami-45224425
`;

describe('parseServerTemplate: the four MultiCloudImages forms and file references', () => {
  it('reads Name/Revision/Publisher as a publisher reference', async () => {
    const t = await parseServerTemplate(
      st('- Name: Ubuntu_12.04_x64\n  Revision: 18\n  Publisher: RightScale\n'),
      noFiles,
    );
    expect(t.mcis).toEqual([
      { kind: 'publisher', name: 'Ubuntu_12.04_x64', revision: 18, publisher: 'RightScale' },
    ]);
  });

  it('reads Name/Revision without Publisher as an account reference', async () => {
    const t = await parseServerTemplate(st('- Name: Ubuntu_14.04_x64_cloned\n  Revision: 20\n'), noFiles);
    expect(t.mcis).toEqual([{ kind: 'account', name: 'Ubuntu_14.04_x64_cloned', revision: 20 }]);
  });

  it('reads Href as an href reference, and Id as the same href', async () => {
    const t = await parseServerTemplate(st('- Href: /api/multi_cloud_images/403042003\n- Id: 7\n'), noFiles);
    expect(t.mcis).toEqual([
      { kind: 'href', href: '/api/multi_cloud_images/403042003' },
      { kind: 'href', href: '/api/multi_cloud_images/7' },
    ]);
  });

  it('reads Name + Settings (+ Description, Tags, User Data) as an inline MCI', async () => {
    const t = await parseServerTemplate(
      st(`- Name: MyUbuntu
  Description: My custom MCI
  Tags:
  - rs_agent:type=right_link_lite
  Settings:
  - Cloud: EC2 us-east-1
    Instance Type: m3.medium
    Image: ami-5e91b936
  - Cloud: AWS US-West
    Instance Type: t1.micro
    Image: ami-e305efa7
    User Data: Foo
`),
      noFiles,
    );
    expect(t.mcis).toEqual([
      {
        kind: 'inline',
        mci: {
          name: 'MyUbuntu',
          description: 'My custom MCI',
          tags: ['rs_agent:type=right_link_lite'],
          settings: [
            { cloud: 'EC2 us-east-1', instanceType: 'm3.medium', image: 'ami-5e91b936' },
            { cloud: 'AWS US-West', instanceType: 't1.micro', image: 'ami-e305efa7', userData: 'Foo' },
          ],
        },
      },
    ]);
  });

  it('reads a string entry as a relative MCI file, through opts.readFile', async () => {
    const fs = files({ 'mcis/ubuntu-1604-x64.yml': UBUNTU_FILE });
    const t = await parseServerTemplate(st('- mcis/ubuntu-1604-x64.yml\n'), fs);
    expect(fs.read).toEqual(['mcis/ubuntu-1604-x64.yml']);
    expect(t.mcis).toEqual([
      {
        kind: 'file',
        path: 'mcis/ubuntu-1604-x64.yml',
        mci: {
          name: 'Ubuntu 16.04 x64',
          description: 'Stock Ubuntu',
          tags: ['rs_agent:type=right_link_lite'],
          settings: [{ cloud: 'EC2 us-west-2', instanceType: 'm3.medium', image: 'ami-45224425' }],
        },
      },
    ]);
  });

  it('keeps the order of the entries (the first is the default MCI)', async () => {
    const t = await parseServerTemplate(
      st('- Name: B\n- Href: /api/multi_cloud_images/1\n- Name: A\n'),
      noFiles,
    );
    expect(t.mcis.map((m) => m.kind)).toEqual(['account', 'href', 'account']);
  });

  it('names the file whose content is wrong, and an unreadable file', async () => {
    const fs = files({ 'bad.yml': 'Name: Bad\nSettings:\n- Cloud: EC2\n  Image: ami-1\n' });
    expect(await errorsOf(() => parseServerTemplate(st('- bad.yml\n- missing.yml\n'), fs))).toEqual([
      "bad.yml: line 3: MultiCloudImage 'Bad' Setting #1: Invalid setting, Cloud, Instance Type, and Image fields must be set (missing Instance Type)",
      'line 5: Cannot read MultiCloudImage file missing.yml: no such file: missing.yml',
    ]);
  });
});

describe('parseServerTemplate: Revision', () => {
  const revisionOf = async (value: string) => {
    const t = await parseServerTemplate(st(`- Name: X\n  Revision: ${value}\n`), noFiles);
    return (t.mcis[0] as { revision: unknown }).revision;
  };

  it('takes an integer, "latest" and "head" in any case', async () => {
    expect(await revisionOf('12')).toBe(12);
    expect(await revisionOf('"12"')).toBe(12);
    expect(await revisionOf('latest')).toBe('latest');
    expect(await revisionOf('LATEST')).toBe('latest');
    expect(await revisionOf('Head')).toBe('head');
  });

  it("reads right_st's integer codes: 0 is HEAD and -1 is latest", async () => {
    expect(await revisionOf('0')).toBe('head');
    expect(await revisionOf('-1')).toBe('latest');
  });

  it('defaults to HEAD when omitted (right_st: revision 0)', async () => {
    const t = await parseServerTemplate(st('- Name: X\n- Name: Y\n  Publisher: RightScale\n'), noFiles);
    expect(t.mcis).toEqual([
      { kind: 'account', name: 'X', revision: 'head' },
      { kind: 'publisher', name: 'Y', revision: 'head', publisher: 'RightScale' },
    ]);
  });

  it("rejects anything else with right_st's message", async () => {
    for (const bad of ['newest', '1.5', '-3', '[1]']) {
      expect(await errorsOf(() => revisionOf(bad))).toEqual([
        "line 5: Revision must be 'head', 'latest', or an integer",
      ]);
    }
  });
});

describe("parseServerTemplate: right_st's document rules", () => {
  it("rejects an unknown top-level field with right_st's text", async () => {
    const text = '---\nName: Test ST\nDescription: Test ST Description\nSome Bogus Field: Some bogus value\n';
    expect(await errorsOf(() => parseServerTemplate(text, noFiles))).toEqual([
      'line 4: field Some Bogus Field not found in type main.ServerTemplate',
    ]);
  });

  it("rejects Inputs given as a sequence with right_st's text", async () => {
    const text =
      '---\nName: Test ST\nDescription: D\nRightScripts:\n  Boot:\n    - Dummy.sh\nInputs:\n  - TEXT_INPUT\n';
    expect(await errorsOf(() => parseServerTemplate(text, noFiles))).toEqual([
      'line 8: cannot unmarshal !!seq into map[string]*main.InputValue',
    ]);
  });

  it("rejects input values right_st cannot read, with right_st's texts", async () => {
    const text = 'Name: T\nInputs:\n  A: text:ok\n  B: ignore\n  C: nonsense\n  D: "text:"\n';
    expect(await errorsOf(() => parseServerTemplate(text, noFiles))).toEqual([
      'line 5: Invalid input value: nonsense',
      "line 6: Use 'blank' or 'ignore' instead of 'text:'",
    ]);
  });

  it("rejects a RightScripts sequence other than Boot/Operational/Decommission with right_st's text", async () => {
    const text = 'Name: T\nRightScripts:\n  Unknown:\n    - Dummy.sh\nInputs: {}\n';
    expect(await errorsOf(() => parseServerTemplate(text, noFiles))).toEqual([
      'Unknown is not a valid sequence name for RightScripts.  Must be Boot, Operational, or Decommission:',
    ]);
  });

  it('rejects an unknown MCI or setting key the way go-yaml strict mode does', async () => {
    const text = st(
      '- Name: X\n  Revison: 3\n- Name: Y\n  Settings:\n  - Cloud: c\n    InstanceType: t\n    Image: i\n',
    );
    expect(await errorsOf(() => parseServerTemplate(text, noFiles))).toEqual([
      'line 5: field Revison not found in type main.MultiCloudImage',
      'line 9: field InstanceType not found in type main.Setting',
      "line 8: MultiCloudImage 'Y' Setting #1: Invalid setting, Cloud, Instance Type, and Image fields must be set (missing Instance Type)",
    ]);
  });

  it('rejects a setting without Cloud, Instance Type or Image, naming the MCI and what is missing', async () => {
    const text = st(
      '- Name: Mine\n  Settings:\n  - Cloud: EC2 us-east-1\n    Instance Type: m3.medium\n  - Image: ami-1\n',
    );
    expect(await errorsOf(() => parseServerTemplate(text, noFiles))).toEqual([
      "line 6: MultiCloudImage 'Mine' Setting #1: Invalid setting, Cloud, Instance Type, and Image fields must be set (missing Image)",
      "line 8: MultiCloudImage 'Mine' Setting #2: Invalid setting, Cloud, Instance Type, and Image fields must be set (missing Cloud, Instance Type)",
    ]);
  });

  it("rejects an entry that is none of the forms with right_st's text", async () => {
    expect(await errorsOf(() => parseServerTemplate(st('- Revision: 3\n- 42\n'), noFiles))).toEqual([
      'line 4: MultiCloudImage item must be a hash with Settings, Name/Revision, or Name/Revision/Publisher keys set to a valid values.',
      'line 5: MultiCloudImage item must be a hash with Settings, Name/Revision, or Name/Revision/Publisher keys set to a valid values.',
    ]);
  });

  it('reads an empty Settings list as a Name reference, as right_st does', async () => {
    const t = await parseServerTemplate(st('- Name: X\n  Revision: 4\n  Settings: []\n'), noFiles);
    expect(t.mcis).toEqual([{ kind: 'account', name: 'X', revision: 4 }]);
  });

  it('accepts a Description on a Name reference (older right_st downloads wrote one) without keeping it', async () => {
    const text = st(
      '- Name: X\n  Revision: 4\n  Publisher: RightScale\n  Description: From the marketplace\n',
    );
    const t = await parseServerTemplate(text, noFiles);
    expect(t.mcis).toEqual([{ kind: 'publisher', name: 'X', revision: 4, publisher: 'RightScale' }]);
  });

  it('rejects mixed forms instead of silently dropping keys', async () => {
    const text = st(
      '- Href: /api/multi_cloud_images/1\n  Name: X\n- Name: Y\n  Revision: 2\n  Settings:\n  - {Cloud: c, Instance Type: t, Image: i}\n- Name: Z\n  Tags: [a]\n',
    );
    expect(await errorsOf(() => parseServerTemplate(text, noFiles))).toEqual([
      'line 4: MultiCloudImage item with Href cannot also set Name',
      'line 6: MultiCloudImage item with Settings cannot also set Revision',
      "line 11: MultiCloudImage 'Z': Tags are only used with Settings",
    ]);
  });

  it('reports every problem at once, and YAML syntax errors with their line', async () => {
    expect(await errorsOf(() => parseServerTemplate('Name: T\nName: U\n', noFiles))).toEqual([
      'yaml: line 2: Map keys must be unique',
    ]);
    expect(await errorsOf(() => parseServerTemplate('- a\n', noFiles))).toEqual([
      'line 1: cannot unmarshal !!seq into main.ServerTemplate',
    ]);
    expect(await errorsOf(() => parseServerTemplate('Description: D\n', noFiles))).toEqual([
      'line 1: ServerTemplate Name must be set',
    ]);
  });

  it('keeps Inputs, RightScripts and Alerts verbatim in extra and reports them as ignored', async () => {
    const t = await parseServerTemplate(
      `Name: T
Description: D
Inputs:
  FIRST_INPUT: "text:overriding value"
RightScripts:
  Boot:
  - Name: RL10 Linux Setup Hostname
    Revision: 6
    Publisher: RightScale
  - path/to/script1.sh
  - path/to/script2.sh
  Operational:
  - path/to/script1.sh
  Decommission:
MultiCloudImages:
- Name: X
Alerts:
- Name: CPU Scale Down
  Clause: If cpu-0/cpu-idle.value > '50' for 3 minutes Then shrink my_app_name
- common-alerts.yml
`,
      noFiles,
    );
    expect(t.extra).toEqual({
      Inputs: { FIRST_INPUT: 'text:overriding value' },
      RightScripts: {
        Boot: [
          { Name: 'RL10 Linux Setup Hostname', Revision: 6, Publisher: 'RightScale' },
          'path/to/script1.sh',
          'path/to/script2.sh',
        ],
        Operational: ['path/to/script1.sh'],
        Decommission: null,
      },
      Alerts: [
        {
          Name: 'CPU Scale Down',
          Clause: "If cpu-0/cpu-idle.value > '50' for 3 minutes Then shrink my_app_name",
        },
        'common-alerts.yml',
      ],
    });
    expect(t.ignored).toEqual([
      { section: 'Inputs', summary: '1 input' },
      { section: 'RightScripts', summary: '3 boot, 1 operational, 0 decommission scripts' },
      { section: 'Alerts', summary: '1 alert, 1 alert file reference' },
    ]);
  });

  it('reads scalars as their text, as go-yaml does for string fields', async () => {
    const t = await parseServerTemplate('Name: 12.04\nMultiCloudImages:\n- Name: 2016\n', noFiles);
    expect(t.name).toBe('12.04');
    expect(t.description).toBe('');
    expect(t.mcis).toEqual([{ kind: 'account', name: '2016', revision: 'head' }]);
    expect(t.ignored).toEqual([]);
  });
});

describe('parseMci', () => {
  it('reads an MCI file', () => {
    expect(parseMci(UBUNTU_FILE)).toEqual({
      name: 'Ubuntu 16.04 x64',
      description: 'Stock Ubuntu',
      tags: ['rs_agent:type=right_link_lite'],
      settings: [{ cloud: 'EC2 us-west-2', instanceType: 'm3.medium', image: 'ami-45224425' }],
    });
  });

  it('needs a Name and at least one Setting, and takes no reference keys', async () => {
    expect(await errorsOf(() => parseMci('Name: X\n'))).toEqual([
      'line 1: A MultiCloudImage file must have at least one Setting',
    ]);
    expect(
      await errorsOf(() => parseMci('Revision: 3\nSettings:\n- {Cloud: c, Instance Type: t, Image: i}\n')),
    ).toEqual([
      'line 1: Revision is not used in a MultiCloudImage file (it defines Name, Description, Tags and Settings)',
      'line 1: MultiCloudImage with Settings must have a Name',
    ]);
  });
});

describe('serializeServerTemplate / serializeMci', () => {
  const template: RightStTemplate = {
    name: 'My ServerTemplate',
    description: 'First line\nsecond line\n',
    mcis: [
      { kind: 'publisher', name: 'Ubuntu_14.04_x64', revision: 'latest', publisher: 'RightScale' },
      { kind: 'account', name: 'Ubuntu_14.04_x64_cloned', revision: 'head' },
      { kind: 'account', name: '12.04', revision: 20 },
      { kind: 'href', href: '/api/multi_cloud_images/403042003' },
      {
        kind: 'inline',
        mci: {
          name: 'Mine',
          description: '',
          tags: [],
          settings: [{ cloud: 'EC2 us-east-1', instanceType: 'm3.medium', image: 'ami-1', userData: 'x=1' }],
        },
      },
      { kind: 'file', path: 'ubuntu-1604-x64.yml', mci: parseMci(UBUNTU_FILE) },
    ],
    ignored: [],
    // Given out of right_st's order on purpose.
    extra: { Alerts: [], Inputs: { A: 'env:RS_UUID' }, RightScripts: { Boot: ['a.sh'], Operational: null } },
  };

  it("writes right_st's layout: section order, the entry forms, a file reference as its path", () => {
    expect(serializeServerTemplate(template)).toBe(`Name: My ServerTemplate
Description: |
  First line
  second line
Inputs:
  A: env:RS_UUID
RightScripts:
  Boot:
  - a.sh
  Operational:
MultiCloudImages:
- Name: Ubuntu_14.04_x64
  Revision: latest
  Publisher: RightScale
- Name: Ubuntu_14.04_x64_cloned
  Revision: head
- Name: "12.04"
  Revision: 20
- Href: /api/multi_cloud_images/403042003
- Name: Mine
  Settings:
  - Cloud: EC2 us-east-1
    Instance Type: m3.medium
    Image: ami-1
    User Data: x=1
- ubuntu-1604-x64.yml
Alerts: []
`);
  });

  it('round-trips: parse(serialize(t)) deep-equals t, with the file read back', async () => {
    const parsed = await parseServerTemplate(
      serializeServerTemplate(template),
      files({ 'ubuntu-1604-x64.yml': UBUNTU_FILE }),
    );
    expect(parsed).toEqual({
      ...template,
      ignored: [
        { section: 'Inputs', summary: '1 input' },
        { section: 'RightScripts', summary: '1 boot, 0 operational, 0 decommission scripts' },
        { section: 'Alerts', summary: '0 alerts' },
      ],
    });
  });

  it('round-trips a parsed template: parse → serialize → parse is deep-equal', async () => {
    const source = `Name: T
Description: D
Inputs: {}
RightScripts:
  Decommission: [z.sh]
  Boot: [a.sh]
MultiCloudImages:
- Name: A
  Revision: LATEST
  Publisher: RightScale
- Name: B
- Id: 9
- Name: C
  Tags: [t1]
  Settings: [{Cloud: c, Instance Type: t, Image: i}]
`;
    const first = await parseServerTemplate(source, noFiles);
    expect(await parseServerTemplate(serializeServerTemplate(first), noFiles)).toEqual(first);
  });

  it('writes an MCI file that parseMci reads back', () => {
    expect(serializeMci(parseMci(UBUNTU_FILE))).toBe(UBUNTU_FILE);
    const bare = {
      name: 'X',
      description: '',
      tags: [],
      settings: [{ cloud: 'c', instanceType: 't', image: 'i' }],
    };
    expect(parseMci(serializeMci(bare))).toEqual(bare);
  });
});
