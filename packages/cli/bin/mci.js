#!/usr/bin/env node
// Runs the compiled CLI (packages/cli/dist/mci.js), built first when its sources changed (ADR 010).
import { BUNDLES, ROOT, ensureBundle } from '../../../scripts/build.mjs';

await ensureBundle('cli');
const { main } = await import(new URL(BUNDLES.cli.out, `file://${ROOT}`).href);
process.exitCode = await main(process.argv);
