/** Running totals of one interface since the capture started. */
export interface InterfaceCounters {
  packets: number;
  bytes: number;
  /** Packets the kernel (or the interface) dropped before we could count them. */
  drops: number;
  malformed: number;
  notIp: number;
}

/** Running totals of a capture, what `/metrics`, `/api/health` and the exit summary read. */
export interface CaptureCounters {
  interfaces: Record<string, InterfaceCounters>;
  flowsCreated: number;
  flowsEvicted: number;
  flowsActive: number;
  /** Packets of local hosts not tracked because `--max-hosts` was reached. */
  hostsDropped: number;
  hostsActive: number;
}

export function emptyCounters(): CaptureCounters {
  return {
    interfaces: {},
    flowsCreated: 0,
    flowsEvicted: 0,
    flowsActive: 0,
    hostsDropped: 0,
    hostsActive: 0,
  };
}

/** The totals of several workers (one interface spread over several, or several interfaces). */
export function sumCounters(parts: CaptureCounters[]): CaptureCounters {
  const total = emptyCounters();
  for (const p of parts) {
    for (const [name, c] of Object.entries(p.interfaces)) {
      const t = (total.interfaces[name] ??= { packets: 0, bytes: 0, drops: 0, malformed: 0, notIp: 0 });
      t.packets += c.packets;
      t.bytes += c.bytes;
      t.drops += c.drops;
      t.malformed += c.malformed;
      t.notIp += c.notIp;
    }
    total.flowsCreated += p.flowsCreated;
    total.flowsEvicted += p.flowsEvicted;
    total.flowsActive += p.flowsActive;
    total.hostsDropped += p.hostsDropped;
    total.hostsActive += p.hostsActive;
  }
  return total;
}

/** Drops of every interface together. */
export function totalDrops(c: CaptureCounters): number {
  let drops = 0;
  for (const i of Object.values(c.interfaces)) drops += i.drops;
  return drops;
}
