import { LinkType } from './link-types';
import { DecodeStatus, type PacketView } from './packet-view';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_SCTP = 132;
const PROTO_UDPLITE = 136;

/**
 * Decodes one frame into `view`: link layer, VLAN tags, IPv4/IPv6 (with extension
 * headers and fragments) and transport ports. Never throws and never allocates: every
 * header is bounds-checked against `capLen` once and bad bytes yield `Malformed`.
 */
export function decodePacket(
  view: PacketView,
  linkType: number,
  buf: Buffer,
  offset: number,
  capLen: number,
): DecodeStatus {
  view.vlanId = 0;
  view.ipVersion = 0;
  const end = offset + capLen;
  let p = offset;
  let etherType = 0;
  switch (linkType) {
    case LinkType.Ethernet:
      if (capLen < 14) return (view.status = DecodeStatus.Malformed);
      etherType = (buf[p + 12] << 8) | buf[p + 13];
      p += 14;
      break;
    case LinkType.LinuxSll:
      if (capLen < 16) return (view.status = DecodeStatus.Malformed);
      etherType = (buf[p + 14] << 8) | buf[p + 15];
      p += 16;
      break;
    case LinkType.LinuxSll2:
      if (capLen < 20) return (view.status = DecodeStatus.Malformed);
      etherType = (buf[p] << 8) | buf[p + 1];
      p += 20;
      break;
    case LinkType.Null:
    case LinkType.Loop: {
      if (capLen < 4) return (view.status = DecodeStatus.Malformed);
      // The address family is in the writer's byte order for NULL, network order for LOOP.
      const family =
        buf[p] !== 0 || buf[p + 1] !== 0 ? buf[p] | (buf[p + 1] << 8) : (buf[p + 2] << 8) | buf[p + 3];
      p += 4;
      if (family === 2) etherType = ETH_IPV4;
      else if (family === 10 || family === 24 || family === 28 || family === 30) etherType = ETH_IPV6;
      else return (view.status = DecodeStatus.NotIp);
      break;
    }
    case LinkType.Raw:
    case LinkType.RawBsd:
    case LinkType.RawOpenBsd:
      if (capLen < 1) return (view.status = DecodeStatus.Malformed);
      etherType = buf[p] >> 4 === 4 ? ETH_IPV4 : buf[p] >> 4 === 6 ? ETH_IPV6 : 0;
      if (etherType === 0) return (view.status = DecodeStatus.Malformed);
      break;
    case LinkType.Ipv4:
      etherType = ETH_IPV4;
      break;
    case LinkType.Ipv6:
      etherType = ETH_IPV6;
      break;
    default:
      return (view.status = DecodeStatus.UnsupportedLink);
  }
  while (etherType === ETH_VLAN || etherType === ETH_QINQ || etherType === ETH_QINQ_OLD) {
    if (end - p < 4) return (view.status = DecodeStatus.Malformed);
    view.vlanId = ((buf[p] << 8) | buf[p + 1]) & 0xfff;
    etherType = (buf[p + 2] << 8) | buf[p + 3];
    p += 4;
  }
  if (etherType === ETH_IPV4) return (view.status = decodeIpv4(view, buf, p, end));
  if (etherType === ETH_IPV6) return (view.status = decodeIpv6(view, buf, p, end));
  return (view.status = DecodeStatus.NotIp);
}

function decodeIpv4(view: PacketView, buf: Buffer, p: number, end: number): DecodeStatus {
  if (end - p < 16 || buf[p] >> 4 !== 4) return DecodeStatus.Malformed;
  const headerLength = (buf[p] & 0x0f) * 4;
  const totalLength = (buf[p + 2] << 8) | buf[p + 3];
  if (headerLength < 20 || totalLength < headerLength) return DecodeStatus.Malformed;
  if (end - p < headerLength) {
    if (end - p >= 20) return DecodeStatus.Malformed;
    // Snapped inside the header: the sender is still known, as tshark also reports it.
    view.ipVersion = 4;
    view.src[0] = view.src[1] = view.src[2] = 0;
    view.src[3] = ((buf[p + 12] << 24) | (buf[p + 13] << 16) | (buf[p + 14] << 8) | buf[p + 15]) >>> 0;
    return DecodeStatus.SourceOnly;
  }
  view.ipVersion = 4;
  view.ipOffset = p;
  // A snapped frame holds less than the datagram; padding may make it hold more.
  view.ipLength = Math.min(totalLength, end - p);
  const src = view.src;
  const dst = view.dst;
  src[0] = src[1] = src[2] = 0;
  dst[0] = dst[1] = dst[2] = 0;
  src[3] = ((buf[p + 12] << 24) | (buf[p + 13] << 16) | (buf[p + 14] << 8) | buf[p + 15]) >>> 0;
  dst[3] = ((buf[p + 16] << 24) | (buf[p + 17] << 16) | (buf[p + 18] << 8) | buf[p + 19]) >>> 0;
  const flagsOffset = (buf[p + 6] << 8) | buf[p + 7];
  const fragmentOffset = (flagsOffset & 0x1fff) * 8;
  view.isFragment = (flagsOffset & 0x2000) !== 0 || fragmentOffset !== 0;
  view.fragmentOffset = fragmentOffset;
  view.fragmentId = (buf[p + 4] << 8) | buf[p + 5];
  view.l4Proto = buf[p + 9];
  decodeTransport(view, buf, p + headerLength, Math.min(end, p + totalLength));
  return DecodeStatus.Ok;
}

function decodeIpv6(view: PacketView, buf: Buffer, p: number, end: number): DecodeStatus {
  if (end - p < 24 || buf[p] >> 4 !== 6) return DecodeStatus.Malformed;
  const payloadLength = (buf[p + 4] << 8) | buf[p + 5];
  view.ipVersion = 6;
  if (end - p < 40) {
    for (let i = 0; i < 4; i++) {
      const s = p + 8 + i * 4;
      view.src[i] = ((buf[s] << 24) | (buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3]) >>> 0;
    }
    return DecodeStatus.SourceOnly;
  }
  view.ipOffset = p;
  view.ipLength = Math.min(40 + payloadLength, end - p);
  const src = view.src;
  const dst = view.dst;
  for (let i = 0; i < 4; i++) {
    const s = p + 8 + i * 4;
    const d = p + 24 + i * 4;
    src[i] = ((buf[s] << 24) | (buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3]) >>> 0;
    dst[i] = ((buf[d] << 24) | (buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3]) >>> 0;
  }
  const packetEnd = Math.min(end, p + 40 + payloadLength);
  view.isFragment = false;
  view.fragmentOffset = 0;
  view.fragmentId = 0;
  let next = buf[p + 6];
  let q = p + 40;
  // Walk extension headers; a truncated chain leaves the packet valid at the IP level.
  for (;;) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (packetEnd - q < 8) break;
      const len = (buf[q + 1] + 1) * 8;
      next = buf[q];
      q += len;
    } else if (next === 51) {
      if (packetEnd - q < 8) break;
      const len = (buf[q + 1] + 2) * 4;
      next = buf[q];
      q += len;
    } else if (next === 44) {
      if (packetEnd - q < 8) break;
      const offsetFlags = (buf[q + 2] << 8) | buf[q + 3];
      view.isFragment = true;
      view.fragmentOffset = offsetFlags & 0xfff8;
      view.fragmentId = ((buf[q + 4] << 24) | (buf[q + 5] << 16) | (buf[q + 6] << 8) | buf[q + 7]) >>> 0;
      next = buf[q];
      q += 8;
    } else {
      break;
    }
  }
  view.l4Proto = next;
  decodeTransport(view, buf, q, packetEnd);
  return DecodeStatus.Ok;
}

function decodeTransport(view: PacketView, buf: Buffer, p: number, end: number): void {
  view.srcPort = 0;
  view.dstPort = 0;
  view.tcpFlags = 0;
  if (view.fragmentOffset !== 0 || end - p < 4) return;
  const proto = view.l4Proto;
  if (proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP || proto === PROTO_UDPLITE) {
    view.srcPort = (buf[p] << 8) | buf[p + 1];
    view.dstPort = (buf[p + 2] << 8) | buf[p + 3];
    if (proto === PROTO_TCP && end - p >= 14) view.tcpFlags = buf[p + 13];
  }
}
