#!/usr/bin/env node
// The `alrflow` executable: registers tsx so the TypeScript sources run without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
