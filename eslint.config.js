// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports a layer may not make: dependencies point one way, core ← db ← server. */
const forbid = (...packages) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: packages.map((p) => ({
        group: [p, `${p}/*`],
        message:
          'Dependencies point one way: core ← db ← server; cli and web use core types and client only.',
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'data/**', 'packages/client/src/schema.d.ts', '**/dist/**'] },
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
  {
    files: ['packages/cli/src/**', 'packages/cli/bin/**'],
    rules: forbid('@mci/db', '@mci/server', 'fastify', 'drizzle-orm'),
  },
);
