/** pcap LINKTYPE_* values PacketFlux decodes (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  Null: 0,
  Ethernet: 1,
  /** DLT_RAW as most platforms number it; OpenBSD uses 14. */
  RawBsd: 12,
  RawOpenBsd: 14,
  Raw: 101,
  Loop: 108,
  LinuxSll: 113,
  Ipv4: 228,
  Ipv6: 229,
  LinuxSll2: 276,
} as const;

export function isSupportedLinkType(linkType: number): boolean {
  return Object.values(LinkType).includes(linkType as (typeof LinkType)[keyof typeof LinkType]);
}
