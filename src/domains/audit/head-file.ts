import fs from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../../atomic-file';

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

/** Write the whole file atomically, mode 0600, off the event loop (see writeFileAtomic). */
export async function writeHeadFile(file: string, heads: HeadFileContent): Promise<void> {
  const sorted: HeadFileContent = {};
  for (const id of Object.keys(heads).sort()) {
    const head = heads[id];
    if (head) sorted[id] = { seq: head.seq, hash: head.hash };
  }
  await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
}
