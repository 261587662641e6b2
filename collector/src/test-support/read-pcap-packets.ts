import fs from 'node:fs';

/**
 * Minimal classic-pcap reader for tests (DLT_EN10MB only, either byte order, µs or ns
 * timestamps). The capture stage's real readers replace it; it exists so classification tests
 * can run on the golden captures before those land.
 */
export interface PcapPacket {
  /** The captured bytes of the frame (a view into the file's buffer). */
  data: Buffer;
  /** Offset of the IPv4/IPv6 header in `data` (after Ethernet and any 802.1Q/802.1ad tags), or -1 when the frame carries no IP. */
  ipOffset: number;
  /** Frame length on the wire (pcap `len`). */
  wireLength: number;
  /** Packet timestamp in milliseconds since the epoch (fractional). */
  tsMillis: number;
}

const DLT_EN10MB = 1;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;

export function readPcapPackets(file: string): PcapPacket[] {
  const buf = fs.readFileSync(file);
  if (buf.length < 24) throw new Error(`${file}: too short for a pcap header`);
  const magicLE = buf.readUInt32LE(0);
  let littleEndian: boolean;
  let nanos: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    littleEndian = true;
    nanos = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = buf.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new Error(`${file}: not a classic pcap file`);
    littleEndian = false;
    nanos = magicBE === 0xa1b23c4d;
  }
  const u32 = (off: number): number => (littleEndian ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const linkType = u32(20) & 0x0fffffff;
  if (linkType !== DLT_EN10MB)
    throw new Error(`${file}: link type ${linkType}, only DLT_EN10MB (1) is supported`);

  const packets: PcapPacket[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const seconds = u32(off);
    const fraction = u32(off + 4);
    const capLength = u32(off + 8);
    const wireLength = u32(off + 12);
    off += 16;
    if (off + capLength > buf.length) throw new Error(`${file}: truncated packet record at byte ${off - 16}`);
    const data = buf.subarray(off, off + capLength);
    off += capLength;
    packets.push({
      data,
      ipOffset: findIpOffset(data),
      wireLength,
      tsMillis: seconds * 1000 + (nanos ? fraction / 1e6 : fraction / 1e3),
    });
  }
  return packets;
}

function findIpOffset(frame: Buffer): number {
  let off = 12;
  if (frame.length < off + 2) return -1;
  let type = frame.readUInt16BE(off);
  off += 2;
  while ((type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) && frame.length >= off + 4) {
    type = frame.readUInt16BE(off + 2);
    off += 4;
  }
  if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return -1;
  return off < frame.length ? off : -1;
}
