/**
 * The crafted golden captures in collector/testdata/crafted/: small files, each aimed at one
 * decoding concern, with known hosts, frame counts and (for truncated.pcap) known bad frames.
 * `make-crafted-captures.ts` writes them; `crafted-captures.test.ts` checks them with tshark
 * and that the committed files still match this generator byte for byte.
 *
 * Hosts (local = RFC 1918 / fd00::/8; remote = public or documentation ranges):
 *   local  10.0.0.5, 10.0.0.7, 192.168.1.20, 10.8.0.2, fd00::5, fd00::7
 *   remote 93.184.216.34, 198.51.100.7, 198.51.100.53, 203.0.113.9, 2001:db8::1, 2001:db8::2,
 *          2001:db8::53
 *   router 10.0.0.1 / 192.168.1.1 (ARP only)
 * Every conversation has packets in both directions, so each host is seen as source and as
 * destination. Timestamps start at CRAFTED_EPOCH_SECONDS (a multiple of 5) and span ~20-25 s.
 */
import { ipv4, ipv6, mac } from './addresses';
import {
  dnsMessage,
  DNS_TYPE_A,
  DNS_TYPE_AAAA,
  httpRequest,
  httpResponse,
  tlsClientHello,
  tlsServerHello,
} from './app-payloads';
import type { LinkFor } from './crafted-scenario';
import {
  arpExchange,
  ethernetLink,
  FrameList,
  icmpEcho,
  nullLink,
  rawLink,
  sll2Link,
  sllLink,
  tcpSession,
  udpExchange,
} from './crafted-scenario';
import type { Ipv6Extension } from './ip';
import {
  HBH_ROUTER_ALERT_MLD,
  IPPROTO_EXPERIMENTAL,
  IPPROTO_GRE,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_NONE,
  IPPROTO_UDP,
} from './ip';
import {
  AF_INET6_BSD,
  AF_INET6_DARWIN,
  AF_INET6_FREEBSD,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_DLT12,
  LINKTYPE_RAW_OPENBSD_DLT14,
} from './link';
import type { NetworkSpec, PacketSpec } from './packet';
import { packetBytes } from './packet';
import { PcapWriter } from './pcap-writer';
import { PcapngWriter } from './pcapng-writer';
import { TCP_ACK, TCP_PSH, TCP_RST, TCP_SYN } from './transport';

export const MAC_CLIENT = mac('02:00:00:00:00:05');
export const MAC_CLIENT_B = mac('02:00:00:00:00:20');
export const MAC_CLIENT_C = mac('02:00:00:00:00:07');
export const MAC_ROUTER = mac('02:00:00:00:00:01');

export interface CraftedCapture {
  file: string;
  /** What the file exercises and what a test can expect from it. */
  description: string;
  /** Frames in the file. */
  frames: number;
  /** 1-based frame numbers tshark reports as malformed or with error-severity expert info. */
  badFrames: readonly number[];
  /** Builds the file's bytes. */
  build(): Buffer;
}

interface PcapFormat {
  linkType: number;
  bigEndian?: boolean;
  nanosecond?: boolean;
  snaplen?: number;
}

function pcapBytes(list: FrameList, format: PcapFormat): Buffer {
  const writer = PcapWriter.inMemory(format);
  for (const f of list.inTimeOrder()) writer.write(0, { sec: f.sec, nsec: f.nsec }, f.data, f.wireLength);
  writer.close();
  return writer.contents();
}

const eth = (vlanId?: number, outer?: number): LinkFor => ethernetLink(MAC_CLIENT, MAC_ROUTER, vlanId, outer);

function httpSession(
  list: FrameList,
  link: LinkFor,
  client: string,
  server: string,
  clientPort: number,
  startMs: number,
  gapMs: number,
  ifIndex?: number,
): number {
  return tcpSession(list, {
    link,
    client,
    server,
    clientPort,
    serverPort: 80,
    startMs,
    gapMs,
    exchanges: [
      { fromClient: true, data: httpRequest('example.com') },
      { fromClient: false, data: httpResponse(900) },
    ],
    ifIndex,
  });
}

function tlsSession(
  list: FrameList,
  link: LinkFor,
  client: string,
  server: string,
  clientPort: number,
  sni: string,
  startMs: number,
  gapMs: number,
  ifIndex?: number,
): number {
  return tcpSession(list, {
    link,
    client,
    server,
    clientPort,
    serverPort: 443,
    startMs,
    gapMs,
    exchanges: [
      { fromClient: true, data: tlsClientHello(sni, clientPort) },
      { fromClient: false, data: tlsServerHello(clientPort + 1) },
    ],
    ifIndex,
  });
}

function dnsLookup(
  list: FrameList,
  link: LinkFor,
  client: string,
  server: string,
  clientPort: number,
  name: string,
  answer: string,
  startMs: number,
  ifIndex?: number,
): number {
  const v6 = answer.includes(':');
  const type = v6 ? DNS_TYPE_AAAA : DNS_TYPE_A;
  const rdata = v6 ? ipv6(answer) : Buffer.alloc(4);
  if (!v6) rdata.writeUInt32BE(ipv4(answer));
  const id = clientPort & 0xffff;
  return udpExchange(list, {
    link,
    client,
    server,
    clientPort,
    serverPort: 53,
    startMs,
    rttMs: 18.5,
    request: dnsMessage(id, name, type),
    response: dnsMessage(id, name, type, [rdata]),
    ifIndex,
  });
}

/** Upper-layer bytes (header + payload, checksum filled) of a datagram from src to dst. */
function l4Bytes(net: NetworkSpec, spec: Omit<PacketSpec, 'link' | 'net'>): Buffer {
  const whole = packetBytes({ ...spec, link: { type: 'raw' }, net });
  const headerLength = net.version === 4 ? 20 : 40;
  return whole.subarray(headerLength);
}

// ---------------------------------------------------------------------------------------

function vlan(): CraftedCapture {
  const list = new FrameList();
  arpExchange(list, {
    link: eth(10),
    clientMac: MAC_CLIENT,
    clientIp: '10.0.0.5',
    peerMac: MAC_ROUTER,
    peerIp: '10.0.0.1',
    startMs: 100,
    padTo: 60,
  });
  httpSession(list, eth(10), '10.0.0.5', '93.184.216.34', 51000, 1000, 500);
  dnsLookup(list, eth(20), 'fd00::5', '2001:db8::53', 53001, 'www.example.com', '2001:db8::80', 6000);
  icmpEcho(list, {
    link: ethernetLink(MAC_CLIENT, MAC_CLIENT_C, 10),
    client: '10.0.0.5',
    server: '10.0.0.7',
    startMs: 12000,
    rttMs: 0.3,
    id: 1,
    seq: 1,
    dataLength: 56,
  });
  tlsSession(
    list,
    ethernetLink(MAC_CLIENT_C, MAC_ROUTER, 30),
    '10.0.0.7',
    '198.51.100.7',
    52000,
    'www.youtube.com',
    17000,
    900,
  );
  return {
    file: 'vlan.pcap',
    description:
      'Ethernet + 802.1Q. VLAN 10: ARP 10.0.0.5/10.0.0.1 (2, non-IP), HTTP 10.0.0.5:51000<->93.184.216.34:80 (9), ' +
      'ICMP echo 10.0.0.5<->10.0.0.7 (2, local to local). VLAN 20: DNS AAAA fd00::5<->2001:db8::53 (2). ' +
      'VLAN 30: TLS (SNI www.youtube.com) 10.0.0.7:52000<->198.51.100.7:443 (9).',
    frames: 24,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET }),
  };
}

function qinq(): CraftedCapture {
  const list = new FrameList();
  arpExchange(list, {
    link: eth(10, 100),
    clientMac: MAC_CLIENT,
    clientIp: '10.0.0.5',
    peerMac: MAC_ROUTER,
    peerIp: '10.0.0.1',
    startMs: 50,
    padTo: 60,
  });
  httpSession(list, eth(10, 100), '10.0.0.5', '93.184.216.34', 51010, 2000, 700);
  dnsLookup(list, eth(20, 200), '10.0.0.5', '198.51.100.53', 53002, 'example.org', '93.184.216.34', 11000);
  icmpEcho(list, {
    link: eth(20, 200),
    client: 'fd00::5',
    server: '2001:db8::1',
    startMs: 21000,
    rttMs: 12.25,
    id: 7,
    seq: 3,
    dataLength: 56,
  });
  return {
    file: 'qinq.pcap',
    description:
      'Ethernet + 802.1ad QinQ (0x88a8 outer, 0x8100 inner). Outer 100 / inner 10: ARP (2), HTTP 10.0.0.5:51010<->93.184.216.34:80 (9). ' +
      'Outer 200 / inner 20: DNS A 10.0.0.5<->198.51.100.53 (2), ICMPv6 echo fd00::5<->2001:db8::1 (2).',
    frames: 15,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET }),
  };
}

function sll(): CraftedCapture {
  const list = new FrameList();
  const link = sllLink(MAC_CLIENT, MAC_ROUTER);
  arpExchange(list, {
    link,
    clientMac: MAC_CLIENT,
    clientIp: '10.0.0.5',
    peerMac: MAC_ROUTER,
    peerIp: '10.0.0.1',
    startMs: 10,
  });
  dnsLookup(list, link, '10.0.0.5', '198.51.100.53', 53003, 'www.netflix.com', '198.51.100.80', 500);
  tlsSession(list, link, '10.0.0.5', '93.184.216.34', 51020, 'www.netflix.com', 1500, 1500);
  udpExchange(list, {
    link,
    client: 'fd00::5',
    server: '2001:db8::1',
    clientPort: 40000,
    serverPort: 40001,
    startMs: 22000,
    rttMs: 30,
    request: Buffer.alloc(200, 1),
    response: Buffer.alloc(600, 2),
  });
  return {
    file: 'sll.pcap',
    description:
      'Linux cooked v1 (DLT 113), as captured on 10.0.0.5: outgoing packet type 4, incoming 0, ARP request as broadcast 1. ' +
      'ARP (2), DNS A 10.0.0.5<->198.51.100.53 (2), TLS (SNI www.netflix.com) 10.0.0.5:51020<->93.184.216.34:443 (9), ' +
      'UDP fd00::5:40000<->2001:db8::1:40001 (2, 200 and 600 byte payloads).',
    frames: 15,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_LINUX_SLL }),
  };
}

function sll2(): CraftedCapture {
  const list = new FrameList();
  const wan = sll2Link(MAC_CLIENT_B, MAC_ROUTER, 2);
  const lan = sll2Link(MAC_CLIENT_C, MAC_ROUTER, 3);
  arpExchange(list, {
    link: wan,
    clientMac: MAC_CLIENT_B,
    clientIp: '192.168.1.20',
    peerMac: MAC_ROUTER,
    peerIp: '192.168.1.1',
    startMs: 20,
  });
  httpSession(list, wan, '192.168.1.20', '93.184.216.34', 51030, 1000, 1000);
  icmpEcho(list, {
    link: wan,
    client: '192.168.1.20',
    server: '198.51.100.7',
    startMs: 14000,
    rttMs: 25,
    id: 9,
    seq: 1,
    dataLength: 56,
  });
  dnsLookup(list, lan, 'fd00::7', '2001:db8::53', 53004, 'www.google.com', '2001:db8::443', 20000);
  return {
    file: 'sll2.pcap',
    description:
      'Linux cooked v2 (DLT 276), interface index 2 and 3. ifindex 2: ARP 192.168.1.20/192.168.1.1 (2), ' +
      'HTTP 192.168.1.20:51030<->93.184.216.34:80 (9), ICMP echo 192.168.1.20<->198.51.100.7 (2). ' +
      'ifindex 3: DNS AAAA fd00::7<->2001:db8::53 (2).',
    frames: 15,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_LINUX_SLL2 }),
  };
}

function rawIpFrames(): FrameList {
  const list = new FrameList();
  httpSession(list, rawLink, '10.0.0.5', '93.184.216.34', 51040, 500, 800);
  tlsSession(list, rawLink, 'fd00::5', '2001:db8::1', 51041, 'www.facebook.com', 9000, 900);
  dnsLookup(list, rawLink, '10.0.0.5', '198.51.100.53', 53005, 'www.facebook.com', '198.51.100.81', 19000);
  return list;
}

/** The same raw IP frames under each link type value that has meant raw IP. */
function rawIp(file: string, description: string, linkType: number): CraftedCapture {
  const list = rawIpFrames();
  return { file, description, frames: 20, badFrames: [], build: () => pcapBytes(list, { linkType }) };
}

function nullLoopback(): CraftedCapture {
  const list = new FrameList();
  httpSession(list, nullLink(true), '10.8.0.2', '93.184.216.34', 51050, 300, 900);
  udpExchange(list, {
    link: nullLink(true, AF_INET6_BSD),
    client: 'fd00::5',
    server: '2001:db8::1',
    clientPort: 40002,
    serverPort: 40003,
    startMs: 10000,
    rttMs: 40,
    request: Buffer.alloc(100, 3),
    response: Buffer.alloc(300, 4),
  });
  icmpEcho(list, {
    link: nullLink(true, AF_INET6_DARWIN),
    client: 'fd00::5',
    server: '2001:db8::2',
    startMs: 15000,
    rttMs: 22,
    id: 5,
    seq: 1,
    dataLength: 56,
  });
  icmpEcho(list, {
    link: nullLink(true, AF_INET6_FREEBSD),
    client: 'fd00::5',
    server: '2001:db8::2',
    startMs: 20000,
    rttMs: 21,
    id: 5,
    seq: 2,
    dataLength: 56,
  });
  return {
    file: 'null-loopback.pcap',
    description:
      'BSD NULL/loopback (DLT 0), little-endian file and AF values (as on a tunnel interface). AF_INET 2: ' +
      'HTTP 10.8.0.2:51050<->93.184.216.34:80 (9). AF_INET6 24: UDP fd00::5:40002<->2001:db8::1:40003 (2). ' +
      'AF_INET6 30 (Darwin): ICMPv6 echo fd00::5<->2001:db8::2 (2). AF_INET6 28 (FreeBSD): ICMPv6 echo, same hosts (2).',
    frames: 15,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_NULL }),
  };
}

function ipv6ExtHeaders(): CraftedCapture {
  const list = new FrameList();
  const link = eth();
  // MLDv2 report with a hop-by-hop Router Alert, to ff02::16 (multicast, one-way).
  const mldRecord = Buffer.concat([Buffer.of(4, 0, 0, 0), ipv6('ff02::fb')]);
  list.add(0, {
    link: { type: 'ethernet', src: MAC_CLIENT, dst: mac('33:33:00:00:00:16') },
    net: {
      version: 6,
      src: ipv6('fd00::5'),
      dst: ipv6('ff02::16'),
      hopLimit: 1,
      extensions: [{ kind: 'hop-by-hop', options: HBH_ROUTER_ALERT_MLD }],
    },
    l4: { type: 'icmpv6', icmpType: 143, code: 0, rest: 1 },
    payload: mldRecord,
  });
  udpExchange(list, {
    link,
    client: 'fd00::5',
    server: '2001:db8::1',
    clientPort: 40010,
    serverPort: 40011,
    startMs: 2000,
    rttMs: 35,
    request: Buffer.alloc(120, 5),
    response: Buffer.alloc(240, 6),
    ip: { extensions: [{ kind: 'hop-by-hop' }] },
  });
  const dstOpts: Ipv6Extension[] = [{ kind: 'destination', options: Uint8Array.of(0x1e, 0x02, 0xab, 0xcd) }];
  const synNet = (src: string, dst: string): NetworkSpec => ({
    version: 6,
    src: ipv6(src),
    dst: ipv6(dst),
    extensions: dstOpts,
  });
  list.add(6000, {
    link: link(true),
    net: synNet('fd00::5', '2001:db8::1'),
    l4: { type: 'tcp', srcPort: 51060, dstPort: 80, seq: 100, ack: 0, flags: TCP_SYN },
  });
  list.add(6040, {
    link: link(false),
    net: synNet('2001:db8::1', 'fd00::5'),
    l4: { type: 'tcp', srcPort: 80, dstPort: 51060, seq: 900, ack: 101, flags: TCP_SYN | TCP_ACK },
  });
  const routing: Ipv6Extension[] = [
    { kind: 'routing', routingType: 0, segmentsLeft: 0, addresses: [ipv6('2001:db8::ff')] },
  ];
  icmpEcho(list, {
    link: ethernetLink(MAC_CLIENT_C, MAC_ROUTER),
    client: 'fd00::7',
    server: '2001:db8::2',
    startMs: 11000,
    rttMs: 28,
    id: 3,
    seq: 1,
    dataLength: 56,
    ip: { extensions: routing },
  });
  const chain: Ipv6Extension[] = [
    { kind: 'hop-by-hop' },
    { kind: 'destination' },
    { kind: 'routing', routingType: 0, segmentsLeft: 0, addresses: [ipv6('2001:db8::fe')] },
    { kind: 'fragment', offset: 0, more: false, id: 0x51 },
    { kind: 'destination', options: Uint8Array.of(0x1e, 0x04, 1, 2, 3, 4) },
  ];
  list.add(16000, {
    link: link(false),
    net: { version: 6, src: ipv6('2001:db8::1'), dst: ipv6('fd00::5'), extensions: chain },
    l4: { type: 'udp', srcPort: 40011, dstPort: 40010 },
    payload: Buffer.alloc(64, 7),
  });
  list.add(21000, {
    link: link(true),
    net: {
      version: 6,
      src: ipv6('fd00::5'),
      dst: ipv6('2001:db8::1'),
      nextHeader: IPPROTO_NONE,
      extensions: [{ kind: 'destination' }],
    },
    l4: { type: 'raw', protocol: IPPROTO_NONE },
  });
  return {
    file: 'ipv6-ext-headers.pcap',
    description:
      'Ethernet, IPv6 with extension headers. 1: MLDv2 report fd00::5->ff02::16 behind hop-by-hop (Router Alert). ' +
      '2-3: UDP fd00::5:40010<->2001:db8::1:40011 behind hop-by-hop (PadN). 4-5: TCP SYN, SYN-ACK fd00::5:51060<->2001:db8::1:80 behind ' +
      'destination options. 6-7: ICMPv6 echo fd00::7<->2001:db8::2 behind a type-0 routing header (segments left 0). ' +
      '8: UDP 2001:db8::1:40011->fd00::5:40010 behind HBH, dest-opts, routing, atomic fragment, dest-opts. ' +
      '9: fd00::5->2001:db8::1 dest-opts then No Next Header (59), no L4.',
    frames: 9,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET }),
  };
}

function ipv4Fragments(): CraftedCapture {
  const list = new FrameList();
  const link = eth();
  interface Datagram {
    src: string;
    dst: string;
    srcPort: number;
    dstPort: number;
    id: number;
    payloadLength: number;
    linkOut: boolean;
  }
  const fragmentsOf = (
    d: Datagram,
  ): Array<{ offset: number; more: boolean; data: Buffer; net: NetworkSpec }> => {
    const base = { version: 4 as const, src: ipv4(d.src), dst: ipv4(d.dst), id: d.id };
    const l4 = l4Bytes(base, {
      l4: { type: 'udp', srcPort: d.srcPort, dstPort: d.dstPort },
      payload: Buffer.alloc(d.payloadLength, d.id & 0xff),
    });
    const out = [];
    for (let off = 0; off < l4.length; off += 1480) {
      const data = l4.subarray(off, Math.min(off + 1480, l4.length));
      const more = off + 1480 < l4.length;
      out.push({ offset: off, more, data, net: { ...base, moreFragments: more, fragmentOffset: off } });
    }
    return out;
  };
  const add = (t: number, d: Datagram, f: ReturnType<typeof fragmentsOf>[number]): void =>
    list.add(t, {
      link: link(d.linkOut),
      net: f.net,
      l4: { type: 'raw', protocol: IPPROTO_UDP },
      payload: f.data,
    });
  const a1: Datagram = {
    src: '10.0.0.5',
    dst: '93.184.216.34',
    srcPort: 41000,
    dstPort: 41001,
    id: 0x1001,
    payloadLength: 3000,
    linkOut: true,
  };
  const a2: Datagram = {
    src: '93.184.216.34',
    dst: '10.0.0.5',
    srcPort: 41001,
    dstPort: 41000,
    id: 0x2001,
    payloadLength: 2000,
    linkOut: false,
  };
  const b1: Datagram = {
    src: '192.168.1.20',
    dst: '198.51.100.7',
    srcPort: 42000,
    dstPort: 42001,
    id: 0x3001,
    payloadLength: 4000,
    linkOut: true,
  };
  const b2: Datagram = {
    src: '198.51.100.7',
    dst: '192.168.1.20',
    srcPort: 42001,
    dstPort: 42000,
    id: 0x4001,
    payloadLength: 1600,
    linkOut: false,
  };
  const fa1 = fragmentsOf(a1);
  const fb1 = fragmentsOf(b1);
  // Interleaved, and flow B's fragments out of order (middle, first, last).
  add(1000, a1, fa1[0]);
  add(1001, b1, fb1[1]);
  add(1002, a1, fa1[1]);
  add(1003, b1, fb1[0]);
  add(1004, a1, fa1[2]);
  add(1005, b1, fb1[2]);
  fragmentsOf(a2).forEach((f, i) => add(6000 + i, a2, f));
  fragmentsOf(b2).forEach((f, i) => add(11000 + i, b2, f));
  // A later fragment whose first fragment never arrives.
  const orphan: Datagram = {
    src: '198.51.100.7',
    dst: '192.168.1.20',
    srcPort: 42001,
    dstPort: 42000,
    id: 0x4002,
    payloadLength: 1600,
    linkOut: false,
  };
  add(16000, orphan, fragmentsOf(orphan)[1]);
  udpExchange(list, {
    link,
    client: '10.0.0.5',
    server: '93.184.216.34',
    clientPort: 41000,
    serverPort: 41001,
    startMs: 21000,
    rttMs: 40,
    request: Buffer.alloc(100, 8),
    response: Buffer.alloc(100, 9),
  });
  return {
    file: 'ipv4-fragments.pcap',
    description:
      'Ethernet, fragmented UDP over IPv4 (1480-byte fragment payloads). Flow A 10.0.0.5:41000<->93.184.216.34:41001: ' +
      'datagram id 0x1001 (3008 bytes UDP -> 3 fragments: frames 1,3,5), reply id 0x2001 (2008 -> 2 fragments: frames 7,8), then ' +
      'one unfragmented datagram each way (frames 12,13). Flow B 192.168.1.20:42000<->198.51.100.7:42001: id 0x3001 (4008 -> 3 ' +
      'fragments sent middle, first, last: frames 2,4,6), reply id 0x4001 (1608 -> 2 fragments: frames 9,10). Frame 11: the ' +
      'second fragment (offset 1480, 128 bytes) of id 0x4002 198.51.100.7->192.168.1.20 whose first fragment is missing.',
    frames: 13,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET }),
  };
}

function ipv6Fragments(): CraftedCapture {
  const list = new FrameList();
  const link = eth();
  const fragment = (
    t: number,
    outbound: boolean,
    src: string,
    dst: string,
    l4: Buffer,
    nextHeader: number,
    id: number,
    chunk: number,
    pre: Ipv6Extension[] = [],
  ): number => {
    let i = 0;
    for (let off = 0; off < l4.length; off += chunk, i++) {
      const more = off + chunk < l4.length;
      list.add(t + i, {
        link: link(outbound),
        net: {
          version: 6,
          src: ipv6(src),
          dst: ipv6(dst),
          nextHeader,
          extensions: [...pre, { kind: 'fragment', offset: off, more, id }],
        },
        l4: { type: 'raw', protocol: nextHeader },
        payload: l4.subarray(off, Math.min(off + chunk, l4.length)),
      });
    }
    return i;
  };
  const v6 = (src: string, dst: string): NetworkSpec => ({ version: 6, src: ipv6(src), dst: ipv6(dst) });
  const udp = (src: string, dst: string, sp: number, dp: number, n: number): Buffer =>
    l4Bytes(v6(src, dst), {
      l4: { type: 'udp', srcPort: sp, dstPort: dp },
      payload: Buffer.alloc(n, n & 0xff),
    });
  const echo = (src: string, dst: string, type: number, n: number): Buffer =>
    l4Bytes(v6(src, dst), {
      l4: { type: 'icmpv6', icmpType: type, code: 0, rest: (11 << 16) | 1 },
      payloadLength: n,
    });
  fragment(
    1000,
    true,
    'fd00::5',
    '2001:db8::1',
    udp('fd00::5', '2001:db8::1', 40020, 40021, 3000),
    IPPROTO_UDP,
    0x6001,
    1448,
  );
  fragment(
    6000,
    false,
    '2001:db8::1',
    'fd00::5',
    udp('2001:db8::1', 'fd00::5', 40021, 40020, 1600),
    IPPROTO_UDP,
    0x6002,
    1448,
  );
  fragment(
    11000,
    true,
    'fd00::7',
    '2001:db8::2',
    echo('fd00::7', '2001:db8::2', 128, 2000),
    58,
    0x6003,
    1448,
  );
  fragment(
    11030,
    false,
    '2001:db8::2',
    'fd00::7',
    echo('2001:db8::2', 'fd00::7', 129, 2000),
    58,
    0x6004,
    1448,
  );
  fragment(
    20000,
    true,
    'fd00::5',
    '2001:db8::1',
    udp('fd00::5', '2001:db8::1', 40022, 40023, 1500),
    IPPROTO_UDP,
    0x6005,
    1440,
    [{ kind: 'hop-by-hop' }],
  );
  return {
    file: 'ipv6-fragments.pcap',
    description:
      'Ethernet, IPv6 fragment headers (1448-byte fragment payloads). UDP [fd00::5]:40020->[2001:db8::1]:40021 3008 bytes -> 3 ' +
      'fragments (frames 1-3, id 0x6001); reply 1608 bytes -> 2 fragments (4-5, id 0x6002). ICMPv6 echo fd00::7<->2001:db8::2 ' +
      'with 2000 data bytes: request 2 fragments (6-7), reply 2 fragments (8-9). UDP [fd00::5]:40022->[2001:db8::1]:40023 ' +
      '1508 bytes behind hop-by-hop + fragment, 1440-byte fragments -> 2 (10-11).',
    frames: 11,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET }),
  };
}

function truncated(): CraftedCapture {
  const list = new FrameList();
  const link = eth();
  const tcp = (seq: number, flags: number) => ({
    type: 'tcp' as const,
    srcPort: 51070,
    dstPort: 80,
    seq,
    ack: flags & TCP_ACK ? 1 : 0,
    flags,
  });
  const out = (
    over: Partial<{ id: number; totalLengthOverride: number; ihlOverride: number }> = {},
  ): NetworkSpec => ({
    version: 4,
    src: ipv4('10.0.0.5'),
    dst: ipv4('93.184.216.34'),
    id: list.ipId(),
    ...over,
  });
  // 1: good SYN.
  list.add(0, { link: link(true), net: out(), l4: tcp(1, TCP_SYN) });
  // 2: 1200-byte segment cut by the 128-byte snaplen (caplen 128, len 1254).
  list.add(
    1000,
    { link: link(true), net: out(), l4: tcp(2, TCP_PSH | TCP_ACK), payloadLength: 1200 },
    { captureLength: 128 },
  );
  // 3: cut at 30 bytes, inside the IPv4 header (len 54).
  list.add(2000, { link: link(true), net: out(), l4: tcp(1202, TCP_ACK) }, { captureLength: 30 });
  // 4: cut at 44 bytes, inside the TCP header (len 54).
  list.add(
    3000,
    {
      link: link(false),
      net: { version: 4, src: ipv4('93.184.216.34'), dst: ipv4('10.0.0.5') },
      l4: { type: 'tcp', srcPort: 80, dstPort: 51070, seq: 1, ack: 1202, flags: TCP_ACK },
    },
    { captureLength: 44 },
  );
  // 5: IPv6 cut at 40 bytes, inside the IPv6 header (len 82).
  list.add(
    4000,
    {
      link: link(true),
      net: { version: 6, src: ipv6('fd00::5'), dst: ipv6('2001:db8::1') },
      l4: { type: 'udp', srcPort: 40030, dstPort: 40031 },
      payloadLength: 20,
    },
    { captureLength: 40 },
  );
  // 6: a 5-byte runt.
  list.addRaw(5000, Buffer.of(0x02, 0x00, 0x00, 0x00, 0x00));
  // 7: Ethernet header announcing IPv4 and nothing after it.
  const bare = Buffer.alloc(14);
  MAC_ROUTER.copy(bare, 0);
  MAC_CLIENT.copy(bare, 6);
  bare.writeUInt16BE(0x0800, 12);
  list.addRaw(6000, bare);
  // 8: 46 bytes of garbage after an IPv4 ether type (version nibble 0).
  const garbage = Buffer.alloc(60);
  bare.copy(garbage, 0);
  for (let i = 14; i < 60; i++) garbage[i] = (i * 37) & 0x0f;
  list.addRaw(7000, garbage);
  // 9: IHL 3 (12 bytes, below the 20-byte minimum).
  list.add(8000, { link: link(true), net: out({ ihlOverride: 3 }), l4: tcp(1202, TCP_ACK), padTo: 60 });
  // 10: IHL 15 (60 bytes) but only 40 bytes of IP in the frame.
  list.add(9000, { link: link(true), net: out({ ihlOverride: 15 }), l4: tcp(1202, TCP_ACK) });
  // 11: total length 1500, frame holds 48 bytes of IP.
  list.add(10000, {
    link: link(true),
    net: out({ totalLengthOverride: 1500 }),
    l4: tcp(1202, TCP_PSH | TCP_ACK),
    payloadLength: 8,
  });
  // 12: total length 10, below the header length.
  list.add(11000, {
    link: link(true),
    net: out({ totalLengthOverride: 10 }),
    l4: tcp(1202, TCP_ACK),
    padTo: 60,
  });
  // 13: TCP data offset 2 (8 bytes, below the 20-byte minimum).
  list.add(12000, {
    link: link(false),
    net: { version: 4, src: ipv4('93.184.216.34'), dst: ipv4('10.0.0.5') },
    l4: {
      type: 'tcp',
      srcPort: 80,
      dstPort: 51070,
      seq: 1,
      ack: 1202,
      flags: TCP_ACK,
      dataOffsetOverride: 2,
    },
    padTo: 60,
  });
  // 14: nothing stored of a 60-byte frame (caplen 0).
  list.addRaw(13000, Buffer.alloc(0), 60);
  // 15: a good RST from the server, so readers carry on after bad frames.
  list.add(20000, {
    link: link(false),
    net: { version: 4, src: ipv4('93.184.216.34'), dst: ipv4('10.0.0.5') },
    l4: { type: 'tcp', srcPort: 80, dstPort: 51070, seq: 1, ack: 1202, flags: TCP_RST | TCP_ACK },
    padTo: 60,
  });
  return {
    file: 'truncated.pcap',
    description:
      'Ethernet, snaplen 128, 10.0.0.5:51070<->93.184.216.34:80 plus broken frames. 1 good SYN; 2 1254-byte segment stored as 128 ' +
      '(caplen<len, not malformed); 3 cut at 30 bytes inside the IPv4 header (len 54); 4 cut at 44 bytes inside the TCP header (len 54); ' +
      '5 IPv6 cut at 40 bytes inside the IPv6 header (len 82); 6 a 5-byte runt; 7 bare 14-byte Ethernet header typed IPv4; 8 garbage ' +
      'after IPv4 ether type (version 0); 9 IHL 3; 10 IHL 15 with 40 bytes of IP; 11 IPv4 total length 1500 in a 62-byte frame; ' +
      '12 IPv4 total length 10; 13 TCP data offset 2; 14 caplen 0 of a 60-byte frame; 15 good RST 93.184.216.34->10.0.0.5.',
    frames: 15,
    badFrames: [6, 7, 8, 9, 10, 11, 12, 13],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET, snaplen: 128 }),
  };
}

function twoInterfaces(): CraftedCapture {
  const list = new FrameList();
  const eth0 = eth();
  const wlan0 = ethernetLink(MAC_CLIENT_B, MAC_ROUTER);
  httpSession(list, eth0, '10.0.0.5', '93.184.216.34', 51080, 1000, 1100, 0);
  dnsLookup(list, eth0, '10.0.0.5', '198.51.100.53', 53006, 'www.wikipedia.org', '198.51.100.82', 15000, 0);
  arpExchange(list, {
    link: wlan0,
    clientMac: MAC_CLIENT_B,
    clientIp: '192.168.1.20',
    peerMac: MAC_ROUTER,
    peerIp: '192.168.1.1',
    startMs: 500,
    padTo: 60,
    ifIndex: 1,
  });
  tlsSession(list, wlan0, '192.168.1.20', '198.51.100.7', 51081, 'www.instagram.com', 2500, 1300, 1);
  icmpEcho(list, {
    link: wlan0,
    client: 'fd00::7',
    server: '2001:db8::2',
    startMs: 18000,
    rttMs: 31.5,
    id: 4,
    seq: 1,
    dataLength: 56,
    ifIndex: 1,
  });
  udpExchange(list, {
    link: ethernetLink(MAC_CLIENT, MAC_ROUTER),
    client: '10.0.0.5',
    server: '203.0.113.9',
    clientPort: 40040,
    serverPort: 40041,
    startMs: 23000,
    rttMs: 50,
    request: Buffer.alloc(300, 1),
    response: Buffer.alloc(700, 2),
    ifIndex: 1,
  });
  const build = (): Buffer => {
    const w = PcapngWriter.inMemory({ comment: 'packetflux crafted: two interfaces' });
    w.addInterface({ linkType: LINKTYPE_ETHERNET, name: 'eth0', tsresolDigits: 6 });
    w.addInterface({ linkType: LINKTYPE_ETHERNET, name: 'wlan0', tsresolDigits: 9 });
    for (const f of list.inTimeOrder())
      w.write(f.ifIndex, { sec: f.sec, nsec: f.nsec }, f.data, f.wireLength);
    w.close();
    return w.contents();
  };
  return {
    file: 'two-interfaces.pcapng',
    description:
      'pcapng, one section, IDB 0 eth0 (if_tsresol 6) and IDB 1 wlan0 (if_tsresol 9), Ethernet, interleaved in time. eth0: HTTP ' +
      '10.0.0.5:51080<->93.184.216.34:80 (9), DNS A 10.0.0.5<->198.51.100.53 (2). wlan0: ARP 192.168.1.20/192.168.1.1 (2), TLS (SNI ' +
      'www.instagram.com) 192.168.1.20:51081<->198.51.100.7:443 (9), ICMPv6 echo fd00::7<->2001:db8::2 (2), and UDP ' +
      '10.0.0.5:40040<->203.0.113.9:40041 (2), so host 10.0.0.5 appears on both interfaces.',
    frames: 26,
    badFrames: [],
    build,
  };
}

function multiSection(): CraftedCapture {
  const first = new FrameList();
  httpSession(first, eth(), '10.0.0.5', '93.184.216.34', 51090, 500, 1000, 0);
  icmpEcho(first, {
    link: ethernetLink(MAC_CLIENT_C, MAC_ROUTER),
    client: '10.0.0.7',
    server: '203.0.113.9',
    startMs: 9500,
    rttMs: 44,
    id: 6,
    seq: 1,
    dataLength: 56,
    ifIndex: 1,
  });
  const second = new FrameList();
  dnsLookup(second, eth(), '10.0.0.5', '198.51.100.53', 53007, 'www.amazon.com', '198.51.100.83', 15000, 0);
  arpExchange(second, {
    link: ethernetLink(MAC_CLIENT_C, MAC_ROUTER),
    clientMac: MAC_CLIENT_C,
    clientIp: '10.0.0.7',
    peerMac: MAC_ROUTER,
    peerIp: '10.0.0.1',
    startMs: 22000,
    padTo: 60,
    ifIndex: 1,
  });
  const build = (): Buffer => {
    const w = PcapngWriter.inMemory({ comment: 'section 1, little-endian' });
    w.addInterface({ linkType: LINKTYPE_ETHERNET, name: 'eth0', tsresolDigits: 6 });
    w.addInterface({ linkType: LINKTYPE_ETHERNET, name: 'eth1', tsresolDigits: 6 });
    for (const f of first.inTimeOrder())
      w.write(f.ifIndex, { sec: f.sec, nsec: f.nsec }, f.data, f.wireLength);
    w.newSection({ bigEndian: true, comment: 'section 2, big-endian' });
    w.addInterface({ linkType: LINKTYPE_ETHERNET, name: 'eth0', tsresolDigits: 9 });
    w.addInterface({ linkType: LINKTYPE_ETHERNET, name: 'eth1', tsresolDigits: 9 });
    for (const f of second.inTimeOrder())
      w.write(f.ifIndex, { sec: f.sec, nsec: f.nsec }, f.data, f.wireLength);
    w.close();
    return w.contents();
  };
  return {
    file: 'multi-section.pcapng',
    description:
      'pcapng with two sections, each with IDB 0 eth0 and IDB 1 eth1 (interface ids restart per section). Section 1 ' +
      '(little-endian, tsresol 6): eth0 HTTP 10.0.0.5:51090<->93.184.216.34:80 (9, t=0.5..8.5 s), eth1 ICMP echo ' +
      '10.0.0.7<->203.0.113.9 (2). Section 2 (big-endian, tsresol 9): eth0 DNS A 10.0.0.5<->198.51.100.53 (2), eth1 ARP ' +
      '10.0.0.7/10.0.0.1 (2). Totals by name: eth0 11 frames, eth1 4. Both sections name their interfaces in the same order ' +
      'because tshark 4.0 reports the section-local id as frame.interface_id and names it from the first section.',
    frames: 15,
    badFrames: [],
    build,
  };
}

function bigEndian(): CraftedCapture {
  const list = new FrameList();
  arpExchange(list, {
    link: eth(),
    clientMac: MAC_CLIENT,
    clientIp: '10.0.0.5',
    peerMac: MAC_ROUTER,
    peerIp: '10.0.0.1',
    startMs: 0,
    padTo: 60,
  });
  httpSession(list, eth(), '10.0.0.5', '93.184.216.34', 51100, 1000, 1500);
  dnsLookup(list, eth(), 'fd00::5', '2001:db8::53', 53008, 'www.example.net', '2001:db8::80', 22000);
  return {
    file: 'big-endian.pcap',
    description:
      'Classic pcap, big-endian header and records, microseconds. ARP 10.0.0.5/10.0.0.1 (2), HTTP 10.0.0.5:51100<->93.184.216.34:80 (9), ' +
      'DNS AAAA fd00::5<->2001:db8::53 (2).',
    frames: 13,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET, bigEndian: true }),
  };
}

function nanosecondFrames(): FrameList {
  const list = new FrameList();
  tlsSession(list, eth(), '10.0.0.5', '93.184.216.34', 51110, 'www.youtube.com', 1000.000123, 2000.000001);
  icmpEcho(list, {
    link: eth(),
    client: '10.0.0.5',
    server: '198.51.100.7',
    startMs: 24000.000789,
    rttMs: 0.000321,
    id: 8,
    seq: 1,
    dataLength: 56,
  });
  return list;
}

function nanosecond(): CraftedCapture {
  const list = nanosecondFrames();
  return {
    file: 'nanosecond.pcap',
    description:
      'Classic pcap, little-endian, nanosecond magic 0xa1b23c4d; timestamps carry sub-microsecond digits (ICMP reply 321 ns ' +
      'after the request). TLS (SNI www.youtube.com) 10.0.0.5:51110<->93.184.216.34:443 (9), ICMP echo 10.0.0.5<->198.51.100.7 (2).',
    frames: 11,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET, nanosecond: true }),
  };
}

function bigEndianNanosecond(): CraftedCapture {
  const list = nanosecondFrames();
  return {
    file: 'big-endian-nanosecond.pcap',
    description: 'Same frames as nanosecond.pcap, big-endian with the nanosecond magic.',
    frames: 11,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET, nanosecond: true, bigEndian: true }),
  };
}

function tunnelsAndIcmpErrors(): CraftedCapture {
  const list = new FrameList();
  const link = eth();
  const inner = (spec: Omit<PacketSpec, 'link'>): Buffer => packetBytes({ ...spec, link: { type: 'raw' } });
  const v4 = (src: string, dst: string, ttl?: number): NetworkSpec => ({
    version: 4,
    src: ipv4(src),
    dst: ipv4(dst),
    id: list.ipId(),
    ttl,
  });
  const greOf = (packet: Buffer): Buffer => Buffer.concat([Buffer.of(0, 0, 0x08, 0x00), packet]);
  // 1-2: GRE between 10.0.0.5 and 203.0.113.9 carrying an echo between 172.16.0.1 and 172.16.0.2.
  const pingIn = inner({
    net: v4('172.16.0.1', '172.16.0.2'),
    l4: { type: 'icmp', icmpType: 8, code: 0, rest: 0x00200001 },
    payloadLength: 32,
  });
  const pongIn = inner({
    net: v4('172.16.0.2', '172.16.0.1'),
    l4: { type: 'icmp', icmpType: 0, code: 0, rest: 0x00200001 },
    payloadLength: 32,
  });
  list.add(1000, {
    link: link(true),
    net: v4('10.0.0.5', '203.0.113.9'),
    l4: { type: 'raw', protocol: IPPROTO_GRE },
    payload: greOf(pingIn),
  });
  list.add(1030, {
    link: link(false),
    net: v4('203.0.113.9', '10.0.0.5'),
    l4: { type: 'raw', protocol: IPPROTO_GRE },
    payload: greOf(pongIn),
  });
  // 3: IPv4-in-IPv4, 4: IPv6-in-IPv4 (6in4).
  const udpIn = inner({
    net: v4('172.16.1.1', '172.16.1.2'),
    l4: { type: 'udp', srcPort: 40050, dstPort: 40051 },
    payloadLength: 64,
  });
  list.add(5000, {
    link: link(true),
    net: v4('10.0.0.5', '198.51.100.7'),
    l4: { type: 'raw', protocol: IPPROTO_IPIP },
    payload: udpIn,
  });
  const echo6 = inner({
    net: { version: 6, src: ipv6('2001:db8:1::1'), dst: ipv6('2001:db8:2::1') },
    l4: { type: 'icmpv6', icmpType: 128, code: 0, rest: 0x00210001 },
    payloadLength: 32,
  });
  list.add(6000, {
    link: link(false),
    net: v4('198.51.100.7', '10.0.0.5'),
    l4: { type: 'raw', protocol: IPPROTO_IPV6 },
    payload: echo6,
  });
  // 5-6: a UDP probe and the ICMP port unreachable quoting its IP header + 8 bytes.
  const probe: Omit<PacketSpec, 'link'> = {
    net: v4('10.0.0.5', '93.184.216.34', 64),
    l4: { type: 'udp', srcPort: 40060, dstPort: 33434 },
    payloadLength: 32,
  };
  const probeBytes = inner(probe);
  list.add(10000, { ...probe, link: link(true) });
  list.add(10025, {
    link: link(false),
    net: v4('93.184.216.34', '10.0.0.5'),
    l4: { type: 'icmp', icmpType: 3, code: 3 },
    payload: probeBytes.subarray(0, 28),
  });
  // 7-8: the same over IPv6: ICMPv6 destination unreachable (port) quoting the whole probe.
  const probe6: Omit<PacketSpec, 'link'> = {
    net: { version: 6, src: ipv6('fd00::5'), dst: ipv6('2001:db8::1') },
    l4: { type: 'udp', srcPort: 40061, dstPort: 33435 },
    payloadLength: 32,
  };
  list.add(14000, { ...probe6, link: link(true) });
  list.add(14030, {
    link: link(false),
    net: { version: 6, src: ipv6('2001:db8::1'), dst: ipv6('fd00::5') },
    l4: { type: 'icmpv6', icmpType: 1, code: 4 },
    payload: inner(probe6),
  });
  // 9-10: SCTP INIT and the peer's ABORT (CRC32c checksums).
  const init = Buffer.alloc(20);
  init.writeUInt8(1, 0);
  init.writeUInt16BE(20, 2);
  init.writeUInt32BE(0x11223344, 4);
  init.writeUInt32BE(65536, 8);
  init.writeUInt16BE(10, 12);
  init.writeUInt16BE(10, 14);
  init.writeUInt32BE(1, 16);
  list.add(18000, {
    link: link(true),
    net: v4('10.0.0.5', '198.51.100.7'),
    l4: { type: 'sctp', srcPort: 5000, dstPort: 5001, verificationTag: 0 },
    payload: init,
  });
  list.add(18040, {
    link: link(false),
    net: v4('198.51.100.7', '10.0.0.5'),
    l4: { type: 'sctp', srcPort: 5001, dstPort: 5000, verificationTag: 0x11223344 },
    payload: Buffer.of(6, 0, 0, 4),
  });
  // 11-12: RFC 3692 experimental protocol 253 both ways.
  list.add(22000, {
    link: link(true),
    net: v4('10.0.0.5', '198.51.100.7'),
    l4: { type: 'raw', protocol: IPPROTO_EXPERIMENTAL },
    payloadLength: 100,
  });
  list.add(22050, {
    link: link(false),
    net: v4('198.51.100.7', '10.0.0.5'),
    l4: { type: 'raw', protocol: IPPROTO_EXPERIMENTAL },
    payloadLength: 40,
  });
  return {
    file: 'tunnels-and-icmp-errors.pcap',
    description:
      'Ethernet; packets whose payload holds another IP header, so naive ip.src lists have two values (count the outer header). ' +
      '1-2 GRE (47) 10.0.0.5<->203.0.113.9 carrying ICMP echo 172.16.0.1<->172.16.0.2; 3 IPIP (4) 10.0.0.5->198.51.100.7 carrying UDP ' +
      '172.16.1.1->172.16.1.2; 4 6in4 (41) 198.51.100.7->10.0.0.5 carrying ICMPv6 echo 2001:db8:1::1->2001:db8:2::1; 5 UDP ' +
      '10.0.0.5:40060->93.184.216.34:33434 and 6 the ICMP port unreachable back (quotes 28 bytes); 7 UDP [fd00::5]:40061->[2001:db8::1]:33435 ' +
      'and 8 ICMPv6 port unreachable back (quotes the whole probe); 9-10 SCTP INIT 10.0.0.5:5000->198.51.100.7:5001 and ABORT back; ' +
      '11-12 IP protocol 253 10.0.0.5<->198.51.100.7 (100 and 40 payload bytes).',
    frames: 12,
    badFrames: [],
    build: () => pcapBytes(list, { linkType: LINKTYPE_ETHERNET }),
  };
}

/** Every crafted capture, in a stable order. Building one touches no file. */
export function craftedCaptures(): CraftedCapture[] {
  return [
    vlan(),
    qinq(),
    sll(),
    sll2(),
    rawIp(
      'raw-ip.pcap',
      'Raw IP (LINKTYPE_RAW 101), IPv4 and IPv6 mixed: HTTP 10.0.0.5:51040<->93.184.216.34:80 (9), ' +
        'TLS (SNI www.facebook.com) [fd00::5]:51041<->[2001:db8::1]:443 (9), DNS A 10.0.0.5<->198.51.100.53 (2).',
      LINKTYPE_RAW,
    ),
    rawIp(
      'raw-ip-dlt12.pcap',
      'Same frames as raw-ip.pcap under link type 12 (DLT_RAW as some platforms wrote it).',
      LINKTYPE_RAW_DLT12,
    ),
    rawIp(
      'raw-ip-dlt14.pcap',
      'Same frames as raw-ip.pcap under link type 14 (DLT_RAW on OpenBSD).',
      LINKTYPE_RAW_OPENBSD_DLT14,
    ),
    nullLoopback(),
    ipv6ExtHeaders(),
    ipv4Fragments(),
    ipv6Fragments(),
    truncated(),
    twoInterfaces(),
    multiSection(),
    bigEndian(),
    nanosecond(),
    bigEndianNanosecond(),
    tunnelsAndIcmpErrors(),
  ];
}
