import type { Database, Db } from '@mci/db';
import type { FastifyBaseLogger } from 'fastify';
import type { AuthThrottlePolicy } from './security/throttle.ts';

/** What services need from the outside world, passed explicitly so tests can replace the clock. */
export interface AppContext {
  database: Database;
  db: Db;
  clock: () => Date;
  log: FastifyBaseLogger;
  cookieSecure: boolean;
  /** Limits of failed sign-ins and unknown tokens (default: DEFAULT_AUTH_THROTTLE). */
  authThrottle?: AuthThrottlePolicy;
}
