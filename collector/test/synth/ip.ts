/**
 * IPv4 and IPv6 header builders. Each writes at `buf[offset]` and returns the header length
 * (for IPv6 including the extension headers), filling lengths from `payloadLength` (the bytes
 * after the headers written here).
 */
import { finishChecksum, onesComplementSum } from './checksum';

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;
export const IPPROTO_SCTP = 132;
/** RFC 3692 experimental protocol number: payload no dissector knows. */
export const IPPROTO_EXPERIMENTAL = 253;

export interface Ipv4Spec {
  src: number;
  dst: number;
  protocol: number;
  /** Bytes after the IPv4 header (the L4 header and payload, or this fragment's share). */
  payloadLength: number;
  ttl?: number;
  tos?: number;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  /** Raw option bytes; padded with End-of-Options to a multiple of 4. */
  options?: Uint8Array;
  /** Writes this total length instead of the true one (malformed packets). */
  totalLengthOverride?: number;
  /** Writes this IHL (in 32-bit words) instead of the true one (malformed packets). */
  ihlOverride?: number;
}

export function ipv4HeaderLength(spec: Ipv4Spec): number {
  const optionsLength = spec.options ? spec.options.length : 0;
  return 20 + Math.ceil(optionsLength / 4) * 4;
}

export function writeIpv4(buf: Buffer, offset: number, spec: Ipv4Spec): number {
  const headerLength = ipv4HeaderLength(spec);
  const ihl = spec.ihlOverride ?? headerLength / 4;
  buf[offset] = 0x40 | (ihl & 0x0f);
  buf[offset + 1] = spec.tos ?? 0;
  buf.writeUInt16BE((spec.totalLengthOverride ?? headerLength + spec.payloadLength) & 0xffff, offset + 2);
  buf.writeUInt16BE((spec.id ?? 0) & 0xffff, offset + 4);
  let flagsAndOffset = ((spec.fragmentOffset ?? 0) >>> 3) & 0x1fff;
  if (spec.dontFragment) flagsAndOffset |= 0x4000;
  if (spec.moreFragments) flagsAndOffset |= 0x2000;
  buf.writeUInt16BE(flagsAndOffset, offset + 6);
  buf[offset + 8] = spec.ttl ?? 64;
  buf[offset + 9] = spec.protocol;
  buf.writeUInt16BE(0, offset + 10);
  buf.writeUInt32BE(spec.src >>> 0, offset + 12);
  buf.writeUInt32BE(spec.dst >>> 0, offset + 16);
  if (spec.options) {
    buf.set(spec.options, offset + 20);
    buf.fill(0, offset + 20 + spec.options.length, offset + headerLength);
  }
  const checksummed = Math.min(headerLength, ihl * 4);
  buf.writeUInt16BE(finishChecksum(onesComplementSum(buf, offset, checksummed)), offset + 10);
  return headerLength;
}

/** Hop-by-hop or destination options header; `options` are TLVs, padded with Pad1/PadN. */
export interface Ipv6OptionsExtension {
  kind: 'hop-by-hop' | 'destination';
  options?: Uint8Array;
}

/** Routing header with the type 0/2 layout: 4 reserved bytes, then the addresses. */
export interface Ipv6RoutingExtension {
  kind: 'routing';
  routingType: number;
  segmentsLeft: number;
  addresses: readonly Uint8Array[];
}

export interface Ipv6FragmentExtension {
  kind: 'fragment';
  /** Fragment offset in bytes (a multiple of 8). */
  offset: number;
  more: boolean;
  id: number;
}

export type Ipv6Extension = Ipv6OptionsExtension | Ipv6RoutingExtension | Ipv6FragmentExtension;

export interface Ipv6Spec {
  src: Uint8Array;
  dst: Uint8Array;
  /** Protocol after the last extension header (e.g. IPPROTO_UDP). */
  nextHeader: number;
  /** Bytes after all headers written here. */
  payloadLength: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Extension headers in wire order. */
  extensions?: readonly Ipv6Extension[];
}

const EXTENSION_NUMBERS: Record<Ipv6Extension['kind'], number> = {
  'hop-by-hop': IPPROTO_HOPOPTS,
  destination: IPPROTO_DSTOPTS,
  routing: IPPROTO_ROUTING,
  fragment: IPPROTO_FRAGMENT,
};

function extensionLength(ext: Ipv6Extension): number {
  switch (ext.kind) {
    case 'fragment':
      return 8;
    case 'routing':
      return 8 + 16 * ext.addresses.length;
    default:
      return Math.ceil((2 + (ext.options ? ext.options.length : 0)) / 8) * 8;
  }
}

export function ipv6HeaderLength(spec: Ipv6Spec): number {
  let len = 40;
  if (spec.extensions) for (const ext of spec.extensions) len += extensionLength(ext);
  return len;
}

function writeExtension(buf: Buffer, offset: number, ext: Ipv6Extension, next: number): number {
  const len = extensionLength(ext);
  buf[offset] = next;
  switch (ext.kind) {
    case 'fragment':
      buf[offset + 1] = 0;
      buf.writeUInt16BE((ext.offset & 0xfff8) | (ext.more ? 1 : 0), offset + 2);
      buf.writeUInt32BE(ext.id >>> 0, offset + 4);
      break;
    case 'routing':
      buf[offset + 1] = len / 8 - 1;
      buf[offset + 2] = ext.routingType;
      buf[offset + 3] = ext.segmentsLeft;
      buf.writeUInt32BE(0, offset + 4);
      for (let i = 0; i < ext.addresses.length; i++) buf.set(ext.addresses[i], offset + 8 + 16 * i);
      break;
    default: {
      buf[offset + 1] = len / 8 - 1;
      let at = offset + 2;
      if (ext.options) {
        buf.set(ext.options, at);
        at += ext.options.length;
      }
      const pad = offset + len - at;
      if (pad === 1) buf[at] = 0;
      else if (pad >= 2) {
        buf[at] = 1;
        buf[at + 1] = pad - 2;
        buf.fill(0, at + 2, at + pad);
      }
    }
  }
  return len;
}

export function writeIpv6(buf: Buffer, offset: number, spec: Ipv6Spec): number {
  const headerLength = ipv6HeaderLength(spec);
  const exts = spec.extensions;
  const first = exts && exts.length > 0 ? EXTENSION_NUMBERS[exts[0].kind] : spec.nextHeader;
  const tc = spec.trafficClass ?? 0;
  buf.writeUInt32BE(((6 << 28) | (tc << 20) | ((spec.flowLabel ?? 0) & 0xfffff)) >>> 0, offset);
  buf.writeUInt16BE(headerLength - 40 + spec.payloadLength, offset + 4);
  buf[offset + 6] = first;
  buf[offset + 7] = spec.hopLimit ?? 64;
  buf.set(spec.src, offset + 8);
  buf.set(spec.dst, offset + 24);
  if (exts) {
    let at = offset + 40;
    for (let i = 0; i < exts.length; i++) {
      const next = i + 1 < exts.length ? EXTENSION_NUMBERS[exts[i + 1].kind] : spec.nextHeader;
      at += writeExtension(buf, at, exts[i], next);
    }
  }
  return headerLength;
}

/** Hop-by-hop option TLV: Router Alert (RFC 2711), value 0 = MLD. */
export const HBH_ROUTER_ALERT_MLD = Uint8Array.of(0x05, 0x02, 0x00, 0x00);
