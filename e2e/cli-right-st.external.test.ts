import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerTemplate } from '../packages/cli/src/right-st/right-st.ts';
import { mci as run } from './support/cli.ts';
import { startServer, type RunningServer } from './support/server.ts';

/** Real right_st files pushed and pulled through the CLI (rightlink_scripts' rll/base.yml). */
const RLL_BASE = new URL(
  '../../shared/data/external/right_st-yaml/rightlink_scripts/rll-base.HEAD.yml',
  import.meta.url,
);
const ADMIN_TOKEN = 'cli-rightst-admin-token-0123456789';
let server: RunningServer;
let dir: string;
const mci = (...args: string[]) => run(join(dir, 'cli.json'), args);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-rightst-'));
  server = await startServer({ DATA_DIR: join(dir, 'data'), SEED: 'none', ADMIN_TOKEN, DATABASE_URL: '' });
  await mci('login', server.baseUrl, '--token', ADMIN_TOKEN);
  const acc = (await mci('accounts', 'create', 'RightLink', '--json')).json();
  await mci('use', acc.id);
  await mci('clouds', 'create', 'EC2 us-east-1', '--type', 'aws', '--region', 'us-east-1');
  await mci(
    'images',
    'create',
    'EC2 us-east-1',
    '--uid',
    'ami-5e91b936',
    '--name',
    'ubuntu',
    '--arch',
    'x86_64',
  );
  await mci(
    'instance-types',
    'create',
    'EC2 us-east-1',
    '--uid',
    'm3.medium',
    '--cpus',
    '1',
    '--memory',
    '3840',
    '--arch',
    'x86_64',
  );
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('right_st files through the mci CLI', () => {
  it('pushes rll/base.yml (17 MCIs by name, HEAD revisions) and pulls it back with the same MCIs in order', async () => {
    const source = await parseServerTemplate(await readFile(RLL_BASE, 'utf8'), { readFile: async () => '' });
    const names = source.mcis.map((m) => (m.kind === 'account' ? m.name : ''));
    expect(names).toHaveLength(17);
    for (const name of names) {
      const created = (await mci('mci', 'create', name, '--json')).json();
      await mci(
        'mci',
        'add-setting',
        created.id,
        '--cloud',
        'EC2 us-east-1',
        '--image',
        'ami-5e91b936',
        '--type',
        'm3.medium',
      );
    }
    const push = await mci('template', 'push', RLL_BASE.pathname, '--json');
    expect(push.code, push.stderr).toBe(0);
    const [report] = push.json();
    expect(report.ignored.map((s: string) => s.split(':')[0]).sort()).toEqual([
      'Alerts',
      'Inputs',
      'RightScripts',
    ]);
    const pulled = await mci('template', 'pull', report.templateId);
    expect(pulled.code).toBe(0);
    const back = await parseServerTemplate(pulled.stdout, { readFile: async () => '' });
    expect(back.name).toBe(source.name);
    expect(back.mcis.map((m) => (m.kind === 'inline' ? m.mci.name : m.kind))).toEqual(names);
  });
});
