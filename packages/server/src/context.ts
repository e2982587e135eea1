import type { Database, Db } from '@mci/db';
import type { FastifyBaseLogger } from 'fastify';
import type { DriverFactory } from './clouds/drivers.ts';
import type { SimulatedWorld } from './clouds/simulated-driver.ts';
import type { SecretKey } from './security/credential-crypto.ts';
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
  /** Encrypts cloud credentials at rest (R-CLD-1). */
  secretKey: SecretKey;
  /** Makes the driver of a cloud for an account's credentials (R-CLD); tests pass their own. */
  drivers: DriverFactory;
  /** The in-process world of the `simulated` driver (tests reach into it to change the "cloud"). */
  simulatedWorld: SimulatedWorld;
}
