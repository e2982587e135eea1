export * from './errors.ts';
export * from './limits.ts';
export * from './access.ts';
export * from './catalog.ts';
export * from './pagination.ts';
export * from './mci.ts';
export * from './template.ts';
export * from './server.ts';
