/**
 * Reads and writes ServerTemplates and MultiCloud Images in the YAML format of RightScale's `right_st`
 * tool (github.com/flexera-public/right_st, servertemplate.go and mci.go), so that template repositories
 * kept for right_st can be pushed to and pulled from this service unchanged.
 *
 * Pure: no file or network access. MultiCloud Image file references are read through the caller's
 * `readFile`. Error texts follow right_st (which reports go-yaml's `line N: …` type errors) wherever
 * right_st has a message; the rest say what is wrong and where in the same `line N: …` shape.
 */
// `yaml` (eemeli/yaml) rather than js-yaml: actively maintained, keeps source positions for right_st's
// `line N:` messages, and keeps key order when writing.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  stringify,
  type Document,
  type Node as YamlNode,
} from 'yaml';

export type RevisionSpec = number | 'latest' | 'head';

export interface RightStSetting {
  cloud: string;
  instanceType: string;
  image: string;
  userData?: string;
}

export interface RightStMci {
  name: string;
  description: string;
  tags: string[];
  settings: RightStSetting[];
}

export type RightStMciRef =
  | { kind: 'publisher'; name: string; revision: RevisionSpec; publisher: string }
  | { kind: 'account'; name: string; revision: RevisionSpec }
  | { kind: 'href'; href: string }
  | { kind: 'inline'; mci: RightStMci }
  | { kind: 'file'; path: string; mci: RightStMci };

export interface IgnoredSection {
  section: string;
  summary: string;
}

export interface RightStTemplate {
  name: string;
  description: string;
  mcis: RightStMciRef[];
  ignored: IgnoredSection[];
  extra: Record<string, unknown>;
}

/** One or more problems with a right_st document, each in right_st's wording where right_st has one. */
export class RightStError extends Error {
  readonly errors: string[];

  constructor(errors: string[]) {
    super(errors.join('\n'));
    this.name = 'RightStError';
    this.errors = errors;
  }
}

/** right_st's sections in the order its ServerTemplate struct (and so its download) writes them. */
const TEMPLATE_KEYS = [
  'Name',
  'Description',
  'Inputs',
  'RightScripts',
  'MultiCloudImages',
  'Alerts',
] as const;
const UNMODELLED_SECTIONS = ['Inputs', 'RightScripts', 'Alerts'] as const;
const SEQUENCES = ['Boot', 'Operational', 'Decommission'] as const;
// right_st has no `Id` key; it is accepted as a shorthand for the Href and written back as Href.
const MCI_KEYS = ['Href', 'Id', 'Name', 'Description', 'Revision', 'Publisher', 'Tags', 'Settings'];
const MCI_FILE_KEYS = ['Name', 'Description', 'Tags', 'Settings'];
const SETTING_KEYS = ['Cloud', 'Instance Type', 'Image', 'User Data'];
const ALERT_KEYS = ['Name', 'Description', 'Clause'];
const MCI_HREF_PREFIX = '/api/multi_cloud_images/';

// right_st's own texts (servertemplate.go, mci.go, rightscript.go).
const REVISION_ERROR = "Revision must be 'head', 'latest', or an integer";
const MCI_FORM_ERROR =
  'MultiCloudImage item must be a hash with Settings, Name/Revision, or Name/Revision/Publisher keys set to a valid values.';
const SETTING_ERROR = 'Invalid setting, Cloud, Instance Type, and Image fields must be set';
const sequenceError = (name: string) =>
  `${name} is not a valid sequence name for RightScripts.  Must be Boot, Operational, or Decommission:`;

type Pending = { index: number; path: string; line: number };

/** Walks one parsed document, collecting every problem (as go-yaml does) instead of stopping at the first. */
class Reader {
  readonly errors: string[] = [];
  private readonly lines = new LineCounter();
  readonly doc: Document.Parsed;

  constructor(text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false });
    for (const e of this.doc.errors) {
      this.errors.push(`yaml: line ${this.lines.linePos(e.pos[0]).line}: ${e.message}`);
    }
  }

  get root(): YamlNode | null {
    return this.node(this.doc.contents);
  }

  node(n: unknown): YamlNode | null {
    if (isAlias(n)) return (n.resolve(this.doc) as YamlNode | undefined) ?? null;
    return (n as YamlNode | null) ?? null;
  }

  line(n: YamlNode | null | undefined): number {
    const offset = n?.range?.[0];
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  fail(n: YamlNode | null | undefined, message: string): void {
    this.errors.push(`line ${this.line(n)}: ${message}`);
  }

  /** go-yaml's TypeError text, e.g. `line 8: cannot unmarshal !!seq into map[string]*main.InputValue`. */
  typeError(n: YamlNode | null, goType: string): void {
    let what: string;
    if (isMap(n)) what = '!!map';
    else if (isSeq(n)) what = '!!seq';
    else {
      const text = this.scalarText(n);
      what = `${scalarTag(n)} \`${text.length > 10 ? `${text.slice(0, 7)}...` : text}\``;
    }
    this.fail(n, `cannot unmarshal ${what} into ${goType}`);
  }

  scalarText(n: YamlNode | null): string {
    if (!isScalar(n) || n.value === null) return '';
    return typeof n.value === 'string' ? n.value : (n.source ?? String(n.value));
  }

  /** A string field: like go-yaml, any scalar is taken as its text and null as ''. */
  str(n: YamlNode | null): string | undefined {
    if (n === null || isScalar(n)) return this.scalarText(n);
    this.typeError(n, 'string');
    return undefined;
  }

  /** The pairs of a mapping, rejecting keys outside `allowed` with go-yaml's strict-mode text. */
  fields(
    n: YamlNode | null,
    goType: string,
    allowed: readonly string[],
  ): Map<string, [YamlNode, YamlNode | null]> {
    const out = new Map<string, [YamlNode, YamlNode | null]>();
    if (n === null || (isScalar(n) && n.value === null)) return out;
    if (!isMap(n)) {
      this.typeError(n, goType);
      return out;
    }
    for (const pair of n.items) {
      const key = this.node(pair.key) as YamlNode;
      const name = this.scalarText(key);
      if (!allowed.includes(name)) this.fail(key, `field ${name} not found in type ${goType}`);
      else out.set(name, [key, this.node(pair.value)]);
    }
    return out;
  }

  /** A sequence, or null/absent as empty; anything else is a type error. */
  items(n: YamlNode | null, goType: string): (YamlNode | null)[] {
    if (n === null || (isScalar(n) && n.value === null)) return [];
    if (!isSeq(n)) {
      this.typeError(n, goType);
      return [];
    }
    return n.items.map((i) => this.node(i));
  }

  revision(n: YamlNode | null): RevisionSpec | undefined {
    if (n === null || (isScalar(n) && n.value === null)) return 'head';
    const text = isScalar(n) ? this.scalarText(n).trim() : '';
    const lower = text.toLowerCase();
    if (lower === 'head') return 'head';
    if (lower === 'latest') return 'latest';
    // right_st keeps revisions as an int where -1 means latest and 0 means HEAD.
    if (/^[+-]?\d+$/.test(text)) {
      const value = Number(text);
      if (value === 0) return 'head';
      if (value === -1) return 'latest';
      if (value > 0 && Number.isSafeInteger(value)) return value;
    }
    this.fail(n, REVISION_ERROR);
    return undefined;
  }

  /** The inline form's body (Name, Description, Tags, Settings), shared by templates and MCI files. */
  inlineMci(fields: Map<string, [YamlNode, YamlNode | null]>, at: YamlNode | null): RightStMci | undefined {
    const before = this.errors.length;
    const name = this.str(fields.get('Name')?.[1] ?? null) ?? '';
    const description = this.str(fields.get('Description')?.[1] ?? null) ?? '';
    const tags = this.items(fields.get('Tags')?.[1] ?? null, '[]string').map((t) => this.str(t) ?? '');
    if (name === '') this.fail(at, 'MultiCloudImage with Settings must have a Name');
    const settings = this.items(fields.get('Settings')?.[1] ?? null, '[]*main.Setting').map((s, i) => {
      const f = this.fields(s, 'main.Setting', SETTING_KEYS);
      const value = (key: string) => this.str(f.get(key)?.[1] ?? null) ?? '';
      const setting: RightStSetting = {
        cloud: value('Cloud'),
        instanceType: value('Instance Type'),
        image: value('Image'),
      };
      const userData = value('User Data');
      if (userData !== '') setting.userData = userData;
      const missing = [
        ['Cloud', setting.cloud],
        ['Instance Type', setting.instanceType],
        ['Image', setting.image],
      ]
        .filter(([, v]) => v === '')
        .map(([k]) => k);
      if (missing.length > 0 && (isMap(s) || s === null)) {
        this.fail(
          s ?? at,
          `MultiCloudImage '${name}' Setting #${i + 1}: ${SETTING_ERROR} (missing ${missing.join(', ')})`,
        );
      }
      return setting;
    });
    return this.errors.length === before ? { name, description, tags, settings } : undefined;
  }

  mciRef(n: YamlNode | null, index: number, pending: Pending[]): RightStMciRef | undefined {
    if (isScalar(n) && typeof n.value === 'string') {
      const path = n.value.trim();
      if (path === '') this.fail(n, MCI_FORM_ERROR);
      else pending.push({ index, path, line: this.line(n) });
      return undefined;
    }
    if (!isMap(n)) {
      this.fail(n, MCI_FORM_ERROR);
      return undefined;
    }
    const before = this.errors.length;
    const f = this.fields(n, 'main.MultiCloudImage', MCI_KEYS);
    const present = (keys: string[]) => keys.filter((k) => f.has(k));

    if (f.has('Href') || f.has('Id')) {
      const others = present(['Name', 'Revision', 'Publisher', 'Tags', 'Settings', 'Description']);
      if (f.has('Href') && f.has('Id')) others.unshift('Id');
      if (others.length > 0) {
        this.fail(
          n,
          `MultiCloudImage item with ${f.has('Href') ? 'Href' : 'Id'} cannot also set ${others.join(', ')}`,
        );
      }
      let href = '';
      if (f.has('Href')) href = this.str(f.get('Href')![1]) ?? '';
      else {
        const id = this.str(f.get('Id')![1]) ?? '';
        if (/^\d+$/.test(id)) href = `${MCI_HREF_PREFIX}${id}`;
        else this.fail(f.get('Id')![1] ?? n, 'Id must be a MultiCloudImage id (an integer)');
      }
      if (href === '' && this.errors.length === before) this.fail(n, MCI_FORM_ERROR);
      return this.errors.length === before ? { kind: 'href', href } : undefined;
    }

    const settingsNode = f.get('Settings')?.[1] ?? null;
    // Like right_st, an empty Settings list does not make an inline MCI.
    if (isSeq(settingsNode) && settingsNode.items.length > 0) {
      const others = present(['Revision', 'Publisher']);
      if (others.length > 0)
        this.fail(n, `MultiCloudImage item with Settings cannot also set ${others.join(', ')}`);
      const mci = this.inlineMci(f, n);
      return mci && this.errors.length === before ? { kind: 'inline', mci } : undefined;
    }
    if (!isSeq(settingsNode)) this.items(settingsNode, '[]*main.Setting');

    const name = this.str(f.get('Name')?.[1] ?? null) ?? '';
    const revision = this.revision(f.get('Revision')?.[1] ?? null);
    const publisher = this.str(f.get('Publisher')?.[1] ?? null) ?? '';
    if (f.has('Tags'))
      this.fail(f.get('Tags')![0], `MultiCloudImage '${name}': Tags are only used with Settings`);
    // Description is not modelled on a Name/Revision(/Publisher) reference: right_st ignores it on upload
    // (older right_st versions wrote it there on download), so it is accepted and not kept.
    if (f.has('Description')) this.str(f.get('Description')![1]);
    if (name === '') {
      if (this.errors.length === before) this.fail(n, MCI_FORM_ERROR);
      return undefined;
    }
    if (this.errors.length !== before || revision === undefined) return undefined;
    return publisher === ''
      ? { kind: 'account', name, revision }
      : { kind: 'publisher', name, revision, publisher };
  }

  inputs(n: YamlNode | null): void {
    if (n === null || (isScalar(n) && n.value === null)) return;
    if (!isMap(n)) {
      this.typeError(n, 'map[string]*main.InputValue');
      return;
    }
    for (const pair of n.items) {
      const key = this.node(pair.key);
      const value = this.node(pair.value);
      if (!isScalar(value)) {
        this.typeError(value, 'string');
        continue;
      }
      if (value.value === null) {
        this.fail(value, `Input ${this.scalarText(key)} has no value (use 'blank' or 'ignore')`);
        continue;
      }
      const text = this.scalarText(value);
      const colon = text.indexOf(':');
      const type = colon < 0 ? text : text.slice(0, colon);
      if (type === 'blank' || type === 'ignore') continue;
      if (colon < 0) this.fail(value, `Invalid input value: ${text}`);
      else if (type === 'text' && text.length === colon + 1) {
        this.fail(value, "Use 'blank' or 'ignore' instead of 'text:'");
      }
    }
  }

  rightScripts(n: YamlNode | null): void {
    if (n === null || (isScalar(n) && n.value === null)) return;
    if (!isMap(n)) {
      this.typeError(n, 'map[string][]*main.RightScript');
      return;
    }
    for (const pair of n.items) {
      const key = this.node(pair.key);
      const name = this.scalarText(key);
      if (!(SEQUENCES as readonly string[]).includes(name)) this.errors.push(sequenceError(name));
      for (const script of this.items(this.node(pair.value), '[]*main.RightScript')) {
        if (!(
          isMap(script) ||
          (isScalar(script) && typeof script.value === 'string' && script.value !== '')
        )) {
          this.typeError(script, 'main.RightScript');
        }
      }
    }
  }

  alerts(n: YamlNode | null): void {
    for (const alert of this.items(n, '[]*main.Alert')) {
      if (isScalar(alert) && typeof alert.value === 'string' && alert.value !== '') continue;
      const f = this.fields(alert, 'main.Alert', ALERT_KEYS);
      for (const [, value] of f.values()) this.str(value);
    }
  }
}

const scalarTag = (n: YamlNode | null): string => {
  const value = isScalar(n) ? n.value : null;
  if (value === null || value === undefined) return '!!null';
  if (typeof value === 'boolean') return '!!bool';
  if (typeof value === 'number') return Number.isInteger(value) ? '!!int' : '!!float';
  return '!!str';
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function summarize(section: string, value: unknown): string {
  if (section === 'Inputs') {
    return plural(value && typeof value === 'object' ? Object.keys(value).length : 0, 'input');
  }
  if (section === 'RightScripts') {
    const byName = (value ?? {}) as Record<string, unknown>;
    const count = (s: string) => (Array.isArray(byName[s]) ? (byName[s] as unknown[]).length : 0);
    return `${count('Boot')} boot, ${count('Operational')} operational, ${count('Decommission')} decommission scripts`;
  }
  const list = Array.isArray(value) ? value : [];
  const files = list.filter((a) => typeof a === 'string').length;
  const summary = plural(list.length - files, 'alert');
  return files > 0 ? `${summary}, ${plural(files, 'alert file reference')}` : summary;
}

/** Parses a right_st ServerTemplate, reading MultiCloud Image file references through `opts.readFile`. */
export async function parseServerTemplate(
  text: string,
  opts: { readFile: (relativePath: string) => Promise<string> },
): Promise<RightStTemplate> {
  const r = new Reader(text);
  if (r.errors.length > 0) throw new RightStError(r.errors);
  const root = r.root;
  const f = r.fields(root, 'main.ServerTemplate', TEMPLATE_KEYS);

  const name = r.str(f.get('Name')?.[1] ?? null) ?? '';
  if (name === '' && (isMap(root) || root === null || (isScalar(root) && root.value === null))) {
    r.fail(root, 'ServerTemplate Name must be set');
  }
  const description = r.str(f.get('Description')?.[1] ?? null) ?? '';
  r.inputs(f.get('Inputs')?.[1] ?? null);
  r.rightScripts(f.get('RightScripts')?.[1] ?? null);
  r.alerts(f.get('Alerts')?.[1] ?? null);

  const pending: Pending[] = [];
  const refs = r
    .items(f.get('MultiCloudImages')?.[1] ?? null, '[]*main.MultiCloudImage')
    .map((item, i) => r.mciRef(item, i, pending));

  for (const { index, path, line } of pending) {
    let fileText: string;
    try {
      fileText = await opts.readFile(path);
    } catch (e) {
      r.errors.push(`line ${line}: Cannot read MultiCloudImage file ${path}: ${(e as Error).message}`);
      continue;
    }
    try {
      refs[index] = { kind: 'file', path, mci: parseMci(fileText) };
    } catch (e) {
      if (!(e instanceof RightStError)) throw e;
      r.errors.push(...e.errors.map((m) => `${path}: ${m}`));
    }
  }
  if (r.errors.length > 0) throw new RightStError(r.errors);

  const plain = (r.doc.toJS() ?? {}) as Record<string, unknown>;
  const extra: Record<string, unknown> = {};
  const ignored: IgnoredSection[] = [];
  for (const section of UNMODELLED_SECTIONS) {
    if (!f.has(section)) continue;
    extra[section] = plain[section];
    ignored.push({ section, summary: summarize(section, plain[section]) });
  }
  return { name, description, mcis: refs as RightStMciRef[], ignored, extra };
}

/** Parses a right_st MultiCloud Image file: Name, optional Description and Tags, and its Settings. */
export function parseMci(text: string): RightStMci {
  const r = new Reader(text);
  if (r.errors.length > 0) throw new RightStError(r.errors);
  const root = r.root;
  const f = r.fields(root, 'main.MultiCloudImage', MCI_KEYS);
  for (const key of MCI_KEYS.filter((k) => !MCI_FILE_KEYS.includes(k) && f.has(k))) {
    r.fail(
      f.get(key)![0],
      `${key} is not used in a MultiCloudImage file (it defines Name, Description, Tags and Settings)`,
    );
  }
  const settings = f.get('Settings')?.[1] ?? null;
  if (!isSeq(settings) || settings.items.length === 0) {
    if (settings !== null && !isSeq(settings)) r.items(settings, '[]*main.Setting');
    else r.fail(settings ?? root, 'A MultiCloudImage file must have at least one Setting');
  }
  const mci = r.inlineMci(f, root);
  if (r.errors.length > 0 || !mci) throw new RightStError(r.errors);
  return mci;
}

function mciBody(m: RightStMci): Record<string, unknown> {
  const out: Record<string, unknown> = { Name: m.name };
  if (m.description !== '') out.Description = m.description;
  if (m.tags.length > 0) out.Tags = [...m.tags];
  out.Settings = m.settings.map((s) => {
    const setting: Record<string, string> = {
      Cloud: s.cloud,
      'Instance Type': s.instanceType,
      Image: s.image,
    };
    if (s.userData !== undefined && s.userData !== '') setting['User Data'] = s.userData;
    return setting;
  });
  return out;
}

function mciEntry(ref: RightStMciRef): unknown {
  switch (ref.kind) {
    case 'href':
      return { Href: ref.href };
    case 'account':
      // right_st writes HEAD as `Revision: head` rather than leaving it out.
      return { Name: ref.name, Revision: ref.revision };
    case 'publisher':
      return { Name: ref.name, Revision: ref.revision, Publisher: ref.publisher };
    case 'inline':
      return mciBody(ref.mci);
    case 'file':
      return ref.path;
  }
}

// Block sequences flush with their parent key, as right_st's go-yaml writes them; an empty value is
// written as nothing (`Operational:`), as in right_st repositories, rather than as `null`; multi-line
// text as a literal block (`|`), which reads as the text itself.
const YAML_OPTIONS = { indentSeq: false, nullStr: '', blockQuote: 'literal' } as const;

/** Writes a ServerTemplate in right_st's layout; `extra` sections are written back as they were read. */
export function serializeServerTemplate(t: RightStTemplate): string {
  const out: Record<string, unknown> = {};
  for (const key of TEMPLATE_KEYS) {
    if (key === 'Name') out.Name = t.name;
    else if (key === 'Description') out.Description = t.description;
    else if (key === 'MultiCloudImages') out.MultiCloudImages = t.mcis.map(mciEntry);
    else if (key in t.extra) out[key] = t.extra[key];
  }
  for (const [key, value] of Object.entries(t.extra)) if (!(key in out)) out[key] = value;
  return stringify(out, YAML_OPTIONS);
}

/** Writes a MultiCloud Image file in right_st's layout (Name, Description, Tags, Settings). */
export function serializeMci(m: RightStMci): string {
  return stringify(mciBody(m), YAML_OPTIONS);
}
