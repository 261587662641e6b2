import type { HostProtocolStep, StepSnapshot } from './step-snapshot';

const OTHER = 'Other';

function sumInto<T>(rows: Map<string, T>, key: string, row: T, add: (into: T, row: T) => void): void {
  const existing = rows.get(key);
  if (existing) add(existing, row);
  else rows.set(key, { ...row });
}

/** Keeps each host's busiest protocols and sums the rest into `Other`, as one worker does. */
function capPerHost(rows: HostProtocolStep[], maxProtocolsPerHost: number): HostProtocolStep[] {
  const byHost = new Map<string, HostProtocolStep[]>();
  for (const r of rows) {
    const key = `${r.ifname}\0${r.host}`;
    const list = byHost.get(key);
    if (list) list.push(r);
    else byHost.set(key, [r]);
  }
  const out: HostProtocolStep[] = [];
  for (const list of byHost.values()) {
    const other = list.find((r) => r.proto === OTHER && r.category === OTHER);
    const named = list.filter((r) => r !== other);
    if (named.length + (other ? 1 : 0) <= maxProtocolsPerHost) {
      out.push(...list);
      continue;
    }
    named.sort((a, b) => b.bytesSent + b.bytesRcvd - (a.bytesSent + a.bytesRcvd));
    const keep = named.slice(0, maxProtocolsPerHost - 1);
    const folded = {
      ...(other ?? { ...named[0], proto: OTHER, category: OTHER, bytesSent: 0, bytesRcvd: 0 }),
    };
    for (const r of named.slice(maxProtocolsPerHost - 1)) {
      folded.bytesSent += r.bytesSent;
      folded.bytesRcvd += r.bytesRcvd;
    }
    out.push(...keep, folded);
  }
  return out;
}

/** One snapshot of the same step from several workers: rows of the same series are summed. */
export function mergeSnapshots(parts: StepSnapshot[], maxProtocolsPerHost: number): StepSnapshot {
  if (parts.length === 1) return parts[0];
  const interfaces = new Map<string, StepSnapshot['interfaces'][number]>();
  const hosts = new Map<string, StepSnapshot['hosts'][number]>();
  const protocols = new Map<string, StepSnapshot['protocols'][number]>();
  const hostProtocols = new Map<string, HostProtocolStep>();
  // One heartbeat per step however many workers ran it; their counts add up (a host whose
  // flows hash to two workers is tracked, and counted, by both).
  const probe = { drops: 0, flows: 0, hosts: 0 };
  for (const p of parts) {
    probe.drops += p.probe.drops;
    probe.flows += p.probe.flows;
    probe.hosts += p.probe.hosts;
    for (const r of p.interfaces)
      sumInto(interfaces, r.ifname, r, (a, b) => {
        a.bytes += b.bytes;
        a.packets += b.packets;
        a.drops += b.drops;
      });
    for (const r of p.hosts)
      sumInto(hosts, `${r.ifname}\0${r.host}`, r, (a, b) => {
        a.bytesSent += b.bytesSent;
        a.bytesRcvd += b.bytesRcvd;
        a.packetsSent += b.packetsSent;
        a.packetsRcvd += b.packetsRcvd;
      });
    for (const r of p.protocols)
      sumInto(protocols, `${r.ifname}\0${r.proto}\0${r.category}`, r, (a, b) => {
        a.bytes += b.bytes;
        a.packets += b.packets;
        a.flows += b.flows;
      });
    for (const r of p.hostProtocols)
      sumInto(hostProtocols, `${r.ifname}\0${r.host}\0${r.proto}\0${r.category}`, r, (a, b) => {
        a.bytesSent += b.bytesSent;
        a.bytesRcvd += b.bytesRcvd;
      });
  }
  return {
    endMs: parts[0].endMs,
    interfaces: [...interfaces.values()],
    hosts: [...hosts.values()],
    protocols: [...protocols.values()],
    hostProtocols: capPerHost([...hostProtocols.values()], maxProtocolsPerHost),
    probe,
  };
}

/**
 * Joins the steps of several workers that share one step grid. Each worker reports its steps
 * with a watermark: every step it will ever emit ends after it. A step is complete, merged and
 * handed on once every worker's watermark has passed its end, so series stay one per
 * interface, host and protocol however many workers counted them.
 */
export class StepMerger {
  private readonly watermarksMs: number[];
  private readonly pending = new Map<number, StepSnapshot[]>();

  constructor(
    workers: number,
    private readonly maxProtocolsPerHost: number,
    private readonly onStep: (snapshot: StepSnapshot) => void,
  ) {
    this.watermarksMs = new Array<number>(workers).fill(-Infinity);
  }

  /** Worker `worker`'s new steps; `watermarkMs` is Infinity once it has stopped. */
  report(worker: number, steps: StepSnapshot[], watermarkMs: number): void {
    for (const s of steps) {
      const list = this.pending.get(s.endMs);
      if (list) list.push(s);
      else this.pending.set(s.endMs, [s]);
    }
    this.watermarksMs[worker] = Math.max(this.watermarksMs[worker], watermarkMs);
    const complete = Math.min(...this.watermarksMs);
    const ready = [...this.pending.keys()].filter((endMs) => endMs <= complete).sort((a, b) => a - b);
    for (const endMs of ready) {
      const parts = this.pending.get(endMs)!;
      this.pending.delete(endMs);
      this.onStep(mergeSnapshots(parts, this.maxProtocolsPerHost));
    }
  }
}
