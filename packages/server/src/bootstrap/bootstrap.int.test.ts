import { auditRepository, catalogRepository, identityRepository, schema } from '@mci/db';
import { openTestDatabase } from '@mci/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Database } from '@mci/db';
import { hashSecret, verifyPassword } from '../security/secrets.ts';
import { bootstrap, readDemoCatalog } from './bootstrap.ts';

let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe('bootstrap', () => {
  it('creates the superuser on an empty database with a generated token, once', async () => {
    database = await openTestDatabase(inject('pgliteDump'));
    const first = await bootstrap(database.db, { adminEmail: 'ops@example.com', seed: 'none' });
    expect(first.firstStart).toBe(true);
    expect(first.generatedToken).toMatch(/^mci_/);
    const principal = await identityRepository.findPrincipal(database.db, {
      tokenHash: hashSecret(first.generatedToken!),
    });
    expect(principal).toMatchObject({ email: 'ops@example.com', isSuperuser: true });
    expect(first.generatedPassword).toMatch(/^[\w-]{20}$/);
    const withPassword = await identityRepository.findUserByEmail(database.db, 'ops@example.com');
    expect(await verifyPassword(first.generatedPassword!, withPassword!.passwordHash!)).toBe(true);
    const again = await bootstrap(database.db, { adminEmail: 'ops@example.com', seed: 'none' });
    expect(again).toEqual({ firstStart: false, seeded: false, passwordReset: false });
    expect(await identityRepository.countUsers(database.db)).toBe(1);
  });

  it('makes ADMIN_TOKEN a valid token of the superuser, also when set on a later start', async () => {
    database = await openTestDatabase(inject('pgliteDump'));
    await bootstrap(database.db, { adminEmail: 'admin@localhost', seed: 'none' });
    await bootstrap(database.db, {
      adminEmail: 'admin@localhost',
      adminToken: 'later-token-0123456789',
      seed: 'none',
    });
    const principal = await identityRepository.findPrincipal(database.db, {
      tokenHash: hashSecret('later-token-0123456789'),
    });
    expect(principal?.isSuperuser).toBe(true);
  });

  it('sets the dashboard password to ADMIN_PASSWORD on a later start, audited once as the bootstrap', async () => {
    database = await openTestDatabase(inject('pgliteDump'));
    const first = await bootstrap(database.db, { adminEmail: 'admin@localhost', seed: 'none' });
    const reset = await bootstrap(database.db, {
      adminEmail: 'admin@localhost',
      adminPassword: 'a recovered passphrase',
      seed: 'none',
    });
    expect(reset).toEqual({ firstStart: false, seeded: false, passwordReset: true });
    const user = await identityRepository.findUserByEmail(database.db, 'admin@localhost');
    expect(await verifyPassword('a recovered passphrase', user!.passwordHash!)).toBe(true);
    expect(await verifyPassword(first.generatedPassword!, user!.passwordHash!)).toBe(false);
    const again = await bootstrap(database.db, {
      adminEmail: 'admin@localhost',
      adminPassword: 'a recovered passphrase',
      seed: 'none',
    });
    expect(again.passwordReset).toBe(false);
    const entries = await auditRepository.list(database.db, { accountId: null, limit: 10 });
    expect(entries.map((e) => [e.action, e.userId, e.summary])).toEqual([
      [
        'user.password_reset',
        null,
        '[bootstrap] set the dashboard password of admin@localhost from ADMIN_PASSWORD',
      ],
      ['installation.bootstrap', null, '[bootstrap] created the installation superuser admin@localhost'],
    ]);
  });

  it('SEED=demo loads the AWS regions, their instance types and real AMIs, plus a simulated cloud', async () => {
    database = await openTestDatabase(inject('pgliteDump'));
    const result = await bootstrap(database.db, { adminEmail: 'admin@localhost', seed: 'demo' });
    expect(result.seeded).toBe(true);
    const catalog = await readDemoCatalog();
    const clouds = await catalogRepository.listClouds(database.db, { limit: 100 });
    expect(clouds).toHaveLength(catalog.clouds.length);
    expect(clouds.filter((c) => c.cloudType === 'aws').length).toBeGreaterThanOrEqual(30);
    expect(clouds.filter((c) => c.cloudType === 'simulated')).toHaveLength(1);
    const useast1 = clouds.find((c) => c.name === 'AWS us-east-1')!;
    const images = await catalogRepository.listImages(database.db, { cloudId: useast1.id, limit: 500 });
    expect(images.length).toBe(catalog.clouds.find((c) => c.name === 'AWS us-east-1')!.images.length);
    expect(images.every((i) => /^ami-[0-9a-f]{8,17}$/.test(i.resourceUid))).toBe(true);
    expect(new Set(images.map((i) => i.cpuArchitecture))).toEqual(new Set(['x86_64', 'arm64']));
    const types = await catalogRepository.listInstanceTypes(database.db, { cloudId: useast1.id, limit: 500 });
    expect(types.find((t) => t.resourceUid === 'm6g.large')?.cpuArchitectures).toEqual(['arm64']);
    const superuser = (await identityRepository.findSuperuser(database.db))!;
    const memberships = await identityRepository.membershipsOf(database.db, superuser.id);
    expect([...memberships.values()]).toEqual([
      ['observer', 'actor', 'designer', 'library', 'publisher', 'admin'],
    ]);
    const again = await bootstrap(database.db, { adminEmail: 'admin@localhost', seed: 'demo' });
    expect(again.seeded).toBe(false);
    expect(await database.db.select().from(schema.clouds)).toHaveLength(catalog.clouds.length);
  });

  it('SEED=none loads nothing', async () => {
    database = await openTestDatabase(inject('pgliteDump'));
    const result = await bootstrap(database.db, {
      adminEmail: 'admin@localhost',
      adminToken: 'given-token-0123456789',
      seed: 'none',
    });
    expect(result.generatedPassword).toBeUndefined();
    expect(await database.db.select().from(schema.clouds)).toHaveLength(0);
    expect(await database.db.select().from(schema.accounts)).toHaveLength(0);
  });
});
