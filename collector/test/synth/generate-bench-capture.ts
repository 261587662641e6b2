/**
 * Benchmark capture: a large, realistic-looking Ethernet pcap, deterministic from a seed.
 *
 * Mix: IPv4 with some IPv6, TCP and UDP (ports 443, 80, 53, 123, 3478, 8080, 22, ...), frame
 * sizes 60..1514 (bulk downloads of full frames with small ACKs back, interactive small
 * packets, mixed flows), some 802.1Q-tagged flows, clients in 10.0.0.0/8 and fd00::/8,
 * servers in public ranges. Flow popularity is skewed (a few heavy flows, a long tail).
 * Payload bytes are filler (no application handshakes), so classification sees Unknown /
 * port-guessed traffic; this file measures throughput, the crafted captures test decoding.
 *
 * Per packet nothing is allocated: one frame buffer, reused header specs and typed-array flow
 * state. 1M packets take a few seconds, dominated by writing the file (~700 MB at full
 * snaplen; pass `snaplen` to store less while keeping wire lengths).
 */
import { ipv4PseudoHeaderSum, ipv6PseudoHeaderSum } from './checksum';
import type { Ipv4Spec, Ipv6Spec } from './ip';
import { IPPROTO_TCP, IPPROTO_UDP, writeIpv4, writeIpv6 } from './ip';
import type { EthernetSpec } from './link';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINKTYPE_ETHERNET, writeEthernet } from './link';
import { fillPattern } from './packet';
import { PcapWriter } from './pcap-writer';
import { SeededRandom } from './random';
import type { TcpSpec } from './transport';
import {
  TCP_ACK,
  TCP_CHECKSUM_OFFSET,
  TCP_PSH,
  UDP_CHECKSUM_OFFSET,
  fillChecksum,
  writeTcp,
  writeUdp,
} from './transport';

export interface BenchCaptureOptions {
  /** Packets to write (default 1,000,000). */
  packets?: number;
  /** Distinct flows (default 50,000). */
  flows?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Span of the timestamps (default 60 s). */
  durationSeconds?: number;
  /** First timestamp, Unix seconds (default 1,700,000,000). */
  startSeconds?: number;
  /** Stored bytes per packet at most (default 65535); wire lengths are unaffected. */
  snaplen?: number;
  /** Share of IPv6 flows (default 0.15). */
  ipv6Share?: number;
  /** Share of VLAN-tagged flows (default 0.1). */
  vlanShare?: number;
  /** Compute TCP/UDP checksums (default false: UDP 0 = none, TCP 0). IPv4 header checksums are always right. */
  l4Checksums?: boolean;
}

export interface BenchCaptureSummary {
  packets: number;
  /** Sum of wire lengths, what the collector's interface byte total must equal. */
  bytes: number;
  flows: number;
  ipv6Packets: number;
  vlanPackets: number;
  firstTs: { sec: number; nsec: number };
  lastTs: { sec: number; nsec: number };
}

const SERVICES: ReadonlyArray<{ port: number; proto: number; weight: number; kind: number }> = [
  // kind: 0 bulk download, 1 interactive, 2 mixed
  { port: 443, proto: IPPROTO_TCP, weight: 40, kind: 0 },
  { port: 443, proto: IPPROTO_UDP, weight: 12, kind: 0 },
  { port: 80, proto: IPPROTO_TCP, weight: 10, kind: 0 },
  { port: 53, proto: IPPROTO_UDP, weight: 10, kind: 1 },
  { port: 22, proto: IPPROTO_TCP, weight: 3, kind: 1 },
  { port: 123, proto: IPPROTO_UDP, weight: 2, kind: 1 },
  { port: 3478, proto: IPPROTO_UDP, weight: 5, kind: 2 },
  { port: 8080, proto: IPPROTO_TCP, weight: 5, kind: 2 },
  { port: 993, proto: IPPROTO_TCP, weight: 3, kind: 1 },
  { port: 5222, proto: IPPROTO_TCP, weight: 2, kind: 1 },
  { port: 1935, proto: IPPROTO_TCP, weight: 3, kind: 0 },
  { port: 51820, proto: IPPROTO_UDP, weight: 5, kind: 2 },
];

/** First octets of server addresses: public unicast ranges only. */
const SERVER_FIRST_OCTETS = [
  13, 20, 23, 31, 34, 35, 40, 52, 54, 64, 69, 93, 104, 108, 142, 151, 157, 172, 185, 199, 203, 209,
];

export function generateBenchCapture(path: string, options: BenchCaptureOptions = {}): BenchCaptureSummary {
  const packets = options.packets ?? 1_000_000;
  const flows = options.flows ?? 50_000;
  const rnd = new SeededRandom(options.seed ?? 1);
  const durationNs = (options.durationSeconds ?? 60) * 1e9;
  const ipv6Share = options.ipv6Share ?? 0.15;
  const vlanShare = options.vlanShare ?? 0.1;
  const l4Checksums = options.l4Checksums ?? false;
  if (!Number.isInteger(packets) || packets < 0)
    throw new Error(`packets must be a non-negative integer, got ${packets}`);
  if (!Number.isInteger(flows) || flows < 1)
    throw new Error(`flows must be a positive integer, got ${flows}`);

  // Flow table (typed arrays, set up once).
  const clientId = new Uint32Array(flows);
  const serverId = new Uint32Array(flows);
  const clientPort = new Uint16Array(flows);
  const serverPort = new Uint16Array(flows);
  const proto = new Uint8Array(flows);
  const kind = new Uint8Array(flows);
  const isV6 = new Uint8Array(flows);
  const vlan = new Int16Array(flows);
  const seqC = new Uint32Array(flows);
  const seqS = new Uint32Array(flows);
  const totalWeight = SERVICES.reduce((s, x) => s + x.weight, 0);
  const localHosts = Math.max(1, Math.min(4000, Math.ceil(flows / 12)));
  const remoteHosts = Math.max(1, Math.min(20000, Math.ceil(flows / 3)));
  for (let f = 0; f < flows; f++) {
    let w = rnd.next() * totalWeight;
    let svc = SERVICES[0];
    for (const s of SERVICES) {
      w -= s.weight;
      if (w < 0) {
        svc = s;
        break;
      }
    }
    clientId[f] = rnd.int(1, localHosts);
    serverId[f] = rnd.int(1, remoteHosts);
    clientPort[f] = rnd.int(32768, 60999);
    serverPort[f] = svc.port;
    proto[f] = svc.proto;
    kind[f] = svc.kind;
    isV6[f] = rnd.next() < ipv6Share ? 1 : 0;
    vlan[f] = rnd.next() < vlanShare ? rnd.int(2, 4094) : -1;
    seqC[f] = rnd.nextUint32();
    seqS[f] = rnd.nextUint32();
  }

  // Reused per-packet state.
  const frame = Buffer.alloc(1600);
  fillPattern(frame, 0, frame.length, 0x5a);
  const macClient = Buffer.from([0x02, 0, 0, 0, 0, 0]);
  const macGateway = Buffer.from([0x02, 0x00, 0x5e, 0x00, 0x00, 0x01]);
  const eth: EthernetSpec = { dst: macGateway, src: macClient, vlanId: -1 };
  const v4: Ipv4Spec = {
    src: 0,
    dst: 0,
    protocol: IPPROTO_TCP,
    payloadLength: 0,
    id: 0,
    ttl: 64,
    dontFragment: true,
  };
  const v6Client = Buffer.from([0xfd, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const v6Server = Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const v6: Ipv6Spec = {
    src: v6Client,
    dst: v6Server,
    nextHeader: IPPROTO_TCP,
    payloadLength: 0,
    hopLimit: 64,
  };
  const tcp: TcpSpec = { srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: TCP_ACK, window: 64240 };

  const writer = PcapWriter.open(path, { linkType: LINKTYPE_ETHERNET, snaplen: options.snaplen ?? 65535 });
  let sec = options.startSeconds ?? 1_700_000_000;
  let nsec = 0;
  const meanGapNs = packets > 0 ? durationNs / packets : 0;
  const summary: BenchCaptureSummary = {
    packets: 0,
    bytes: 0,
    flows,
    ipv6Packets: 0,
    vlanPackets: 0,
    firstTs: { sec, nsec },
    lastTs: { sec, nsec },
  };
  let ipId = rnd.nextUint32() & 0xffff;

  try {
    for (let i = 0; i < packets; i++) {
      // Skewed popularity: low indexes are heavy flows.
      const r = rnd.next();
      const f = Math.floor(flows * r * r * r);
      const k = kind[f];
      const p = proto[f];
      const v6flow = isV6[f] === 1;
      // Direction and frame size by flow kind.
      const d = rnd.next();
      let fromClient: boolean;
      let frameLen: number;
      if (k === 0) {
        fromClient = d < 0.3;
        frameLen = fromClient ? rnd.int(60, 120) : d < 0.9 ? 1514 : rnd.int(200, 1514);
      } else if (k === 1) {
        fromClient = d < 0.5;
        frameLen = rnd.int(60, 320);
      } else {
        fromClient = d < 0.5;
        frameLen = rnd.int(60, 1514);
      }

      // Ethernet (+ tag).
      const cid = clientId[f];
      macClient[3] = (cid >>> 16) & 0xff;
      macClient[4] = (cid >>> 8) & 0xff;
      macClient[5] = cid & 0xff;
      eth.src = fromClient ? macClient : macGateway;
      eth.dst = fromClient ? macGateway : macClient;
      eth.vlanId = vlan[f];
      const tagged = vlan[f] >= 0;
      const l2 = writeEthernet(frame, 0, eth, v6flow ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
      const ipHeader = v6flow ? 40 : 20;
      const l4Header = p === IPPROTO_TCP ? 20 : 8;
      const minLen = l2 + ipHeader + l4Header;
      if (frameLen < minLen) frameLen = minLen;
      if (frameLen > 1514 + (tagged ? 4 : 0)) frameLen = 1514 + (tagged ? 4 : 0);
      const l4Len = frameLen - l2 - ipHeader;
      const payloadLen = l4Len - l4Header;
      const l4Off = l2 + ipHeader;
      const sport = fromClient ? clientPort[f] : serverPort[f];
      const dport = fromClient ? serverPort[f] : clientPort[f];

      // Transport.
      if (p === IPPROTO_TCP) {
        tcp.srcPort = sport;
        tcp.dstPort = dport;
        tcp.seq = fromClient ? seqC[f] : seqS[f];
        tcp.ack = fromClient ? seqS[f] : seqC[f];
        tcp.flags = payloadLen > 0 ? TCP_PSH | TCP_ACK : TCP_ACK;
        writeTcp(frame, l4Off, tcp);
        if (fromClient) seqC[f] = (seqC[f] + payloadLen) >>> 0;
        else seqS[f] = (seqS[f] + payloadLen) >>> 0;
      } else {
        writeUdp(frame, l4Off, sport, dport, payloadLen);
      }

      // Network.
      const sid = serverId[f];
      const clientV4 = (0x0a000000 | cid) >>> 0;
      const serverV4 =
        ((SERVER_FIRST_OCTETS[sid % SERVER_FIRST_OCTETS.length] << 24) | ((sid * 2654435761) & 0xffffff)) >>>
        0;
      let pseudo = 0;
      if (v6flow) {
        v6Client.writeUInt32BE(cid, 12);
        v6Server.writeUInt32BE(sid, 4);
        v6Server.writeUInt32BE((sid * 2654435761) >>> 0, 12);
        v6.src = fromClient ? v6Client : v6Server;
        v6.dst = fromClient ? v6Server : v6Client;
        v6.nextHeader = p;
        v6.payloadLength = l4Len;
        writeIpv6(frame, l2, v6);
        if (l4Checksums) pseudo = ipv6PseudoHeaderSum(v6.src, v6.dst, p, l4Len);
        summary.ipv6Packets++;
      } else {
        v4.src = fromClient ? clientV4 : serverV4;
        v4.dst = fromClient ? serverV4 : clientV4;
        v4.protocol = p;
        v4.payloadLength = l4Len;
        ipId = (ipId + 1) & 0xffff;
        v4.id = ipId;
        v4.ttl = fromClient ? 64 : 52;
        writeIpv4(frame, l2, v4);
        if (l4Checksums) pseudo = ipv4PseudoHeaderSum(v4.src, v4.dst, p, l4Len);
      }
      if (l4Checksums) {
        if (p === IPPROTO_TCP) fillChecksum(frame, l4Off, l4Len, TCP_CHECKSUM_OFFSET, pseudo);
        else fillChecksum(frame, l4Off, l4Len, UDP_CHECKSUM_OFFSET, pseudo, true);
      }
      if (tagged) summary.vlanPackets++;

      // Clock: exponential gaps around the mean.
      const gap = Math.floor(-Math.log(1 - rnd.next()) * meanGapNs);
      nsec += gap;
      while (nsec >= 1e9) {
        nsec -= 1e9;
        sec++;
      }
      if (i === 0) {
        summary.firstTs.sec = sec;
        summary.firstTs.nsec = nsec;
      }
      writer.writeFrom(0, sec, nsec, frame, 0, frameLen, frameLen);
      summary.packets++;
      summary.bytes += frameLen;
    }
  } finally {
    writer.close();
  }
  summary.lastTs.sec = sec;
  summary.lastTs.nsec = nsec;
  return summary;
}

function parseArgs(argv: string[]): { path: string; options: BenchCaptureOptions } {
  const [path, ...rest] = argv;
  if (!path || path.startsWith('-')) {
    throw new Error(
      'usage: generate-bench-capture OUT.pcap [--packets N] [--flows N] [--seed N] [--snaplen N] [--duration S] [--checksums]',
    );
  }
  const options: BenchCaptureOptions = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = (): number => {
      const v = Number(rest[++i]);
      if (!Number.isFinite(v)) throw new Error(`${flag} needs a number`);
      return v;
    };
    if (flag === '--packets') options.packets = value();
    else if (flag === '--flows') options.flows = value();
    else if (flag === '--seed') options.seed = value();
    else if (flag === '--snaplen') options.snaplen = value();
    else if (flag === '--duration') options.durationSeconds = value();
    else if (flag === '--checksums') options.l4Checksums = true;
    else throw new Error(`unknown option ${flag}`);
  }
  return { path, options };
}

if (require.main === module) {
  const { path, options } = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const s = generateBenchCapture(path, options);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${path}: ${s.packets} packets, ${s.bytes} bytes on the wire, ${s.flows} flows, ${seconds.toFixed(2)} s\n`,
  );
}
