import type { FastifyReply } from 'fastify';

const contentTypes = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

/**
 * Send a spreadsheet as a download: `asciiName` for clients that only read `filename`, `fileName`
 * (Chinese allowed, RFC 5987-encoded) for the rest. Never cached: files may hold personal data.
 */
export function sendDownload(
  reply: FastifyReply,
  file: { format: keyof typeof contentTypes; asciiName: string; fileName: string; body: Buffer },
) {
  return reply
    .header('content-type', contentTypes[file.format])
    .header(
      'content-disposition',
      `attachment; filename="${file.asciiName}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    )
    .header('cache-control', 'no-store')
    .send(file.body);
}
