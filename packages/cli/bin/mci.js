#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, like `npm start` does for the server.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
