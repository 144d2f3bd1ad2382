import type { Config } from '../config';
import { openDatabase } from '../db/client';
import type { AuditChainReport, BrokenReason } from '../domains/audit/verify';
import { verifyAuditChain } from '../domains/audit/verify';

const reasonText: Record<BrokenReason, string> = {
  hash_mismatch: '哈希不符，该条记录被修改 / hash mismatch: the event was edited',
  prev_hash_mismatch: '链接断开，与前一条的哈希不符 / broken link: prevHash differs from the previous event',
  gap: '序号缺失，记录被删除 / gap: an event was deleted',
  truncated: '链尾被截断或改写 / truncated: events were cut off the end (or rewritten)',
  head_mismatch: '链头表与记录不一致 / head mismatch: audit_heads disagrees with the events',
};

/** The report as lines a person reads: the verdict, then each district (first broken link only). */
export function formatAuditReport(report: AuditChainReport, headFile: string | null): string[] {
  const total = report.districts.reduce((n, d) => n + d.events, 0);
  const lines = [
    report.ok
      ? `审计链完整 / audit chain intact: ${report.districts.length} 个区县 / districts, ${total} 条事件 / events`
      : '审计链已损坏 / audit chain BROKEN',
  ];
  for (const d of report.districts) {
    if (d.ok || !d.firstBroken) {
      lines.push(`  ✓ ${d.districtId}  ${d.events} 条事件 / events`);
    } else {
      const b = d.firstBroken;
      lines.push(`  ✗ ${d.districtId}  第 ${b.seq} 条 / seq ${b.seq}: ${reasonText[b.reason]}`);
      lines.push(`      ${b.detail}`);
    }
  }
  if (report.headFile === 'checked') {
    lines.push(`链头文件已核对 / head file checked: ${headFile}`);
  } else if (report.headFile === 'missing') {
    lines.push(
      `注意：未找到链头文件 ${headFile}，无法发现链尾被截断 / warning: no head file at ${headFile}; rows cut off the end cannot be detected`,
    );
  } else if (report.headFile === 'unreadable') {
    lines.push(`链头文件无法读取 / head file unreadable: ${headFile} (${report.headFileError ?? ''})`);
  } else {
    lines.push('未配置链头文件 / no head file configured');
  }
  return lines;
}

/** `mingde audit verify`: 0 when every chain is intact, 1 otherwise. The database must be running. */
export async function runAuditVerify(
  config: Config,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  if (!config.databaseUrl) throw new Error('runAuditVerify needs config.databaseUrl');
  const database = openDatabase(config.databaseUrl, { max: 2 });
  try {
    const headFile = config.auditHeadFile || null;
    const report = await verifyAuditChain(database.db, headFile);
    for (const line of formatAuditReport(report, headFile)) print(line);
    return report.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
