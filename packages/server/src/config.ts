import { LIMITS } from '@mci/core';
import { z } from 'zod';

const optionalPath = z
  .string()
  .min(1)
  .optional()
  .or(z.literal('').transform(() => undefined));

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().min(1).default('./data'),
  SEED: z.enum(['demo', 'none']).default('demo'),
  ADMIN_EMAIL: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address')
    .default('admin@localhost'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The superuser's dashboard password, applied on every start (the way back in after a lost one). */
  ADMIN_PASSWORD: z
    .string()
    .min(LIMITS.passwordMinLength, `must be at least ${LIMITS.passwordMinLength} characters`)
    .max(LIMITS.passwordMaxLength)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /**
   * `warn` by default: errors and warnings only, each line with its request's `reqId`; `info` adds a
   * line per request (it costs a bare route a fifth to half of its throughput, ADR 010).
   */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  DASHBOARD_DIR: z.string().min(1).optional(),
  /**
   * Sign-in throttle (ADR 009): failed sign-ins allowed per email address, and failed sign-ins and
   * unknown API tokens per client IP, within AUTH_THROTTLE_WINDOW_SECONDS; past them, 429 with
   * Retry-After for a window, doubling while the failures go on (at most a day).
   */
  AUTH_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).max(10_000).default(5),
  AUTH_FAILURES_PER_CLIENT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  AUTH_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /**
   * R-CLD-1: encrypts cloud credentials at rest (any string of 32+ characters; a key is derived from
   * it). Unset: a key is generated into DATA_DIR/secret.key (mode 0600) on first start. Several
   * processes on one PostgreSQL must share one SECRET_KEY.
   */
  SECRET_KEY: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /**
   * R-LCH-3: how often launched servers' states are refreshed from their clouds (a `reconcile`
   * job per cloud with launched servers); launches and terminates are followed up sooner.
   */
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(30),
  /**
   * R-JOB-2: durable jobs (catalog syncs, reconciles) run by this process at once; 0 runs none
   * (another process on the same PostgreSQL takes them). JOB_LEASE_SECONDS: how long a process
   * that stopped answering keeps a job before another takes it over (renewed every third).
   */
  JOB_WORKERS: z.coerce.number().int().min(0).max(32).default(1),
  JOB_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** Finished jobs (and their progress, result and error) are kept this many days. */
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * For tests and demos of the `simulated` driver: every call waits this long, listings hold
   * this many images per page, and each simulated region gets this many generated public images
   * beside the demo catalog's (a big, slow catalog to sync).
   */
  SIMULATED_CLOUD_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  SIMULATED_CLOUD_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(100),
  SIMULATED_CLOUD_EXTRA_IMAGES: z.coerce.number().int().min(0).max(1_000_000).default(0),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * HTTPS beside HTTP (RightScale's clients speak HTTPS only, R-RS): a PEM certificate (chain)
   * and its private key, both or neither; the same service answers on HTTPS_PORT.
   */
  TLS_CERT_FILE: optionalPath,
  TLS_KEY_FILE: optionalPath,
  HTTPS_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
});

const checkedConfig = configSchema.superRefine((c, check) => {
  if (Boolean(c.TLS_CERT_FILE) !== Boolean(c.TLS_KEY_FILE)) {
    const missing = c.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE';
    check.addIssue({
      code: 'custom',
      path: [missing],
      message: 'TLS_CERT_FILE and TLS_KEY_FILE go together: set both (HTTPS) or neither (HTTP only)',
    });
  }
  if (c.TLS_CERT_FILE && c.HTTPS_PORT !== 0 && c.HTTPS_PORT === c.PORT) {
    check.addIssue({ code: 'custom', path: ['HTTPS_PORT'], message: `must differ from PORT (${c.PORT})` });
  }
});

export type Config = z.infer<typeof configSchema>;

/**
 * Parses the environment once at start-up. Every problem is listed before the process exits,
 * so an operator fixes them all in one go.
 */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = checkedConfig.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
