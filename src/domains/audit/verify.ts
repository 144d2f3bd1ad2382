import type { Db, DbOrTx } from '../../db/client';
import { GENESIS_HASH, hashEvent } from './chain';
import { type HeadFileContent, readHeadFile } from './head-file';
import { type ChainHead, chainDistrictIds, chainPage, listHeads } from './repository';

export type BrokenReason = 'hash_mismatch' | 'prev_hash_mismatch' | 'gap' | 'truncated' | 'head_mismatch';

export interface BrokenLink {
  /** The first seq at which the chain stops being what was written. */
  seq: number;
  reason: BrokenReason;
  detail: string;
}

export interface DistrictChainReport {
  districtId: string;
  /** Events found in the chain. */
  events: number;
  ok: boolean;
  firstBroken?: BrokenLink;
}

export interface AuditChainReport {
  ok: boolean;
  /**
   * checked: the head file was compared; missing: there is none (nothing to compare, so cut-off
   * rows at the very end would go unnoticed); unreadable: it exists but cannot be read (counts as
   * broken); disabled: no head file configured.
   */
  headFile: 'checked' | 'missing' | 'unreadable' | 'disabled';
  headFileError?: string;
  districts: DistrictChainReport[];
}

const PAGE_SIZE = 5000;
const short = (hash: string | null | undefined) => (hash ? `${hash.slice(0, 12)}…` : 'none');

/**
 * Walk one chain from seq 1 in pages, checking continuity, links and hashes; then the district's
 * audit_heads row and the head file's anchor. Reports the first broken link only.
 */
async function verifyDistrict(
  db: DbOrTx,
  districtId: string,
  head: ChainHead | undefined,
  anchor: { seq: number; hash: string } | undefined,
): Promise<DistrictChainReport> {
  let events = 0;
  let broken: BrokenLink | undefined;
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  const breakAt = (seq: number, reason: BrokenReason, detail: string) => {
    broken ??= { seq, reason, detail };
  };

  for (;;) {
    const page = await chainPage(db, districtId, lastSeq, PAGE_SIZE);
    for (const row of page) {
      events++;
      if (!broken) {
        const expected = lastSeq + 1;
        if (row.seq !== expected) {
          breakAt(expected, 'gap', `seq ${expected} missing; the next event is seq ${row.seq}`);
        } else if (row.prevHash !== lastHash) {
          breakAt(
            row.seq,
            'prev_hash_mismatch',
            `prevHash ${short(row.prevHash)}, previous hash ${short(lastHash)}`,
          );
        } else {
          const recomputed = hashEvent(row);
          if (recomputed !== row.hash) {
            breakAt(row.seq, 'hash_mismatch', `stored ${short(row.hash)}, recomputed ${short(recomputed)}`);
          } else if (anchor && anchor.seq === row.seq && anchor.hash !== row.hash) {
            breakAt(
              row.seq,
              'truncated',
              `head file has ${short(anchor.hash)} at seq ${row.seq}, the chain has ${short(row.hash)}: rows were cut off and rewritten`,
            );
          }
        }
      }
      lastSeq = row.seq;
      lastHash = row.hash;
    }
    if (page.length < PAGE_SIZE) break;
  }

  if (!broken && anchor && anchor.seq > lastSeq) {
    breakAt(
      lastSeq + 1,
      'truncated',
      `head file records seq ${anchor.seq}, the chain ends at seq ${lastSeq}`,
    );
  }
  if (!broken && events > 0 && !head) {
    breakAt(lastSeq, 'head_mismatch', 'audit_heads has no row for this chain');
  }
  if (!broken && head) {
    if (head.seq > lastSeq) {
      breakAt(
        lastSeq + 1,
        'truncated',
        `audit_heads records seq ${head.seq}, the chain ends at seq ${lastSeq}`,
      );
    } else if (head.seq < lastSeq) {
      breakAt(
        head.seq + 1,
        'head_mismatch',
        `audit_heads records seq ${head.seq}, the chain goes on to seq ${lastSeq}`,
      );
    } else if (head.hash !== lastHash) {
      breakAt(
        lastSeq,
        'head_mismatch',
        `audit_heads has ${short(head.hash)}, the last event ${short(lastHash)}`,
      );
    }
  }
  return broken ? { districtId, events, ok: false, firstBroken: broken } : { districtId, events, ok: true };
}

/**
 * Verify every district's chain (or only `options.districtIds`) against itself, audit_heads and
 * the head file. The head file is read first, then the database is read in one repeatable-read
 * snapshot, so events committed meanwhile are never mistaken for damage.
 */
export async function verifyAuditChain(
  db: Db,
  headFile: string | null,
  options: { districtIds?: string[] } = {},
): Promise<AuditChainReport> {
  const file = headFile ? readHeadFile(headFile) : null;
  const anchors: HeadFileContent = file?.status === 'ok' ? file.heads : {};
  const only = options.districtIds ? new Set(options.districtIds) : null;

  return db.transaction(
    async (tx) => {
      const ids = new Set([...(await chainDistrictIds(tx)), ...Object.keys(anchors)]);
      const wanted = [...ids].filter((id) => !only || only.has(id)).sort();
      const heads = new Map((await listHeads(tx, wanted)).map((h) => [h.districtId, h]));
      const districts: DistrictChainReport[] = [];
      for (const districtId of wanted) {
        districts.push(await verifyDistrict(tx, districtId, heads.get(districtId), anchors[districtId]));
      }
      const report: AuditChainReport = {
        ok: districts.every((d) => d.ok) && file?.status !== 'unreadable',
        headFile: file === null ? 'disabled' : file.status === 'ok' ? 'checked' : file.status,
        districts,
      };
      if (file?.status === 'unreadable') report.headFileError = file.error;
      return report;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
