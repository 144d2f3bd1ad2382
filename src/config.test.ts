import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configTable, loadConfig } from './config';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, '/srv/mingde');
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeNull();
    expect(c.dataDir).toBe('/srv/mingde/data');
    expect(c.auditHeadFile).toBe('/srv/mingde/data/audit-head.json');
    expect(c.dataKeyFile).toBe('/srv/mingde/data/data-key');
    expect(c.lockoutThreshold).toBe(5);
    expect(c.dbPool).toBe(8);
    expect(c.lang).toBe('zh-CN');
  });

  it('takes a pool size of at least one connection', () => {
    expect(loadConfig({ MINGDE_DB_POOL: '32' }).dbPool).toBe(32);
    expect(() => loadConfig({ MINGDE_DB_POOL: '0' })).toThrow(/MINGDE_DB_POOL/);
  });

  it('names every bad variable, in Chinese and English', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('配置无效 / invalid configuration');
      expect(message).toContain('PORT:');
      expect(message).toContain('DATABASE_URL: must start with postgres://');
    }
  });

  it('is documented in the README, variable by variable', () => {
    // Compare cells, not text: a formatter may re-align the README's table.
    const cells = (table: string) =>
      table
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) =>
          line
            .split('|')
            .slice(1, -1)
            .map((c) => c.trim()),
        );
    const readme = fs
      .readFileSync(new URL('../README.md', import.meta.url), 'utf8')
      .split('<!-- config-table:start -->')[1]
      ?.split('<!-- config-table:end -->')[0];
    const expected = cells(configTable());
    expect(expected).toHaveLength(18);
    expect(cells(readme ?? '')).toEqual(expected);
  });
});
