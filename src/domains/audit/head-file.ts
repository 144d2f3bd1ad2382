import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The head file: the latest (seq, hash) of each district's chain, kept outside the database, so
 * rows cut off the end of a chain (together with a rewritten audit_heads row) are still detected.
 * Format: { "<districtId>": { "seq": n, "hash": "<64 hex>" } }.
 */
export type HeadFileContent = Record<string, { seq: number; hash: string }>;

export type HeadFileRead =
  | { status: 'ok'; heads: HeadFileContent }
  | { status: 'missing' }
  | { status: 'unreadable'; error: string };

const contentSchema = z.record(
  z.string(),
  z.object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
);

export function readHeadFile(file: string): HeadFileRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'unreadable', error: (error as Error).message };
  }
  try {
    const parsed = contentSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return { status: 'unreadable', error: 'not a head file (wrong shape)' };
    return { status: 'ok', heads: parsed.data };
  } catch {
    return { status: 'unreadable', error: 'not valid JSON' };
  }
}

/**
 * Write the whole file atomically (temporary file in the same folder, fsync, rename), mode 0600.
 * Asynchronous: the fsync runs off the event loop, which serves requests meanwhile.
 */
export async function writeHeadFile(file: string, heads: HeadFileContent): Promise<void> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const sorted: HeadFileContent = {};
  for (const id of Object.keys(heads).sort()) {
    const head = heads[id];
    if (head) sorted[id] = { seq: head.seq, hash: head.hash };
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.promises.open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(sorted, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.chmod(tmp, 0o600);
    await fs.promises.rename(tmp, file);
  } catch (error) {
    await fs.promises.rm(tmp, { force: true });
    throw error;
  }
}
