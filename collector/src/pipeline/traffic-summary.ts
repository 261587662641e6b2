import type { HostTable } from '../stats/host-table';

/** The `replay --json` summary of DESIGN.md. */
export interface ReplaySummary {
  packets: number;
  bytes: number;
  flows: number;
  seconds: number;
  pps: number;
  interfaces: Record<string, { packets: number; bytes: number }>;
  protocols: Record<string, { packets: number; bytes: number; flows: number }>;
  hosts: Record<string, { bytesSent: number; bytesRcvd: number; packetsSent: number; packetsRcvd: number }>;
}

type HostTotals = ReplaySummary['hosts'][string];

function emptyTotals(): HostTotals {
  return { bytesSent: 0, bytesRcvd: 0, packetsSent: 0, packetsRcvd: 0 };
}

function hostTotals(hosts: HostTable, s: number): HostTotals {
  return {
    bytesSent: hosts.totalBytesSent[s],
    bytesRcvd: hosts.totalBytesRcvd[s],
    packetsSent: hosts.totalPacketsSent[s],
    packetsRcvd: hosts.totalPacketsRcvd[s],
  };
}

function addTotals(into: HostTotals, t: HostTotals): void {
  into.bytesSent += t.bytesSent;
  into.bytesRcvd += t.bytesRcvd;
  into.packetsSent += t.packetsSent;
  into.packetsRcvd += t.packetsRcvd;
}

/** Running totals since start, kept per step and per flow end (never per packet). */
export class TrafficSummary {
  flows = 0;
  private readonly interfaces = new Map<string, { packets: number; bytes: number }>();
  private readonly protocols = new Map<number, { packets: number; bytes: number; flows: number }>();
  /** Totals of hosts expired from the host table, by interface index and address. */
  private readonly retiredHosts = new Map<string, { ifIndex: number; address: string; totals: HostTotals }>();

  addInterface(name: string): void {
    if (!this.interfaces.has(name)) this.interfaces.set(name, { packets: 0, bytes: 0 });
  }

  addInterfaceTraffic(name: string, bytes: number, packets: number): void {
    const t = this.interfaces.get(name);
    if (t) {
      t.bytes += bytes;
      t.packets += packets;
    }
  }

  interfaceTotals(name: string): { packets: number; bytes: number } {
    return this.interfaces.get(name) ?? { packets: 0, bytes: 0 };
  }

  addProtocol(proto: number, bytes: number, packets: number, newFlow: boolean): void {
    let t = this.protocols.get(proto);
    if (!t) {
      t = { packets: 0, bytes: 0, flows: 0 };
      this.protocols.set(proto, t);
    }
    t.bytes += bytes;
    t.packets += packets;
    if (newFlow) t.flows++;
  }

  /** Keeps an expiring host's totals for the summary. */
  retireHost(hosts: HostTable, slot: number): void {
    const key = `${hosts.ifIndex[slot]}/${hosts.address[slot]}`;
    const entry = this.retiredHosts.get(key) ?? {
      ifIndex: hosts.ifIndex[slot],
      address: hosts.address[slot],
      totals: emptyTotals(),
    };
    addTotals(entry.totals, hostTotals(hosts, slot));
    this.retiredHosts.set(key, entry);
  }

  /** The summary; `hosts` keys are `address` (or `ifname/address` when a host appears on several interfaces). */
  build(
    seconds: number,
    protocolName: (id: number) => string,
    hosts: HostTable,
    ifname: (i: number) => string,
  ): ReplaySummary {
    let packets = 0;
    let bytes = 0;
    const interfaces: ReplaySummary['interfaces'] = {};
    for (const [name, t] of this.interfaces) {
      interfaces[name] = { ...t };
      packets += t.packets;
      bytes += t.bytes;
    }
    const protocols: ReplaySummary['protocols'] = {};
    for (const [id, t] of this.protocols) {
      const name = protocolName(id);
      const acc = (protocols[name] ??= { packets: 0, bytes: 0, flows: 0 });
      acc.packets += t.packets;
      acc.bytes += t.bytes;
      acc.flows += t.flows;
    }
    const hostRows: ReplaySummary['hosts'] = {};
    const multi = this.interfaces.size > 1;
    const add = (ifIndex: number, address: string, totals: HostTotals): void => {
      addTotals((hostRows[multi ? `${ifname(ifIndex)}/${address}` : address] ??= emptyTotals()), totals);
    };
    for (const r of this.retiredHosts.values()) add(r.ifIndex, r.address, r.totals);
    for (let s = 0; s < hosts.highWater; s++)
      if (hosts.isLive(s)) add(hosts.ifIndex[s], hosts.address[s], hostTotals(hosts, s));
    return {
      packets,
      bytes,
      flows: this.flows,
      seconds,
      pps: seconds > 0 ? Math.round(packets / seconds) : 0,
      interfaces,
      protocols,
      hosts: hostRows,
    };
  }
}
