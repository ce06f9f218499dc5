#!/usr/bin/env node
// Launcher: registers the tsx ESM loader, then runs the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
