import type { HostProtocolStep, ProtocolStep } from './step-snapshot';

interface ProtocolCounter {
  ifIndex: number;
  proto: number;
  category: number;
  bytes: number;
  packets: number;
  flows: number;
}

interface HostProtocolCounter {
  hostSlot: number;
  proto: number;
  category: number;
  bytesSent: number;
  bytesRcvd: number;
}

/** Names the numeric ids at snapshot time. */
export interface L7Names {
  ifname(ifIndex: number): string;
  host(hostSlot: number): { ifname: string; host: string };
  protocol(id: number): string;
  category(id: number): string;
}

const OTHER = 'Other';

/**
 * Per-step application-protocol counters, fed once per flow and step (not per packet), so
 * plain maps keyed by packed numbers are cheap enough here.
 */
export class L7Counters {
  private protocols = new Map<number, ProtocolCounter>();
  private hostProtocols = new Map<number, HostProtocolCounter>();

  constructor(private readonly maxProtocolsPerHost: number) {}

  addFlow(
    ifIndex: number,
    proto: number,
    category: number,
    bytes: number,
    packets: number,
    newFlow: boolean,
  ): void {
    const key = ifIndex * 2 ** 32 + (proto + 2) * 2 ** 16 + category;
    let c = this.protocols.get(key);
    if (!c) {
      c = { ifIndex, proto, category, bytes: 0, packets: 0, flows: 0 };
      this.protocols.set(key, c);
    }
    c.bytes += bytes;
    c.packets += packets;
    if (newFlow) c.flows++;
  }

  addHost(hostSlot: number, proto: number, category: number, bytesSent: number, bytesRcvd: number): void {
    const key = hostSlot * 2 ** 32 + (proto + 2) * 2 ** 16 + category;
    let c = this.hostProtocols.get(key);
    if (!c) {
      c = { hostSlot, proto, category, bytesSent: 0, bytesRcvd: 0 };
      this.hostProtocols.set(key, c);
    }
    c.bytesSent += bytesSent;
    c.bytesRcvd += bytesRcvd;
  }

  /** The step's counters as named rows; resets for the next step. */
  take(names: L7Names): { protocols: ProtocolStep[]; hostProtocols: HostProtocolStep[] } {
    const protocols = [...this.protocols.values()].map((c) => ({
      ifname: names.ifname(c.ifIndex),
      proto: names.protocol(c.proto),
      category: names.category(c.category),
      bytes: c.bytes,
      packets: c.packets,
      flows: c.flows,
    }));
    const byHost = new Map<number, HostProtocolCounter[]>();
    for (const c of this.hostProtocols.values()) {
      const list = byHost.get(c.hostSlot);
      if (list) list.push(c);
      else byHost.set(c.hostSlot, [c]);
    }
    const hostProtocols: HostProtocolStep[] = [];
    for (const [slot, list] of byHost) {
      const { ifname, host } = names.host(slot);
      list.sort((a, b) => b.bytesSent + b.bytesRcvd - (a.bytesSent + a.bytesRcvd));
      // Keep the busiest protocols; the rest of the host's traffic stays visible as `Other`.
      const keep = list.length > this.maxProtocolsPerHost ? this.maxProtocolsPerHost - 1 : list.length;
      for (const c of list.slice(0, keep)) {
        hostProtocols.push({
          ifname,
          host,
          proto: names.protocol(c.proto),
          category: names.category(c.category),
          bytesSent: c.bytesSent,
          bytesRcvd: c.bytesRcvd,
        });
      }
      if (keep < list.length) {
        const rest = list.slice(keep);
        hostProtocols.push({
          ifname,
          host,
          proto: OTHER,
          category: OTHER,
          bytesSent: rest.reduce((s, c) => s + c.bytesSent, 0),
          bytesRcvd: rest.reduce((s, c) => s + c.bytesRcvd, 0),
        });
      }
    }
    this.protocols = new Map();
    this.hostProtocols = new Map();
    return { protocols, hostProtocols };
  }
}
