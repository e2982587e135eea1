import type { Database } from '@mci/db';
import { buildApp } from './app.ts';

/** A database handle that fails loudly if used: building the routes never touches the database. */
const unusable = (what: string): never =>
  new Proxy({} as never, {
    get(_target, prop) {
      throw new Error(`the OpenAPI document is built without a database (tried ${what}.${String(prop)})`);
    },
  });

const noDatabase: Database = { kind: 'pglite', db: unusable('db'), close: async () => undefined };

/** The OpenAPI 3.1 document generated from the routes' zod schemas. */
export async function openApiDocument(): Promise<unknown> {
  const app = await buildApp({ database: noDatabase, logLevel: 'silent' });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return doc;
}
