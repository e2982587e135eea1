import { writeFile } from 'node:fs/promises';
import { openApiDocument } from '../packages/server/src/openapi.ts';

/** Writes the OpenAPI document that the routes' zod schemas describe; CI fails when it drifts. */
const target = new URL('../packages/server/openapi.json', import.meta.url);
await writeFile(target, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
