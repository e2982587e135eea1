// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DIRECTION =
  'Dependencies point one way: core ← db ← server; cli and web use core types and client only.';

/** Imports a layer may not make: dependencies point one way, core ← db ← server. */
const forbid = (...packages) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: packages.map((p) => ({
        group: [p, `${p}/*`],
        message: DIRECTION,
      })),
    },
  ],
});

/**
 * The dashboard runs in a browser and talks to the API only through `@mci/client`: it may import
 * `@mci/core` types but no code of it, and nothing of db, server or Node.
 */
const webImports = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['@mci/*', '!@mci/client', '!@mci/core'], message: DIRECTION },
        {
          group: ['@mci/core', '@mci/core/*'],
          allowTypeImports: true,
          message: 'The dashboard imports types only from @mci/core (rules are the API’s to apply)',
        },
        {
          group: ['node:*', ...builtinModules, 'fastify', 'fastify/*', 'drizzle-orm', 'drizzle-orm/*', 'pg'],
          message: 'The dashboard runs in a browser: no Node built-ins or server libraries.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'data/**', '.cache/**', 'packages/client/src/schema.d.ts', '**/dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['packages/core/src/**'],
    rules: forbid(
      '@mci/db',
      '@mci/server',
      '@mci/client',
      'fastify',
      'drizzle-orm',
      'pg',
      '@electric-sql/*',
      'node:fs',
      'node:net',
    ),
  },
  { files: ['packages/db/src/**'], rules: forbid('@mci/server', '@mci/client', 'fastify') },
  { files: ['packages/client/src/**'], rules: forbid('@mci/db', '@mci/server') },
  { files: ['packages/web/src/**'], rules: webImports },
  {
    files: ['packages/cli/src/**', 'packages/cli/bin/**'],
    rules: forbid('@mci/db', '@mci/server', 'fastify', 'drizzle-orm'),
  },
);
