import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from './node-flags';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('server node flags', () => {
  it('are the ones this list names', () => {
    expect(SERVER_NODE_FLAGS).toEqual(['--initial-old-space-size=512']);
  });

  it.each(['start', 'mingde'])('npm run %s passes them to node', (script) => {
    expect(pkg.scripts[script]).toMatch(/^node /);
    const args = pkg.scripts[script]?.split(/\s+/) ?? [];
    for (const flag of SERVER_NODE_FLAGS) expect(args).toContain(flag);
  });

  it('bin/mingde.mjs passes them to node', () => {
    const shebang = fs.readFileSync(path.join(root, 'bin/mingde.mjs'), 'utf8').split('\n')[0] ?? '';
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    for (const flag of SERVER_NODE_FLAGS) expect(shebang.split(/\s+/)).toContain(flag);
  });
});
