export * from './database.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './identity.repository.ts';
export * from './catalog.repository.ts';
export * from './audit.repository.ts';
export * as schema from './schema.ts';
