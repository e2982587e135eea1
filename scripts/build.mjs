// Builds what `npm start` and `mci` run, each only when its sources changed (ADR 010):
//   the dashboard  packages/web/dist       (vite; precompressed .br/.gz)
//   the server     packages/server/dist/main.js  (esbuild bundle of the workspace code, dependencies external)
//   the CLI        packages/cli/dist/mci.js      (same)
// A build leaves a stamp of its inputs' hashes; a later call hashes the same files again and
// rebuilds only on a difference. Plain JavaScript, so that checking costs no TypeScript loader.
//
//   node scripts/build.mjs [web|server|cli|all] [--force]
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

const sha = (data) => createHash('sha256').update(data).digest('hex');
const hashFile = (path) => {
  try {
    return sha(readFileSync(join(ROOT, path)));
  } catch {
    return 'missing';
  }
};
const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
};
/** Writes `path` so that a reader sees the old file or the new one, never half of one. */
const writeAtomic = (path, data) => {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
};

// ---------------------------------------------------------------------------------------------
// JavaScript bundles (server, CLI)

/** The bundles: entry, output, and what the output's module exports or does. */
export const BUNDLES = {
  server: { entry: 'packages/server/src/main.ts', out: 'packages/server/dist/main.js' },
  cli: { entry: 'packages/cli/src/main.ts', out: 'packages/cli/dist/mci.js' },
};

const stampOf = (out) => join(ROOT, `${out}.stamp.json`);

/** True when the bundle exists and every input it was built from still has the same content. */
export function bundleFresh(name) {
  const { out } = BUNDLES[name];
  const stamp = readJson(stampOf(out));
  if (!stamp || !existsSync(join(ROOT, out)) || stamp.script !== hashFile(relative(ROOT, SELF))) return false;
  return Object.entries(stamp.inputs).every(([path, hash]) => hashFile(path) === hash);
}

/**
 * Rewrites `import.meta.url` in each bundled source file to that file's own URL, expressed
 * relative to the bundle: files found beside their source (migrations, the demo catalog, the
 * dashboard) are found from the bundle too, wherever the checkout lies.
 */
function keepModuleUrls(outDir) {
  return {
    name: 'keep-module-urls',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        const fromBundle = relative(outDir, args.path).split(sep).join('/');
        return {
          contents: source.replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
          ),
          loader: 'ts',
        };
      });
    },
  };
}

/** Dependencies stay imports, resolved from node_modules at run time; the workspace is bundled. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@mci/') ? undefined : { path: args.path, external: true },
    );
  },
};

export async function buildBundle(name) {
  const { entry, out } = BUNDLES[name];
  const { build } = await import('esbuild');
  const outFile = join(ROOT, out);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [externalDependencies, keepModuleUrls(dirname(outFile))],
  });
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((p) => [p, hashFile(p)]));
  writeAtomic(stampOf(out), JSON.stringify({ script: hashFile(relative(ROOT, SELF)), inputs }, null, 1));
}

/** Builds bundle `name` unless it is fresh; returns whether it built. */
export async function ensureBundle(name, { force = false } = {}) {
  if (!force && bundleFresh(name)) return false;
  await buildBundle(name);
  return true;
}

// ---------------------------------------------------------------------------------------------
// The dashboard

const WEB_DIST = join(ROOT, 'packages/web/dist');
const WEB_STAMP = '.build-stamp.json';
/** What the dashboard's build reads: its own sources, the client it calls, core's types, versions. */
const WEB_INPUTS = [
  'packages/web/src',
  'packages/web/index.html',
  'packages/web/vite.config.ts',
  'packages/web/package.json',
  'packages/web/tsconfig.json',
  'packages/client/src',
  'packages/core/src',
  'package-lock.json',
];

/** The files under `path` (a directory), or `path` itself (a file, or missing). */
function listFiles(path) {
  let entries;
  try {
    entries = readdirSync(join(ROOT, path), { withFileTypes: true, recursive: true });
  } catch {
    return [path];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

function webInputsHash() {
  const h = createHash('sha256');
  for (const input of WEB_INPUTS)
    for (const file of listFiles(input)) h.update(`${file}\0${hashFile(file)}\0`);
  return h.digest('hex');
}

export function webFresh() {
  return readJson(join(WEB_DIST, WEB_STAMP))?.inputs === webInputsHash();
}

/** Builds the dashboard into a new folder and swaps it in, so a running server never sees half a build. */
export function buildWeb() {
  const inputs = webInputsHash();
  const next = join(ROOT, `packages/web/.dist-${process.pid}`);
  const old = join(ROOT, `packages/web/.dist-old-${process.pid}`);
  const run = spawnSync(
    'npm',
    ['run', '-s', '-w', '@mci/web', 'build', '--', '--outDir', next, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (run.status !== 0) {
    rmSync(next, { recursive: true, force: true });
    throw new Error('the dashboard did not build (see above)');
  }
  writeFileSync(join(next, WEB_STAMP), JSON.stringify({ inputs }));
  if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
  renameSync(next, WEB_DIST);
  rmSync(old, { recursive: true, force: true });
}

export function ensureWeb({ force = false } = {}) {
  if (!force && webFresh()) return false;
  buildWeb();
  return true;
}

// ---------------------------------------------------------------------------------------------

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const force = process.argv.includes('--force');
  const what = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const targets = what.length === 0 || what.includes('all') ? ['web', 'server', 'cli'] : what;
  for (const target of targets) {
    const started = performance.now();
    const built = target === 'web' ? ensureWeb({ force }) : await ensureBundle(target, { force });
    const took = Math.round(performance.now() - started);
    console.log(`${target}: ${built ? `built in ${took} ms` : `up to date (checked in ${took} ms)`}`);
  }
}
