import type { VethPair } from './veth-pair';

export interface TcpreplayResult {
  /** tcpreplay's own count of packets it sent, and their bytes. */
  packets: number;
  bytes: number;
  failed: number;
}

/**
 * Sends capture files out of the namespace end of `veth` with tcpreplay (files one after the
 * other), so they arrive on `veth.hostIf`; returns what tcpreplay says it sent.
 */
export function tcpreplay(
  veth: VethPair,
  files: string[],
  rate: { pps: number } | 'topspeed',
): TcpreplayResult {
  const speed = rate === 'topspeed' ? ['--topspeed'] : ['--pps', String(rate.pps)];
  const out = veth.exec('tcpreplay', ['-K', '-i', veth.peerIf, ...speed, ...files]);
  const actual = /Actual: (\d+) packets \((\d+) bytes\)/.exec(out);
  const failed = /Failed packets:\s+(\d+)/.exec(out);
  if (!actual || !failed) throw new Error(`cannot read tcpreplay's output: ${out}`);
  return { packets: Number(actual[1]), bytes: Number(actual[2]), failed: Number(failed[1]) };
}
