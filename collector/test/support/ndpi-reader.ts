import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export type ProtocolTotals = Record<string, { packets: number; bytes: number; flows: number }>;

/** ndpiReader's "Detected protocols" table for a capture (Debian libndpi-bin, the same nDPI as the addon). */
export async function ndpiReaderTotals(file: string): Promise<ProtocolTotals> {
  const { stdout } = await promisify(execFile)('ndpiReader', ['-i', file, '-v', '0'], { maxBuffer: 1 << 26 });
  const totals: ProtocolTotals = {};
  const section = stdout.split('Detected protocols:')[1] ?? '';
  for (const line of section.split('\n')) {
    const m = /^\s+(\S+)\s+packets:\s+(\d+)\s+bytes:\s+(\d+)\s+flows:\s+(\d+)/.exec(line);
    if (m) totals[m[1]] = { packets: Number(m[2]), bytes: Number(m[3]), flows: Number(m[4]) };
    else if (line.trim() !== '' && Object.keys(totals).length > 0) break;
  }
  if (Object.keys(totals).length === 0)
    throw new Error(`ndpiReader printed no Detected protocols table for ${file}`);
  return totals;
}
