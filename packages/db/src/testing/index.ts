export * from './test-database.ts';
export * from './each-engine.ts';
