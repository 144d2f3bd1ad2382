#!/usr/bin/env -S node --initial-old-space-size=512
// `mingde …` (npx mingde, or after npm link): runs src/main.ts through tsx's loader in this process.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
