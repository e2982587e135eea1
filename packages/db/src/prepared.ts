import type { Executor } from './database.ts';

/** What a drizzle query's `.prepare(name)` gives: run it with the placeholders' values. */
interface PreparedLike<T> {
  execute(values?: Record<string, unknown>): Promise<T>;
}

/** The part of drizzle's session and prepared query this relies on: the driver client they run on. */
interface WithClient {
  client?: unknown;
}

/**
 * A hot statement built by drizzle once per process instead of on every call (building the SQL
 * text is most of drizzle's cost per request), and run as a named statement on whichever
 * executor the caller has: the pool, or the client of its transaction (PostgreSQL then parses and
 * plans it once per connection). Drizzle's prepared query keeps the SQL, the placeholders and the
 * row mapping, and runs on its `client`; the copy made for another executor differs only there.
 * The built query must depend on nothing but placeholders (`sql.placeholder(…)`), and the name
 * must be unique in the process.
 */
export function reusableStatement<T>(
  name: string,
  build: (db: Executor) => { prepare(name: string): PreparedLike<T> },
): (db: Executor, values: Record<string, unknown>) => Promise<T> {
  const built = new Map<unknown, PreparedLike<T> & WithClient>();
  return (db, values) => {
    const session = (db as unknown as { session?: WithClient & object }).session;
    if (!session?.client) return build(db).prepare(name).execute(values);
    // One per driver (node-postgres, PGlite): their prepared queries map rows differently.
    const driver = Object.getPrototypeOf(session);
    let base = built.get(driver);
    if (!base) {
      base = build(db).prepare(name) as PreparedLike<T> & WithClient;
      built.set(driver, base);
    }
    const bound =
      base.client === session.client
        ? base
        : (Object.assign(Object.create(Object.getPrototypeOf(base) as object), base, {
            client: session.client,
          }) as PreparedLike<T>);
    return bound.execute(values);
  };
}
