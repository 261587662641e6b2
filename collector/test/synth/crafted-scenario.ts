/**
 * Building blocks for the crafted golden captures: a frame list on a fixed clock and helpers
 * that add whole conversations (TCP sessions, UDP request/response, ICMP echo, ARP) in both
 * directions. Set-up code: clarity over speed.
 */
import { ipv4, ipv6 } from './addresses';
import type { Ipv6Extension } from './ip';
import type { LinkSpec, NetworkSpec, PacketSpec, TransportSpec } from './packet';
import { buildPacket } from './packet';
import { ARP_REPLY, ARP_REQUEST } from './link';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from './transport';

/** Start of every crafted capture: 2023-11-14T22:13:20Z, a multiple of 5 s. */
export const CRAFTED_EPOCH_SECONDS = 1_700_000_000;

export interface Frame {
  sec: number;
  nsec: number;
  /** Stored bytes (may be shorter than `wireLength`). */
  data: Buffer;
  wireLength: number;
  ifIndex: number;
}

export interface AddOptions {
  ifIndex?: number;
  /** Store only this many bytes of the frame (the wire length stays the full length). */
  captureLength?: number;
}

/** Frames of one capture, each at a time offset in milliseconds from CRAFTED_EPOCH_SECONDS. */
export class FrameList {
  readonly frames: Frame[] = [];
  private readonly scratch = Buffer.alloc(70_000);
  private nextIpId = 0x1000;

  /** IPv4 identification values, counting up, so files are deterministic. */
  ipId(): number {
    this.nextIpId = (this.nextIpId + 1) & 0xffff;
    return this.nextIpId;
  }

  add(atMs: number, spec: PacketSpec, options: AddOptions = {}): void {
    const n = buildPacket(this.scratch, spec);
    const stored = options.captureLength !== undefined ? Math.min(options.captureLength, n) : n;
    this.addRaw(atMs, Buffer.from(this.scratch.subarray(0, stored)), n, options.ifIndex ?? 0);
  }

  addRaw(atMs: number, data: Buffer, wireLength = data.length, ifIndex = 0): void {
    const ns = Math.round(atMs * 1e6);
    this.frames.push({
      sec: CRAFTED_EPOCH_SECONDS + Math.floor(ns / 1e9),
      nsec: ns % 1e9,
      data,
      wireLength,
      ifIndex,
    });
  }

  /** Frames in time order (stable for equal times). */
  inTimeOrder(): Frame[] {
    return this.frames
      .map((f, i) => ({ f, i }))
      .sort((a, b) => a.f.sec - b.f.sec || a.f.nsec - b.f.nsec || a.i - b.i)
      .map(({ f }) => f);
  }
}

/** Link header for a frame travelling from the client side (`outbound`) or towards it. */
export type LinkFor = (outbound: boolean, broadcast?: boolean) => LinkSpec;

export const BROADCAST_MAC = Buffer.alloc(6, 0xff);

export function ethernetLink(
  clientMac: Buffer,
  peerMac: Buffer,
  vlanId?: number,
  outerVlanId?: number,
): LinkFor {
  return (outbound, broadcast) => ({
    type: 'ethernet',
    src: outbound ? clientMac : peerMac,
    dst: broadcast ? BROADCAST_MAC : outbound ? peerMac : clientMac,
    vlanId,
    outerVlanId,
  });
}

/** SLL as captured on the client host: outgoing (4) or to-us (0) / broadcast (1). */
export function sllLink(clientMac: Buffer, peerMac: Buffer): LinkFor {
  return (outbound, broadcast) => ({
    type: 'sll',
    packetType: outbound ? 4 : broadcast ? 1 : 0,
    address: outbound ? clientMac : peerMac,
  });
}

export function sll2Link(clientMac: Buffer, peerMac: Buffer, interfaceIndex: number): LinkFor {
  return (outbound, broadcast) => ({
    type: 'sll2',
    packetType: outbound ? 4 : broadcast ? 1 : 0,
    address: outbound ? clientMac : peerMac,
    interfaceIndex,
  });
}

export function nullLink(littleEndian: boolean, inet6Family?: number): LinkFor {
  return () => ({ type: 'null', littleEndian, inet6Family });
}

export const rawLink: LinkFor = () => ({ type: 'raw' });

export interface IpOptions {
  /** IPv6 extension headers for this conversation's packets. */
  extensions?: readonly Ipv6Extension[];
  ttl?: number;
}

/** Network spec for `src` → `dst` (IPv4 or IPv6 by the text). */
export function ipNet(list: FrameList, src: string, dst: string, options: IpOptions = {}): NetworkSpec {
  if (src.includes(':')) {
    return {
      version: 6,
      src: ipv6(src),
      dst: ipv6(dst),
      extensions: options.extensions,
      hopLimit: options.ttl,
    };
  }
  return {
    version: 4,
    src: ipv4(src),
    dst: ipv4(dst),
    id: list.ipId(),
    dontFragment: true,
    ttl: options.ttl,
  };
}

export interface TcpSessionSpec {
  link: LinkFor;
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  startMs: number;
  /** Time between consecutive packets. */
  gapMs: number;
  /** Data segments in order (each at most one MSS). */
  exchanges: ReadonlyArray<{ fromClient: boolean; data: Buffer }>;
  ip?: IpOptions;
  ifIndex?: number;
}

/**
 * Three-way handshake, the data segments, an ACK of the last one, then FIN / FIN-ACK / ACK:
 * 7 + exchanges.length frames, the last one at startMs + (6 + n) * gapMs.
 */
export function tcpSession(list: FrameList, s: TcpSessionSpec): number {
  let clientSeq = 1_000_000 + s.clientPort * 7;
  let serverSeq = 2_000_000 + s.serverPort * 13;
  let t = s.startMs;
  let count = 0;
  const send = (fromClient: boolean, flags: number, data?: Buffer): void => {
    const l4: TransportSpec = {
      type: 'tcp',
      srcPort: fromClient ? s.clientPort : s.serverPort,
      dstPort: fromClient ? s.serverPort : s.clientPort,
      seq: fromClient ? clientSeq : serverSeq,
      ack: flags & TCP_ACK ? (fromClient ? serverSeq : clientSeq) : 0,
      flags,
      window: 64240,
    };
    const net = fromClient ? ipNet(list, s.client, s.server, s.ip) : ipNet(list, s.server, s.client, s.ip);
    list.add(t, { link: s.link(fromClient), net, l4, payload: data }, { ifIndex: s.ifIndex });
    const advance = (data ? data.length : 0) + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    if (fromClient) clientSeq = (clientSeq + advance) >>> 0;
    else serverSeq = (serverSeq + advance) >>> 0;
    t += s.gapMs;
    count++;
  };
  send(true, TCP_SYN);
  send(false, TCP_SYN | TCP_ACK);
  send(true, TCP_ACK);
  let lastFromClient = true;
  for (const x of s.exchanges) {
    send(x.fromClient, TCP_PSH | TCP_ACK, x.data);
    lastFromClient = x.fromClient;
  }
  send(!lastFromClient, TCP_ACK);
  send(true, TCP_FIN | TCP_ACK);
  send(false, TCP_FIN | TCP_ACK);
  send(true, TCP_ACK);
  return count;
}

export interface UdpExchangeSpec {
  link: LinkFor;
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  startMs: number;
  rttMs: number;
  request: Buffer;
  /** Omit for a one-way datagram. */
  response?: Buffer;
  ip?: IpOptions;
  ifIndex?: number;
}

/** Request and (optional) response datagrams: 1 or 2 frames. */
export function udpExchange(list: FrameList, s: UdpExchangeSpec): number {
  list.add(
    s.startMs,
    {
      link: s.link(true),
      net: ipNet(list, s.client, s.server, s.ip),
      l4: { type: 'udp', srcPort: s.clientPort, dstPort: s.serverPort },
      payload: s.request,
    },
    { ifIndex: s.ifIndex },
  );
  if (!s.response) return 1;
  list.add(
    s.startMs + s.rttMs,
    {
      link: s.link(false),
      net: ipNet(list, s.server, s.client, s.ip),
      l4: { type: 'udp', srcPort: s.serverPort, dstPort: s.clientPort },
      payload: s.response,
    },
    { ifIndex: s.ifIndex },
  );
  return 2;
}

export interface EchoSpec {
  link: LinkFor;
  client: string;
  server: string;
  startMs: number;
  rttMs: number;
  id: number;
  seq: number;
  dataLength: number;
  ip?: IpOptions;
  ifIndex?: number;
}

/** ICMP or ICMPv6 echo request and reply: 2 frames. */
export function icmpEcho(list: FrameList, s: EchoSpec): number {
  const v6 = s.client.includes(':');
  const rest = ((s.id & 0xffff) << 16) | (s.seq & 0xffff);
  const type = v6 ? 'icmpv6' : 'icmp';
  list.add(
    s.startMs,
    {
      link: s.link(true),
      net: ipNet(list, s.client, s.server, s.ip),
      l4: { type, icmpType: v6 ? 128 : 8, code: 0, rest },
      payloadLength: s.dataLength,
    },
    { ifIndex: s.ifIndex },
  );
  list.add(
    s.startMs + s.rttMs,
    {
      link: s.link(false),
      net: ipNet(list, s.server, s.client, s.ip),
      l4: { type, icmpType: v6 ? 129 : 0, code: 0, rest },
      payloadLength: s.dataLength,
    },
    { ifIndex: s.ifIndex },
  );
  return 2;
}

export interface ArpExchangeSpec {
  link: LinkFor;
  clientMac: Buffer;
  clientIp: string;
  peerMac: Buffer;
  peerIp: string;
  startMs: number;
  ifIndex?: number;
  /** Ethernet frames are padded to the 60-byte minimum. */
  padTo?: number;
}

/** Broadcast who-has from the client and the peer's unicast reply: 2 frames. */
export function arpExchange(list: FrameList, s: ArpExchangeSpec): number {
  list.add(
    s.startMs,
    {
      link: s.link(true, true),
      net: {
        version: 'arp',
        op: ARP_REQUEST,
        senderMac: s.clientMac,
        senderIp: ipv4(s.clientIp),
        targetMac: Buffer.alloc(6),
        targetIp: ipv4(s.peerIp),
      },
      padTo: s.padTo,
    },
    { ifIndex: s.ifIndex },
  );
  list.add(
    s.startMs + 0.4,
    {
      link: s.link(false),
      net: {
        version: 'arp',
        op: ARP_REPLY,
        senderMac: s.peerMac,
        senderIp: ipv4(s.peerIp),
        targetMac: s.clientMac,
        targetIp: ipv4(s.clientIp),
      },
      padTo: s.padTo,
    },
    { ifIndex: s.ifIndex },
  );
  return 2;
}
