// `npm start`: builds what changed (the dashboard unless DASHBOARD_DIR names another build, and
// the server bundle), then runs the compiled server in this process (ADR 010).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLES, ROOT, bundleFresh, ensureBundle, ensureWeb, webFresh } from './build.mjs';

if (!process.env.DASHBOARD_DIR && !webFresh()) {
  process.stderr.write('Building the dashboard (its sources changed since the last build)…\n');
  ensureWeb({ force: true });
}
if (!bundleFresh('server')) await ensureBundle('server', { force: true });
// Stack traces in the log name the TypeScript sources.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(ROOT, BUNDLES.server.out)).href);
