/**
 * Link-layer header builders. Each writes at `buf[offset]` and returns the header length.
 *
 * Link types (pcap `LINKTYPE_*` values as written in capture files):
 * - 1 Ethernet II, with optional 802.1Q tag or 802.1ad (QinQ: 0x88a8 outer + 0x8100 inner)
 * - 113 Linux cooked v1 (SLL), 276 Linux cooked v2 (SLL2)
 * - 0 BSD NULL/loopback: a 4-byte address family in the capturing host's byte order
 * - 101 raw IP (LINKTYPE_RAW). Some platforms wrote their DLT_RAW value instead: 12 on most
 *   BSDs and Linux (libpcap maps it to 101 when writing, but old files exist) and 14 on
 *   OpenBSD. Readers should treat 12 and 14 as raw IP as well; Wireshark does.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_RAW_DLT12 = 12;
export const LINKTYPE_RAW_OPENBSD_DLT14 = 14;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;

/** Address families as BSD NULL/loopback headers carry them. */
export const AF_INET = 2;
/** AF_INET6 on NetBSD/OpenBSD (also what Wireshark documents as the portable value). */
export const AF_INET6_BSD = 24;
export const AF_INET6_FREEBSD = 28;
export const AF_INET6_DARWIN = 30;

/** Linux cooked-capture packet types. */
export const SLL_HOST = 0;
export const SLL_BROADCAST = 1;
export const SLL_MULTICAST = 2;
export const SLL_OTHERHOST = 3;
export const SLL_OUTGOING = 4;

export const ARPHRD_ETHER = 1;

export interface EthernetSpec {
  dst: Uint8Array;
  src: Uint8Array;
  /** 802.1Q VLAN id (the inner tag for QinQ); undefined or negative: untagged. */
  vlanId?: number;
  /** 802.1ad service VLAN id, written as a 0x88a8 tag before the 0x8100 tag. */
  outerVlanId?: number;
  /** Priority code point for the tags (0..7). */
  priority?: number;
}

export function ethernetHeaderLength(spec: EthernetSpec): number {
  let len = 14;
  if (spec.vlanId !== undefined && spec.vlanId >= 0) len += 4;
  if (spec.outerVlanId !== undefined && spec.outerVlanId >= 0) len += 4;
  return len;
}

/** Writes the addresses, tags and `etherType` (the payload's type, after any tags). */
export function writeEthernet(buf: Buffer, offset: number, spec: EthernetSpec, etherType: number): number {
  buf.set(spec.dst, offset);
  buf.set(spec.src, offset + 6);
  let at = offset + 12;
  const pcp = ((spec.priority ?? 0) & 7) << 13;
  if (spec.outerVlanId !== undefined && spec.outerVlanId >= 0) {
    buf.writeUInt16BE(ETHERTYPE_QINQ, at);
    buf.writeUInt16BE(pcp | (spec.outerVlanId & 0xfff), at + 2);
    at += 4;
  }
  if (spec.vlanId !== undefined && spec.vlanId >= 0) {
    buf.writeUInt16BE(ETHERTYPE_VLAN, at);
    buf.writeUInt16BE(pcp | (spec.vlanId & 0xfff), at + 2);
    at += 4;
  }
  buf.writeUInt16BE(etherType, at);
  return at + 2 - offset;
}

export interface SllSpec {
  /** SLL_HOST, SLL_OUTGOING, ... */
  packetType: number;
  /** ARPHRD_* of the device; default ARPHRD_ETHER. */
  arphrdType?: number;
  /** Link-layer source address (up to 8 bytes, e.g. a MAC). */
  address: Uint8Array;
}

/** Linux cooked capture v1 header (16 bytes, LINKTYPE_LINUX_SLL). */
export function writeSll(buf: Buffer, offset: number, spec: SllSpec, protocol: number): number {
  buf.writeUInt16BE(spec.packetType, offset);
  buf.writeUInt16BE(spec.arphrdType ?? ARPHRD_ETHER, offset + 2);
  buf.writeUInt16BE(spec.address.length, offset + 4);
  buf.fill(0, offset + 6, offset + 14);
  buf.set(spec.address.subarray(0, 8), offset + 6);
  buf.writeUInt16BE(protocol, offset + 14);
  return 16;
}

export interface Sll2Spec extends SllSpec {
  /** Interface index of the capturing device. */
  interfaceIndex: number;
}

/** Linux cooked capture v2 header (20 bytes, LINKTYPE_LINUX_SLL2). */
export function writeSll2(buf: Buffer, offset: number, spec: Sll2Spec, protocol: number): number {
  buf.writeUInt16BE(protocol, offset);
  buf.writeUInt16BE(0, offset + 2);
  buf.writeUInt32BE(spec.interfaceIndex >>> 0, offset + 4);
  buf.writeUInt16BE(spec.arphrdType ?? ARPHRD_ETHER, offset + 8);
  buf[offset + 10] = spec.packetType;
  buf[offset + 11] = spec.address.length;
  buf.fill(0, offset + 12, offset + 20);
  buf.set(spec.address.subarray(0, 8), offset + 12);
  return 20;
}

/**
 * BSD NULL/loopback header: the address family as a 32-bit value in the byte order of the
 * host that captured, which a writer should make the same as the file's byte order.
 */
export function writeNull(buf: Buffer, offset: number, family: number, littleEndian: boolean): number {
  if (littleEndian) buf.writeUInt32LE(family >>> 0, offset);
  else buf.writeUInt32BE(family >>> 0, offset);
  return 4;
}

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export interface ArpSpec {
  op: number;
  senderMac: Uint8Array;
  senderIp: number;
  targetMac: Uint8Array;
  targetIp: number;
}

/** ARP for IPv4 over Ethernet (28 bytes). */
export function writeArp(buf: Buffer, offset: number, spec: ArpSpec): number {
  buf.writeUInt16BE(ARPHRD_ETHER, offset);
  buf.writeUInt16BE(ETHERTYPE_IPV4, offset + 2);
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  buf.writeUInt16BE(spec.op, offset + 6);
  buf.set(spec.senderMac, offset + 8);
  buf.writeUInt32BE(spec.senderIp >>> 0, offset + 14);
  buf.set(spec.targetMac, offset + 18);
  buf.writeUInt32BE(spec.targetIp >>> 0, offset + 24);
  return 28;
}
