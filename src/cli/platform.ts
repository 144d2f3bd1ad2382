import { type Config, loadConfig } from '../config';
import { type Database, openDatabase } from '../db/client';
import { DataDirInUseError, runningEmbeddedUrl, startEmbeddedPostgres } from '../db/embedded';
import { assertUtf8, migrateDatabase } from '../db/migrate';

export interface Platform {
  config: Config;
  database: Database;
  /** True when this process started the embedded database (so it must stop it). */
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The database the configuration names: DATABASE_URL, or embedded PostgreSQL in the data
 * directory (started here, stopped by `stop`). Migrated and checked for UTF8 before it is returned.
 */
export async function openPlatform(
  log: (line: string) => void,
  config: Config = loadConfig(),
  options: { shareRunning?: boolean } = {},
): Promise<Platform> {
  let stopEmbedded = async () => {};
  let url = config.databaseUrl;
  if (!url) {
    try {
      const embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.pgPort || undefined,
        log,
      });
      url = embedded.url;
      stopEmbedded = () => embedded.stop();
    } catch (error) {
      // A CLI command while the service runs uses the service's database instead of refusing.
      const running =
        error instanceof DataDirInUseError && options.shareRunning
          ? runningEmbeddedUrl(config.dataDir)
          : null;
      if (!running) throw error;
      url = running;
    }
  }
  const database = openDatabase(url, { max: config.dbPool });
  try {
    await assertUtf8(database.db);
    await migrateDatabase(database);
  } catch (error) {
    await database.close();
    await stopEmbedded();
    throw error;
  }
  return {
    config: { ...config, databaseUrl: url },
    database,
    embedded: !config.databaseUrl,
    async stop() {
      await database.close();
      await stopEmbedded();
    },
  };
}
