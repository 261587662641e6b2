/**
 * What tshark says of a capture file, computed at test time so tests compare the collector
 * with an independent decoder (STYLE.md rule 8). Runs `tshark` with argument arrays (no shell).
 *
 * Host and address figures count only the OUTERMOST IP header of each frame: tshark also
 * decodes tunnels (GRE, IPIP, 6in4) and the packet quoted inside ICMP errors, which gives
 * several `ip.src` values per frame, while the collector accounts a frame to the hosts of its
 * outer header. We take fields with `-E occurrence=f` (first occurrence = outermost) and pick
 * IPv4 or IPv6 by which comes first in `frame.protocols`. Fragments are not reassembled
 * (`-o ip.defragment:FALSE`, `-o ipv6.defragment:FALSE`) so every frame stands on its own.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TsharkTotals {
  packets: number;
  /** Sum of `frame.len` (wire length, not captured length). */
  bytes: number;
}

export interface HostTraffic {
  bytesSent: number;
  bytesRcvd: number;
  packetsSent: number;
  packetsRcvd: number;
}

export interface TsharkFrame {
  number: number;
  /** `frame.len` */
  length: number;
  /** `frame.cap_len` */
  capturedLength: number;
  /**
   * `frame.interface_id`. Caveat: tshark 4.0 reports the section-local IDB index for files with
   * several sections (and takes the name from the first section's IDB of that index).
   */
  interfaceId: number;
  /** `if_name` of the frame's interface, or '' when the file has none (classic pcap). */
  interfaceName: string;
  /** Outermost IP source / destination in tshark's text form; '' for non-IP frames or when cut off. */
  src: string;
  dst: string;
  ipVersion: 4 | 6 | undefined;
  protocols: string;
}

const DEFAULT_PREFS = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE'];

async function runTshark(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('tshark', args, { maxBuffer: 1 << 30, encoding: 'utf8' });
    return stdout;
  } catch (err) {
    throw new Error(`tshark ${args.join(' ')} failed`, { cause: err });
  }
}

/** True when a `tshark` binary answers `-v`. */
export async function tsharkAvailable(): Promise<boolean> {
  try {
    await execFileAsync('tshark', ['-v']);
    return true;
  } catch {
    return false;
  }
}

/** One row per frame with the fields the other helpers need. */
export async function tsharkFrames(file: string): Promise<TsharkFrame[]> {
  const fields = [
    'frame.number',
    'frame.len',
    'frame.cap_len',
    'frame.interface_id',
    'frame.interface_name',
    'frame.protocols',
    'ip.src',
    'ip.dst',
    'ipv6.src',
    'ipv6.dst',
  ];
  const out = await runTshark([
    '-r',
    file,
    ...DEFAULT_PREFS,
    '-T',
    'fields',
    '-E',
    'separator=\t',
    '-E',
    'occurrence=f',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  const frames: TsharkFrame[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [num, len, capLen, ifId, ifName, protocols, ip4src, ip4dst, ip6src, ip6dst] = line.split('\t');
    const layers = protocols.split(':');
    const v4At = layers.indexOf('ip');
    const v6At = layers.indexOf('ipv6');
    let ipVersion: 4 | 6 | undefined;
    if (v4At >= 0 && (v6At < 0 || v4At < v6At) && ip4src) ipVersion = 4;
    else if (v6At >= 0 && ip6src) ipVersion = 6;
    frames.push({
      number: Number(num),
      length: Number(len),
      capturedLength: Number(capLen),
      interfaceId: ifId === '' ? 0 : Number(ifId),
      interfaceName: ifName ?? '',
      src: ipVersion === 4 ? ip4src : ipVersion === 6 ? ip6src : '',
      dst: ipVersion === 4 ? ip4dst : ipVersion === 6 ? ip6dst : '',
      ipVersion,
      protocols,
    });
  }
  return frames;
}

/** Frame count and the sum of `frame.len` over every frame, IP or not. */
export async function tsharkTotals(file: string): Promise<TsharkTotals> {
  const out = await runTshark(['-r', file, '-T', 'fields', '-e', 'frame.len']);
  let packets = 0;
  let bytes = 0;
  for (const line of out.split('\n')) {
    if (line === '') continue;
    packets++;
    bytes += Number(line);
  }
  return { packets, bytes };
}

/**
 * Totals per interface, keyed by `if_name` when the file names its interfaces (pcapng), else
 * by `if<id>`. Interfaces of several pcapng sections with the same name add up under one key.
 */
export async function tsharkPerInterface(file: string): Promise<Record<string, TsharkTotals>> {
  const result: Record<string, TsharkTotals> = {};
  for (const f of await tsharkFrames(file)) {
    const key = f.interfaceName !== '' ? f.interfaceName : `if${f.interfaceId}`;
    const t = (result[key] ??= { packets: 0, bytes: 0 });
    t.packets++;
    t.bytes += f.length;
  }
  return result;
}

/** Canonical text of an IP address as tshark prints it (RFC 5952 for IPv6). */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/**
 * Traffic of `ip` by the outermost IP header: sent when it is the source, received when it is
 * the destination (both, for a packet to itself), bytes being `frame.len`.
 */
export async function tsharkHostBytes(file: string, ip: string): Promise<HostTraffic> {
  const host = canonicalIp(ip);
  const t: HostTraffic = { bytesSent: 0, bytesRcvd: 0, packetsSent: 0, packetsRcvd: 0 };
  for (const f of await tsharkFrames(file)) {
    if (f.ipVersion === undefined) continue;
    if (canonicalIp(f.src) === host) {
      t.bytesSent += f.length;
      t.packetsSent++;
    }
    if (canonicalIp(f.dst) === host) {
      t.bytesRcvd += f.length;
      t.packetsRcvd++;
    }
  }
  return t;
}

/** Distinct outermost IPv4/IPv6 source and destination addresses, sorted. */
export async function tsharkIpAddresses(file: string): Promise<string[]> {
  const seen = new Set<string>();
  for (const f of await tsharkFrames(file)) {
    if (f.src !== '') seen.add(canonicalIp(f.src));
    if (f.dst !== '') seen.add(canonicalIp(f.dst));
  }
  return [...seen].sort();
}

/** Frame numbers (1-based) matching a display filter. */
export async function tsharkFramesMatching(
  file: string,
  displayFilter: string,
  prefs: string[] = [],
): Promise<number[]> {
  const out = await runTshark([
    '-r',
    file,
    ...prefs.flatMap((p) => ['-o', p]),
    '-Y',
    displayFilter,
    '-T',
    'fields',
    '-e',
    'frame.number',
  ]);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

/** Preferences that make tshark verify IPv4, TCP, UDP and SCTP checksums (ICMP's are always checked). */
export const CHECKSUM_PREFS = [
  'ip.check_checksum:TRUE',
  'tcp.check_checksum:TRUE',
  'udp.check_checksum:TRUE',
  'sctp.checksum:CRC 32c',
];

/** Frames tshark reports as malformed or with an error-severity expert item (bad checksums with CHECKSUM_PREFS). */
export async function tsharkBadFrames(file: string, prefs: string[] = CHECKSUM_PREFS): Promise<number[]> {
  return tsharkFramesMatching(file, '_ws.malformed || _ws.expert.severity == error', prefs);
}

/** Frames per step of `stepSeconds` by `frame.time_epoch`, keyed by the step's end in epoch ms (as the collector stamps points). */
export async function tsharkPacketsPerStep(
  file: string,
  stepSeconds: number,
): Promise<Record<string, number>> {
  const out = await runTshark(['-r', file, '-T', 'fields', '-e', 'frame.time_epoch']);
  const steps: Record<string, number> = {};
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const endMs = (Math.floor(Number(line) / stepSeconds) + 1) * stepSeconds * 1000;
    steps[endMs] = (steps[endMs] ?? 0) + 1;
  }
  return steps;
}
