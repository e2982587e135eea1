import { readFile } from 'node:fs/promises';
import { ROLES, type CloudType, type CpuArchitecture } from '@mci/core';
import { auditRepository, catalogRepository, identityRepository, schema, type Db } from '@mci/db';
import { eq } from 'drizzle-orm';
import { hashPassword, hashSecret, newSecret } from '../security/secrets.ts';
import { TOKEN_PREFIX } from '../modules/identity/identity.service.ts';

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
}

interface DemoCatalog {
  source: string;
  clouds: {
    name: string;
    cloudType: CloudType;
    region: string;
    description: string;
    instanceTypes: {
      resourceUid: string;
      name: string;
      cpuCount: number;
      memoryMb: number;
      cpuArchitectures: CpuArchitecture[];
    }[];
    images: {
      resourceUid: string;
      name: string;
      description: string;
      osFamily: string;
      osVersion: string;
      cpuArchitecture: CpuArchitecture;
      virtualizationType: string;
      rootDeviceType: string;
    }[];
  }[];
}

const DEMO_CATALOG = new URL('./demo-catalog.json', import.meta.url);

/** Reads the demo catalog that ships with the project (written from real AMI facts). */
export async function readDemoCatalog(): Promise<DemoCatalog> {
  return JSON.parse(await readFile(DEMO_CATALOG, 'utf8')) as DemoCatalog;
}

async function loadDemoCatalog(tx: Db, userId: string): Promise<void> {
  const catalog = await readDemoCatalog();
  for (const c of catalog.clouds) {
    const cloud = await catalogRepository.insertCloud(tx, {
      name: c.name,
      cloudType: c.cloudType,
      region: c.region,
      description: c.description,
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
      })),
    );
  }
  await auditRepository.insert(tx, {
    accountId: null,
    userId,
    action: 'catalog.seed',
    targetType: 'installation',
    targetId: 'demo',
    summary: `loaded the demo catalog: ${catalog.clouds.length} clouds (${catalog.source})`,
  });
}

/** A "Demo" account where the superuser holds every role, so the dashboard is usable at once. */
async function createDemoAccount(tx: Db, userId: string): Promise<void> {
  const account = await identityRepository.insertAccount(tx, {
    name: 'Demo',
    description: 'Created by SEED=demo: try MCIs, templates and servers here',
  });
  await identityRepository.upsertMembership(tx, account.id, userId, [...ROLES]);
  await auditRepository.insert(tx, {
    accountId: account.id,
    userId,
    action: 'account.create',
    targetType: 'account',
    targetId: account.id,
    summary: 'created the demo account',
  });
}

/**
 * First-start set-up, idempotent on later starts: creates the superuser on an empty database,
 * makes ADMIN_TOKEN a valid token for it, and loads the demo catalog once when SEED=demo.
 */
export async function bootstrap(db: Db, options: BootstrapOptions): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    const result: BootstrapResult = { firstStart: false, seeded: false };
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
      await auditRepository.insert(tx, {
        accountId: null,
        userId: superuser.id,
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
    }
    if (options.adminToken && !(await identityRepository.hasTokenHash(tx, hashSecret(options.adminToken)))) {
      await identityRepository.insertToken(tx, {
        userId: superuser.id,
        name: 'ADMIN_TOKEN',
        tokenHash: hashSecret(options.adminToken),
      });
    }
    const [seedMark] = await tx.select().from(schema.installation).where(eq(schema.installation.key, 'seed'));
    if (result.firstStart && !seedMark) {
      if (options.seed === 'demo') {
        await loadDemoCatalog(tx as unknown as Db, superuser.id);
        await createDemoAccount(tx as unknown as Db, superuser.id);
        result.seeded = true;
      }
      await tx.insert(schema.installation).values({ key: 'seed', value: { seed: options.seed } });
    }
    return result;
  });
}
