import { readFile } from 'node:fs/promises';
import { ROLES, type DemoCatalog } from '@mci/core';
import { catalogRepository, identityRepository, schema, type Db, type Executor } from '@mci/db';
import { eq } from 'drizzle-orm';
import { TOKEN_PREFIX } from '../modules/identity/identity.service.ts';
import { hashPassword, hashSecret, newSecret, verifyPassword } from '../security/secrets.ts';
import { mutate, systemActor, type UnitOfWork } from '../unit-of-work.ts';

export interface BootstrapOptions {
  adminEmail: string;
  adminToken?: string;
  adminPassword?: string;
  seed: 'demo' | 'none';
}

export interface BootstrapResult {
  /** True when this start found an empty database and created the superuser. */
  firstStart: boolean;
  /** A token generated on first start (no ADMIN_TOKEN given): shown once, never stored in clear. */
  generatedToken?: string;
  /** A dashboard password generated with it (no ADMIN_PASSWORD given): shown once, stored hashed. */
  generatedPassword?: string;
  seeded: boolean;
  /** True when ADMIN_PASSWORD replaced the superuser's dashboard password on a later start. */
  passwordReset: boolean;
}

const DEMO_CATALOG = new URL('./demo-catalog.json', import.meta.url);

/** Reads the demo catalog that ships with the project (written from real AMI facts). */
export async function readDemoCatalog(): Promise<DemoCatalog> {
  return JSON.parse(await readFile(DEMO_CATALOG, 'utf8')) as DemoCatalog;
}

/** Loads every cloud of the demo catalog with its instance types and public images. */
async function loadDemoCatalog({ tx, audit }: UnitOfWork): Promise<void> {
  const catalog = await readDemoCatalog();
  for (const c of catalog.clouds) {
    const cloud = await catalogRepository.insertCloud(tx, {
      name: c.name,
      cloudType: c.cloudType,
      region: c.region,
      description: c.description,
      // The demo's clouds are the simulated driver's: a sync of one lists the same catalog.
      driver: 'simulated',
      sync: { owners: ['amazon'], nameFilters: [], intervalSeconds: null },
    });
    await catalogRepository.insertInstanceTypesBulk(
      tx,
      c.instanceTypes.map((t) => ({ ...t, cloudId: cloud.id })),
    );
    await catalogRepository.insertImagesBulk(
      tx,
      c.images.map((i) => ({
        ...i,
        cloudId: cloud.id,
        visibility: 'public' as const,
        ownerAccountId: null,
        launchPermissions: [],
        state: 'available' as const,
        deprecatedAt: null,
        replacementImageId: null,
        syncScope: 'cloud',
        ownerPrincipal: 'amazon',
      })),
    );
  }
  audit({
    accountId: null,
    action: 'catalog.seed',
    targetType: 'installation',
    targetId: 'demo',
    summary: `loaded the demo catalog: ${catalog.clouds.length} clouds (${catalog.source})`,
  });
}

/** A "Demo" account where the superuser holds every role, so the dashboard is usable at once. */
async function createDemoAccount({ tx, audit }: UnitOfWork, userId: string): Promise<void> {
  const account = await identityRepository.insertAccount(tx, {
    name: 'Demo',
    description: 'Created by SEED=demo: try MCIs, templates and servers here',
  });
  await identityRepository.upsertMembership(tx, account.id, userId, [...ROLES]);
  audit({
    accountId: account.id,
    action: 'account.create',
    targetType: 'account',
    targetId: account.id,
    summary: 'created the demo account',
  });
}

/**
 * Sets the superuser's dashboard password to ADMIN_PASSWORD unless it already is that password,
 * so a lost password (or a first start whose output was lost) is recovered by a restart.
 */
async function applyAdminPassword(
  { tx, audit }: UnitOfWork,
  superuser: { id: string; email: string },
  password: string,
): Promise<boolean> {
  const current = await identityRepository.passwordHashOf(tx, superuser.id);
  if (current && (await verifyPassword(password, current))) return false;
  await identityRepository.setPasswordHash(tx, superuser.id, await hashPassword(password));
  audit({
    accountId: null,
    action: 'user.password_reset',
    targetType: 'user',
    targetId: superuser.id,
    summary: `set the dashboard password of ${superuser.email} from ADMIN_PASSWORD`,
  });
  return true;
}

/** Makes `token` a valid API token of the superuser (once; later starts find its hash). */
async function applyAdminToken({ tx }: UnitOfWork, userId: string, token: string): Promise<void> {
  if (await identityRepository.hasTokenHash(tx, hashSecret(token))) return;
  await identityRepository.insertToken(tx, { userId, name: 'ADMIN_TOKEN', tokenHash: hashSecret(token) });
}

async function hasSeedMark(tx: Executor): Promise<boolean> {
  const [mark] = await tx.select().from(schema.installation).where(eq(schema.installation.key, 'seed'));
  return mark !== undefined;
}

/**
 * Start-up set-up, idempotent on later starts: creates the superuser on an empty database, makes
 * ADMIN_TOKEN a valid token and ADMIN_PASSWORD the dashboard password of the superuser (on every
 * start, so both are a way back in), and loads the demo catalog once when SEED=demo. One unit of
 * work by the `bootstrap` system actor: all of it, with its audit entries, or nothing.
 */
export async function bootstrap(db: Db, options: BootstrapOptions): Promise<BootstrapResult> {
  return mutate({ db, clock: () => new Date() }, systemActor('bootstrap'), async (uow) => {
    const { tx, audit } = uow;
    const result: BootstrapResult = { firstStart: false, seeded: false, passwordReset: false };
    let superuser = await identityRepository.findSuperuser(tx);
    if (!superuser) {
      result.firstStart = true;
      // A person starting the service by hand (no ADMIN_TOKEN) also gets a password for the dashboard.
      if (!options.adminPassword && !options.adminToken)
        result.generatedPassword = newSecret('').slice(0, 20);
      const password = options.adminPassword ?? result.generatedPassword;
      superuser = await identityRepository.insertUser(tx, {
        email: options.adminEmail,
        name: 'Administrator',
        passwordHash: password ? await hashPassword(password) : null,
        isSuperuser: true,
      });
      audit({
        accountId: null,
        action: 'installation.bootstrap',
        targetType: 'user',
        targetId: superuser.id,
        summary: `created the installation superuser ${superuser.email}`,
      });
      if (!options.adminToken) {
        result.generatedToken = newSecret(TOKEN_PREFIX);
        await identityRepository.insertToken(tx, {
          userId: superuser.id,
          name: 'bootstrap',
          tokenHash: hashSecret(result.generatedToken),
        });
      }
    } else if (options.adminPassword) {
      result.passwordReset = await applyAdminPassword(uow, superuser, options.adminPassword);
    }
    if (options.adminToken) await applyAdminToken(uow, superuser.id, options.adminToken);
    if (result.firstStart && !(await hasSeedMark(tx))) {
      if (options.seed === 'demo') {
        await loadDemoCatalog(uow);
        await createDemoAccount(uow, superuser.id);
        result.seeded = true;
      }
      await tx.insert(schema.installation).values({ key: 'seed', value: { seed: options.seed } });
    }
    return result;
  });
}
