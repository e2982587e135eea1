import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  parseMci,
  parseServerTemplate,
  RightStError,
  serializeMci,
  serializeServerTemplate,
  type RightStMciRef,
} from './right-st.ts';

// Real right_st files: README examples, right_st's own test inputs, rightlink_scripts and
// RightScale-Services-Cookbooks templates (sources and licences in PROVENANCE.md there).
const DATA = new URL('../../../../../shared/data/external/right_st-yaml/', import.meta.url);

const read = (relative: string) => readFile(new URL(relative, DATA), 'utf8');
/** Reads MCI file references relative to the folder of the template that names them, as right_st does. */
const beside = (file: string) => ({
  readFile: (path: string) => read(`${file.slice(0, file.lastIndexOf('/') + 1)}${path}`),
});

const allYml = (await readdir(DATA, { recursive: true }))
  .map((f) => f.split('\\').join('/'))
  .filter((f) => f.endsWith('.yml'))
  .sort();

type Kind = 'template' | 'mci' | 'alerts';
/** Told apart by content: a template has MultiCloudImages (or is one of right_st's template test inputs). */
async function kindOf(file: string): Promise<Kind> {
  const doc = (parse(await read(file)) ?? {}) as Record<string, unknown>;
  if ('MultiCloudImages' in doc || file.startsWith('right_st-tests/')) return 'template';
  if ('Settings' in doc) return 'mci';
  return 'alerts';
}
const kinds = new Map<string, Kind>();
for (const f of allYml) kinds.set(f, await kindOf(f));
const ofKind = (k: Kind) => allYml.filter((f) => kinds.get(f) === k);

const expected = JSON.parse(await read('right_st-tests/expected.json')) as Record<
  string,
  Record<string, unknown>
>;
const cases = Object.entries(expected).filter(([file]) => file !== '_note');

/** Our reference in right_st's Go field names, the shape expected.json is written in. */
function asGo(ref: RightStMciRef): Record<string, unknown> {
  const revision = (r: number | string) => (r === 'head' ? 0 : r === 'latest' ? -1 : r);
  switch (ref.kind) {
    case 'href':
      return { Href: ref.href };
    case 'account':
      return { Name: ref.name, Revision: revision(ref.revision) };
    case 'publisher':
      return { Name: ref.name, Revision: revision(ref.revision), Publisher: ref.publisher };
    case 'inline':
    case 'file':
      return {
        Name: ref.mci.name,
        Settings: ref.mci.settings.map((s) => ({
          Cloud: s.cloud,
          InstanceType: s.instanceType,
          Image: s.image,
          ...(s.userData === undefined ? {} : { UserData: s.userData }),
        })),
      };
  }
}

describe('right_st YAML files from ../shared/data/external/right_st-yaml', () => {
  it('finds every kind of file (templates, MCI files, the alerts file)', () => {
    expect(ofKind('template').length).toBe(14);
    expect(ofKind('mci')).toEqual(['right_st-readme/ubuntu-1604-x64.yml']);
    expect(ofKind('alerts')).toEqual(['right_st-readme/common-alerts.yml']);
  });

  describe("right_st's test inputs (expected.json)", () => {
    for (const [file, want] of cases.filter(([, w]) => w.outcome === 'error')) {
      it(`${file} is rejected as right_st rejects it`, async () => {
        let errors: string[] = [];
        try {
          await parseServerTemplate(await read(`right_st-tests/${file}`), beside(`right_st-tests/${file}`));
        } catch (e) {
          expect(e).toBeInstanceOf(RightStError);
          errors = (e as RightStError).errors;
        }
        if (typeof want.right_st_error === 'string') expect(errors).toEqual([want.right_st_error]);
        else {
          expect(errors).toHaveLength(1);
          expect(errors[0]).toContain(want.right_st_error_contains);
        }
      });
    }

    for (const [file, want] of cases.filter(([, w]) => w.outcome === 'ok')) {
      it(`${file} gives the documented structure`, async () => {
        const t = await parseServerTemplate(
          await read(`right_st-tests/${file}`),
          beside(`right_st-tests/${file}`),
        );
        expect(t.name).toBe(want.Name);
        expect(t.description).toBe(want.Description);
        expect(t.mcis.map(asGo)).toEqual(want.MultiCloudImages);
        // right_st reads an input value as `type:value`.
        const inputs = Object.fromEntries(
          Object.entries(t.extra.Inputs as Record<string, string>).map(([k, v]) => {
            const [type, ...rest] = v.split(':');
            return [k, { Type: type, Value: rest.join(':') }];
          }),
        );
        expect(inputs).toEqual(want.Inputs);
        expect(t.extra.Alerts).toEqual(want.Alerts);
        expect(t.ignored.map((i) => i.section)).toEqual(['Inputs', 'RightScripts', 'Alerts']);
      });
    }
  });

  it('the README example has all four forms plus the MCI file reference, read from its folder', async () => {
    const file = 'right_st-readme/example-servertemplate.yml';
    const t = await parseServerTemplate(await read(file), beside(file));
    expect(t.mcis).toEqual([
      { kind: 'publisher', name: 'Ubuntu_12.04_x64', revision: 18, publisher: 'RightScale' },
      { kind: 'publisher', name: 'Ubuntu_14.04_x64', revision: 'latest', publisher: 'RightScale' },
      { kind: 'account', name: 'Ubuntu_14.04_x64_cloned', revision: 20 },
      { kind: 'href', href: '/api/multi_cloud_images/403042003' },
      {
        kind: 'inline',
        mci: {
          name: 'MyUbuntu_14.04_x64',
          description: 'My companies custom MCI',
          tags: [
            'rs_agent:type=right_link_lite',
            'rs_agent:mime_shellscript=https://rightlink.rightscale.com/rll/10/rightlink.boot.sh',
          ],
          settings: [
            { cloud: 'EC2 us-east-1', instanceType: 'm3.medium', image: 'ami-5e91b936' },
            { cloud: 'EC2 eu-west-1', instanceType: 'm3.medium', image: 'ami-b1841cc6' },
          ],
        },
      },
      {
        kind: 'file',
        path: 'ubuntu-1604-x64.yml',
        mci: parseMci(await read('right_st-readme/ubuntu-1604-x64.yml')),
      },
    ]);
    expect(t.ignored).toEqual([
      { section: 'Inputs', summary: '2 inputs' },
      { section: 'RightScripts', summary: '5 boot, 1 operational, 1 decommission scripts' },
      { section: 'Alerts', summary: '1 alert, 1 alert file reference' },
    ]);
    // The alerts file it names is kept as a reference, not read.
    expect((t.extra.Alerts as unknown[]).at(-1)).toBe('common-alerts.yml');
  });

  it('the MCI file the example refers to parses with parseMci', async () => {
    expect(parseMci(await read('right_st-readme/ubuntu-1604-x64.yml'))).toEqual({
      name: 'Ubuntu 16.04 x64',
      description: '',
      tags: [
        'rs_agent:type=right_link_lite',
        'rs_agent:mime_shellscript=https://rightlink.rightscale.com/rll/10/rightlink.boot.sh',
      ],
      settings: [{ cloud: 'EC2 us-west-2', instanceType: 'm3.medium', image: 'ami-45224425' }],
    });
  });

  // MCI counts and forms as PROVENANCE.md describes each file.
  const shapes: Record<string, { count: number; form: 'name-only' | 'publisher' | 'account' }> = {
    'rightlink_scripts/rll-base.HEAD.yml': { count: 17, form: 'name-only' },
    'rightlink_scripts/rlw-base.HEAD.yml': { count: 7, form: 'name-only' },
    'rightlink_scripts/rll-base.41459fa-2016-08-09.yml': { count: 10, form: 'publisher' },
    'rightlink_scripts/rll-base.1149836-2016-11-08.yml': { count: 14, form: 'name-only' },
    'server-templates/chef-client.server_template.yml': { count: 15, form: 'publisher' },
    'server-templates/chef-server.server_template.yml': { count: 3, form: 'publisher' },
    'server-templates/imagebuilder.server_template.yml': { count: 2, form: 'account' },
    'server-templates/RightLink_10_6_0_Linux_Memcached_Server.yml': { count: 17, form: 'publisher' },
    'server-templates/RightLink_10_6_0_Windows_Base.yml': { count: 5, form: 'publisher' },
  };
  for (const [file, { count, form }] of Object.entries(shapes)) {
    it(`${file}: ${count} MCIs, ${form}`, async () => {
      const t = await parseServerTemplate(await read(file), beside(file));
      expect(t.mcis).toHaveLength(count);
      for (const ref of t.mcis) {
        if (form === 'name-only') expect(ref).toMatchObject({ kind: 'account', revision: 'head' });
        else if (form === 'account')
          expect(ref).toMatchObject({ kind: 'account', revision: expect.any(Number) });
        else
          expect(ref).toMatchObject({
            kind: 'publisher',
            publisher: 'RightScale',
            revision: expect.any(Number),
          });
      }
      expect(t.ignored.map((i) => i.section)).toEqual(['Inputs', 'RightScripts', 'Alerts']);
    });
  }

  it('every valid template round-trips: parse → serialize → parse is deep-equal', async () => {
    const valid = ofKind('template').filter((f) => expected[f.split('/').pop()!]?.outcome !== 'error');
    expect(valid).toHaveLength(11);
    for (const file of valid) {
      const first = await parseServerTemplate(await read(file), beside(file));
      const again = await parseServerTemplate(serializeServerTemplate(first), beside(file));
      expect(again, file).toEqual(first);
      // Unmodelled sections come back exactly as the source file has them.
      const source = parse(await read(file)) as Record<string, unknown>;
      for (const section of ['Inputs', 'RightScripts', 'Alerts']) {
        if (section in source) expect(again.extra[section], `${file} ${section}`).toEqual(source[section]);
      }
    }
  });

  it('every MCI file round-trips: parseMci → serializeMci → parseMci is deep-equal', async () => {
    for (const file of ofKind('mci')) {
      const first = parseMci(await read(file));
      expect(parseMci(serializeMci(first)), file).toEqual(first);
    }
  });
});
