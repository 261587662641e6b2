/**
 * Transport header builders. Each writes at `buf[offset]` and returns the header length with
 * the checksum field zero; `fillChecksum` then stores the checksum once the payload is in
 * place (the payload must be written before the checksum is computed).
 */
import { crc32c, finishChecksum, onesComplementSum } from './checksum';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export const TCP_CHECKSUM_OFFSET = 16;
export const UDP_CHECKSUM_OFFSET = 6;
export const ICMP_CHECKSUM_OFFSET = 2;

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP_SYN | TCP_ACK ... */
  flags: number;
  window?: number;
  urgentPointer?: number;
  /** Raw option bytes; padded with End-of-Options to a multiple of 4. */
  options?: Uint8Array;
  /** Writes this data offset (32-bit words) instead of the true one (malformed packets). */
  dataOffsetOverride?: number;
}

export function tcpHeaderLength(spec: TcpSpec): number {
  return 20 + Math.ceil((spec.options ? spec.options.length : 0) / 4) * 4;
}

export function writeTcp(buf: Buffer, offset: number, spec: TcpSpec): number {
  const len = tcpHeaderLength(spec);
  buf.writeUInt16BE(spec.srcPort, offset);
  buf.writeUInt16BE(spec.dstPort, offset + 2);
  buf.writeUInt32BE(spec.seq >>> 0, offset + 4);
  buf.writeUInt32BE(spec.ack >>> 0, offset + 8);
  buf[offset + 12] = ((spec.dataOffsetOverride ?? len / 4) & 0x0f) << 4;
  buf[offset + 13] = spec.flags & 0xff;
  buf.writeUInt16BE(spec.window ?? 64240, offset + 14);
  buf.writeUInt16BE(0, offset + 16);
  buf.writeUInt16BE(spec.urgentPointer ?? 0, offset + 18);
  if (spec.options) {
    buf.set(spec.options, offset + 20);
    buf.fill(0, offset + 20 + spec.options.length, offset + len);
  }
  return len;
}

/** UDP header for `payloadLength` bytes of payload (8 bytes). */
export function writeUdp(
  buf: Buffer,
  offset: number,
  srcPort: number,
  dstPort: number,
  payloadLength: number,
): number {
  buf.writeUInt16BE(srcPort, offset);
  buf.writeUInt16BE(dstPort, offset + 2);
  buf.writeUInt16BE((8 + payloadLength) & 0xffff, offset + 4);
  buf.writeUInt16BE(0, offset + 6);
  return 8;
}

/**
 * ICMP / ICMPv6 header (8 bytes): type, code, checksum, then the 32-bit rest of header
 * (identifier << 16 | sequence for echo, unused / MTU / pointer for errors).
 */
export function writeIcmp(buf: Buffer, offset: number, type: number, code: number, rest: number): number {
  buf[offset] = type;
  buf[offset + 1] = code;
  buf.writeUInt16BE(0, offset + 2);
  buf.writeUInt32BE(rest >>> 0, offset + 4);
  return 8;
}

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMPV6_DEST_UNREACHABLE = 1;
export const ICMPV6_PACKET_TOO_BIG = 2;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_MLD2_REPORT = 143;
export const ICMPV6_NEIGHBOR_SOLICITATION = 135;

/**
 * Stores the checksum of `buf[offset .. offset+length)` plus `pseudoSum` (0 for ICMPv4) at
 * `offset + fieldOffset`. The field must be zero. `udp` maps a computed 0 to 0xffff.
 */
export function fillChecksum(
  buf: Buffer,
  offset: number,
  length: number,
  fieldOffset: number,
  pseudoSum: number,
  udp = false,
): void {
  let sum = finishChecksum(onesComplementSum(buf, offset, length, pseudoSum));
  if (udp && sum === 0) sum = 0xffff;
  buf.writeUInt16BE(sum, offset + fieldOffset);
}

/** SCTP common header (12 bytes); call `fillSctpChecksum` after the chunks are written. */
export function writeSctpCommon(
  buf: Buffer,
  offset: number,
  srcPort: number,
  dstPort: number,
  verificationTag: number,
): number {
  buf.writeUInt16BE(srcPort, offset);
  buf.writeUInt16BE(dstPort, offset + 2);
  buf.writeUInt32BE(verificationTag >>> 0, offset + 4);
  buf.writeUInt32BE(0, offset + 8);
  return 12;
}

/** Stores the CRC32c of the SCTP packet `buf[offset .. offset+length)` (little-endian, per RFC 9260). */
export function fillSctpChecksum(buf: Buffer, offset: number, length: number): void {
  buf.writeUInt32LE(0, offset + 8);
  buf.writeUInt32LE(crc32c(buf, offset, length), offset + 8);
}
