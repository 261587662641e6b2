/** What decoding a frame yielded; the caller counts anything but `Ok`. */
export const DecodeStatus = {
  /** An IPv4 or IPv6 packet whose addresses (and ports, where present) are filled in. */
  Ok: 0,
  /** A well-formed frame that carries no IP (ARP, LLDP, ...). */
  NotIp: 1,
  /** Truncated or inconsistent headers: the frame counts in interface totals only. */
  Malformed: 2,
  /** The capture's link type is not one PacketFlux decodes. */
  UnsupportedLink: 3,
  /** An IP header cut short after the source address: malformed, but its sender is known (`src`). */
  SourceOnly: 4,
} as const;
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];

/**
 * The decoded headers of one frame. One instance is reused for every packet: decoders
 * overwrite every field they own, so the hot path allocates nothing.
 *
 * Addresses are four 32-bit words each; an IPv4 address sits in word 3 with words 0-2 zero,
 * which keeps one comparison and hash path for both families (`ipVersion` tells them apart).
 */
export class PacketView {
  status: DecodeStatus = DecodeStatus.NotIp;
  /** Innermost 802.1Q VLAN id, 0 when untagged. */
  vlanId = 0;
  ipVersion = 0;
  /** Offset of the IP header in the frame buffer and the IP packet's captured length. */
  ipOffset = 0;
  ipLength = 0;
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  /** Transport protocol number (after IPv6 extension headers). */
  l4Proto = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  isFragment = false;
  /** Fragment offset in bytes; later fragments (offset > 0) carry no transport header. */
  fragmentOffset = 0;
  fragmentId = 0;
}
