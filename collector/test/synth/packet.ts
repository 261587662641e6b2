/**
 * Whole-frame builder for hand-written test packets: link + network + transport + payload
 * from one declarative spec. Convenient rather than fast (it makes a few small objects per
 * call); the bulk generator calls the header builders directly.
 */
import { ipv4PseudoHeaderSum, ipv6PseudoHeaderSum } from './checksum';
import type { Ipv4Spec, Ipv6Spec } from './ip';
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  ipv4HeaderLength,
  ipv6HeaderLength,
  writeIpv4,
  writeIpv6,
} from './ip';
import type { ArpSpec, EthernetSpec, Sll2Spec, SllSpec } from './link';
import {
  AF_INET,
  AF_INET6_BSD,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernetHeaderLength,
  writeArp,
  writeEthernet,
  writeNull,
  writeSll,
  writeSll2,
} from './link';
import type { TcpSpec } from './transport';
import {
  ICMP_CHECKSUM_OFFSET,
  TCP_CHECKSUM_OFFSET,
  UDP_CHECKSUM_OFFSET,
  fillChecksum,
  fillSctpChecksum,
  tcpHeaderLength,
  writeIcmp,
  writeSctpCommon,
  writeTcp,
  writeUdp,
} from './transport';

export type LinkSpec =
  | ({ type: 'ethernet' } & EthernetSpec)
  | ({ type: 'sll' } & SllSpec)
  | ({ type: 'sll2' } & Sll2Spec)
  /** `littleEndian` must match the capture file's byte order; `inet6Family` defaults to 24. */
  | { type: 'null'; littleEndian: boolean; inet6Family?: number }
  | { type: 'raw' };

export type NetworkSpec =
  | ({ version: 4 } & Omit<Ipv4Spec, 'protocol' | 'payloadLength'> & { protocol?: number })
  | ({ version: 6 } & Omit<Ipv6Spec, 'nextHeader' | 'payloadLength'> & { nextHeader?: number })
  | ({ version: 'arp' } & ArpSpec)
  /** No network header: the payload follows the link header, announced as `etherType`. */
  | { version: 'none'; etherType: number };

export type TransportSpec =
  | ({ type: 'tcp' } & TcpSpec)
  | { type: 'udp'; srcPort: number; dstPort: number }
  | { type: 'icmp' | 'icmpv6'; icmpType: number; code: number; rest?: number }
  /** SCTP common header; the payload holds the chunks. */
  | { type: 'sctp'; srcPort: number; dstPort: number; verificationTag: number }
  /** The payload follows the IP header verbatim under `protocol` (fragments, GRE, ...). */
  | { type: 'raw'; protocol: number };

export interface PacketSpec {
  link: LinkSpec;
  net: NetworkSpec;
  /** Required for IP packets. */
  l4?: TransportSpec;
  payload?: Uint8Array;
  /** Payload length when `payload` is absent; filled with a repeating byte pattern. */
  payloadLength?: number;
  /** Zero-pads the frame to at least this length (60 for Ethernet's minimum without FCS). */
  padTo?: number;
}

function linkLength(link: LinkSpec): number {
  switch (link.type) {
    case 'ethernet':
      return ethernetHeaderLength(link);
    case 'sll':
      return 16;
    case 'sll2':
      return 20;
    case 'null':
      return 4;
    case 'raw':
      return 0;
  }
}

function writeLink(buf: Buffer, link: LinkSpec, net: NetworkSpec): number {
  const etherType =
    net.version === 4
      ? ETHERTYPE_IPV4
      : net.version === 6
        ? ETHERTYPE_IPV6
        : net.version === 'arp'
          ? ETHERTYPE_ARP
          : net.etherType;
  switch (link.type) {
    case 'ethernet':
      return writeEthernet(buf, 0, link, etherType);
    case 'sll':
      return writeSll(buf, 0, link, etherType);
    case 'sll2':
      return writeSll2(buf, 0, link, etherType);
    case 'null':
      if (net.version !== 4 && net.version !== 6) throw new Error('NULL/loopback frames carry only IP');
      return writeNull(
        buf,
        0,
        net.version === 4 ? AF_INET : (link.inet6Family ?? AF_INET6_BSD),
        link.littleEndian,
      );
    case 'raw':
      if (net.version !== 4 && net.version !== 6) throw new Error('raw-IP frames carry only IP');
      return 0;
  }
}

function l4HeaderLength(l4: TransportSpec): number {
  switch (l4.type) {
    case 'tcp':
      return tcpHeaderLength(l4);
    case 'udp':
    case 'icmp':
    case 'icmpv6':
      return 8;
    case 'sctp':
      return 12;
    case 'raw':
      return 0;
  }
}

function l4Protocol(l4: TransportSpec): number {
  switch (l4.type) {
    case 'tcp':
      return IPPROTO_TCP;
    case 'udp':
      return IPPROTO_UDP;
    case 'icmp':
      return IPPROTO_ICMP;
    case 'icmpv6':
      return IPPROTO_ICMPV6;
    case 'sctp':
      return IPPROTO_SCTP;
    case 'raw':
      return l4.protocol;
  }
}

/** Fills `buf[offset .. offset+length)` with the byte pattern used for synthetic payloads. */
export function fillPattern(buf: Buffer, offset: number, length: number, seed = 0): void {
  for (let i = 0; i < length; i++) buf[offset + i] = (seed + i * 7) & 0xff;
}

/** Builds the frame into `buf` from offset 0 and returns its length. */
export function buildPacket(buf: Buffer, spec: PacketSpec): number {
  const { link, net } = spec;
  const l2 = linkLength(link);
  let end: number;
  if (net.version === 'arp') {
    end = l2 + writeArp(buf, l2, net);
  } else if (net.version === 'none') {
    const n = spec.payload ? spec.payload.length : (spec.payloadLength ?? 0);
    if (spec.payload) buf.set(spec.payload, l2);
    else fillPattern(buf, l2, n);
    end = l2 + n;
  } else {
    const l4 = spec.l4;
    if (!l4) throw new Error('IP packets need an l4 spec');
    const protocol = l4Protocol(l4);
    const payloadLength = spec.payload ? spec.payload.length : (spec.payloadLength ?? 0);
    const l4Header = l4HeaderLength(l4);
    const l4Length = l4Header + payloadLength;
    const ipSpec4: Ipv4Spec | undefined =
      net.version === 4 ? { ...net, protocol: net.protocol ?? protocol, payloadLength: l4Length } : undefined;
    const ipSpec6: Ipv6Spec | undefined =
      net.version === 6
        ? { ...net, nextHeader: net.nextHeader ?? protocol, payloadLength: l4Length }
        : undefined;
    const l3 = ipSpec4 ? ipv4HeaderLength(ipSpec4) : ipv6HeaderLength(ipSpec6 as Ipv6Spec);
    const l4Offset = l2 + l3;
    const payloadOffset = l4Offset + l4Header;
    if (spec.payload) buf.set(spec.payload, payloadOffset);
    else fillPattern(buf, payloadOffset, payloadLength);
    let pseudo = 0;
    if (ipSpec4) pseudo = ipv4PseudoHeaderSum(ipSpec4.src, ipSpec4.dst, protocol, l4Length);
    else if (ipSpec6)
      pseudo = ipv6PseudoHeaderSum(ipSpec6.src, finalDestination(ipSpec6), protocol, l4Length);
    switch (l4.type) {
      case 'tcp':
        writeTcp(buf, l4Offset, l4);
        fillChecksum(buf, l4Offset, l4Length, TCP_CHECKSUM_OFFSET, pseudo);
        break;
      case 'udp':
        writeUdp(buf, l4Offset, l4.srcPort, l4.dstPort, payloadLength);
        fillChecksum(buf, l4Offset, l4Length, UDP_CHECKSUM_OFFSET, pseudo, true);
        break;
      case 'icmp':
      case 'icmpv6':
        writeIcmp(buf, l4Offset, l4.icmpType, l4.code, l4.rest ?? 0);
        fillChecksum(buf, l4Offset, l4Length, ICMP_CHECKSUM_OFFSET, l4.type === 'icmp' ? 0 : pseudo);
        break;
      case 'sctp':
        writeSctpCommon(buf, l4Offset, l4.srcPort, l4.dstPort, l4.verificationTag);
        fillSctpChecksum(buf, l4Offset, l4Length);
        break;
      case 'raw':
        break;
    }
    if (ipSpec4) writeIpv4(buf, l2, ipSpec4);
    else writeIpv6(buf, l2, ipSpec6 as Ipv6Spec);
    end = payloadOffset + payloadLength;
  }
  writeLink(buf, link, net);
  if (spec.padTo !== undefined && end < spec.padTo) {
    buf.fill(0, end, spec.padTo);
    end = spec.padTo;
  }
  return end;
}

/** The destination the upper-layer checksum covers: the last routing-header address if segments remain. */
function finalDestination(spec: Ipv6Spec): Uint8Array {
  if (spec.extensions) {
    for (const ext of spec.extensions) {
      if (ext.kind === 'routing' && ext.segmentsLeft > 0 && ext.addresses.length > 0) {
        return ext.addresses[ext.addresses.length - 1];
      }
    }
  }
  return spec.dst;
}

/** Builds a frame into a new Buffer of exactly its length. */
export function packetBytes(spec: PacketSpec, scratch: Buffer = Buffer.alloc(65600)): Buffer {
  const n = buildPacket(scratch, spec);
  return Buffer.from(scratch.subarray(0, n));
}
