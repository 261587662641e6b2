/**
 * Hand-made traffic for the API tests: per-step deltas of the DESIGN.md schema, written as
 * line protocol, and the plain sums the tests compare the API's answers with.
 */
export const STEP_MS = 5_000;
/** A whole minute, so 60 s buckets start exactly here. */
export const T0 = 1_699_999_980_000;
export const STEPS = 24;

export interface Point {
  measurement: 'interface' | 'interface_l7' | 'host' | 'host_l7';
  tags: Record<string, string>;
  fields: Record<string, number>;
  timeMs: number;
}

/** eth0/p1 bytes of step k (1-based) split over protocols: shares in per-mille. */
export const ETH0_PROTOCOLS: { proto: string; category: string; perMille: number }[] = [
  { proto: 'TLS', category: 'Web', perMille: 400 },
  { proto: 'YouTube', category: 'Media', perMille: 300 },
  { proto: 'DNS', category: 'Network', perMille: 100 },
  { proto: 'HTTP_Proxy', category: 'Web', perMille: 100 },
  { proto: 'QUIC', category: 'Web', perMille: 50 },
  { proto: 'NTP', category: 'System', perMille: 50 },
];

export const EVIL_IF = `ev'il";DROP\\x`;

/** Step k ends at T0 + k × 5 s. */
export function points(): Point[] {
  const out: Point[] = [];
  for (let k = 1; k <= STEPS; k++) {
    const timeMs = T0 + k * STEP_MS;
    const p1Bytes = 1000 * k;
    out.push({
      measurement: 'interface',
      tags: { probe: 'p1', ifname: 'eth0' },
      fields: { bytes: p1Bytes, packets: 10 * k, drops: 0 },
      timeMs,
    });
    for (const { proto, category, perMille } of ETH0_PROTOCOLS) {
      out.push({
        measurement: 'interface_l7',
        tags: { probe: 'p1', ifname: 'eth0', proto, category },
        fields: { bytes: (p1Bytes * perMille) / 1000, packets: k, flows: 1 },
        timeMs,
      });
    }
    if (k % 2 === 0) {
      out.push({
        measurement: 'interface',
        tags: { probe: 'p2', ifname: 'eth0' },
        fields: { bytes: 500, packets: 5, drops: 1 },
        timeMs,
      });
      out.push({
        measurement: 'interface_l7',
        tags: { probe: 'p2', ifname: 'eth0', proto: 'TLS', category: 'Web' },
        fields: { bytes: 500, packets: 5, flows: 1 },
        timeMs,
      });
      out.push({
        measurement: 'host',
        tags: { probe: 'p1', ifname: 'eth0', host: 'fd00::1' },
        fields: { bytes_sent: 7, bytes_rcvd: 3, packets_sent: 1, packets_rcvd: 1 },
        timeMs,
      });
    }
    out.push({
      measurement: 'host',
      tags: { probe: 'p1', ifname: 'eth0', host: '10.0.0.5' },
      fields: { bytes_sent: 100 * k, bytes_rcvd: 200 * k, packets_sent: 1, packets_rcvd: 2 },
      timeMs,
    });
    out.push({
      measurement: 'host',
      tags: { probe: 'p1', ifname: 'eth0', host: '10.0.0.6' },
      fields: { bytes_sent: 50, bytes_rcvd: 10, packets_sent: 1, packets_rcvd: 1 },
      timeMs,
    });
    out.push({
      measurement: 'host_l7',
      tags: { probe: 'p1', ifname: 'eth0', host: '10.0.0.5', proto: 'TLS', category: 'Web' },
      fields: { bytes_sent: 60 * k, bytes_rcvd: 120 * k },
      timeMs,
    });
    out.push({
      measurement: 'host_l7',
      tags: { probe: 'p1', ifname: 'eth0', host: '10.0.0.5', proto: 'YouTube', category: 'Media' },
      fields: { bytes_sent: 40 * k, bytes_rcvd: 80 * k },
      timeMs,
    });
    out.push({
      measurement: 'interface',
      tags: { probe: 'p1', ifname: 'br_lan' },
      fields: { bytes: 123, packets: 1, drops: 0 },
      timeMs,
    });
    out.push({
      measurement: 'interface_l7',
      tags: { probe: 'p1', ifname: 'br_lan', proto: 'SSH', category: 'RemoteAccess' },
      fields: { bytes: 123, packets: 1, flows: 1 },
      timeMs,
    });
    out.push({
      measurement: 'host',
      tags: { probe: 'p1', ifname: 'br_lan', host: '192.168.1.10' },
      fields: { bytes_sent: 23, bytes_rcvd: 100, packets_sent: 1, packets_rcvd: 1 },
      timeMs,
    });
    out.push({
      measurement: 'interface',
      tags: { probe: 'p1', ifname: EVIL_IF },
      fields: { bytes: 7, packets: 1, drops: 0 },
      timeMs,
    });
  }
  return out;
}

function escapeTag(text: string): string {
  return text.replace(/[, =]/g, (c) => `\\${c}`);
}

export function toLineProtocol(list: Point[]): string {
  return list
    .map((p) => {
      const tags = Object.entries(p.tags)
        .map(([k, v]) => `${k}=${escapeTag(v)}`)
        .join(',');
      const fields = Object.entries(p.fields)
        .map(([k, v]) => `${k}=${v}i`)
        .join(',');
      return `${p.measurement},${tags} ${fields} ${p.timeMs}`;
    })
    .join('\n');
}

export async function writePoints(url: string, db: string, list: Point[]): Promise<void> {
  const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
    method: 'POST',
    body: toLineProtocol(list),
  });
  if (res.status !== 204) throw new Error(`write failed: ${res.status} ${await res.text()}`);
}

/**
 * Sum of `fields` over the points matching `match` whose step ends in (fromMs, toMs], i.e.
 * the traffic that happened in [fromMs, toMs).
 */
export function sumOf(
  list: Point[],
  measurement: Point['measurement'],
  match: Record<string, string>,
  fields: string[],
  fromMs: number,
  toMs: number,
): number {
  let sum = 0;
  for (const p of list) {
    if (p.measurement !== measurement || p.timeMs <= fromMs || p.timeMs > toMs) continue;
    if (!Object.entries(match).every(([k, v]) => p.tags[k] === v)) continue;
    for (const f of fields) sum += p.fields[f] ?? 0;
  }
  return sum;
}
