import { afterAll, beforeAll, describe, inject } from 'vitest';
import type { Database } from '../database.ts';
import { openTestDatabase, testEngines, type TestEngine } from './test-database.ts';

/**
 * Declares one suite, written once, on every engine of the run (PGlite always; PostgreSQL too
 * when DATABASE_URL is set): a fresh migrated database per engine and file, closed afterwards.
 * `database()` is the current engine's database inside tests and hooks.
 */
export function describeOnEveryEngine(
  title: string,
  suite: (database: () => Database, engine: TestEngine) => void,
): void {
  describe.each(testEngines())(`${title} (%s)`, (engine) => {
    let database: Database | undefined;
    beforeAll(async () => {
      database = await openTestDatabase(inject('pgliteDump'), { engine });
    });
    afterAll(async () => {
      await database?.close();
      database = undefined;
    });
    suite(() => {
      if (!database) throw new Error(`the ${engine} test database is not open yet`);
      return database;
    }, engine);
  });
}
