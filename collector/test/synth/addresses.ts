/**
 * Address helpers for the packet builders. Parsing allocates and belongs to set-up code;
 * the builders themselves take IPv4 addresses as unsigned 32-bit numbers and MAC / IPv6
 * addresses as byte arrays the caller keeps.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Parses `a.b.c.d` into an unsigned 32-bit number (network order value). */
export function ipv4(text: string): number {
  if (!isIPv4(text)) throw new Error(`not an IPv4 address: ${text}`);
  const parts = text.split('.').map(Number);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Formats an unsigned 32-bit IPv4 address as dotted quad. */
export function ipv4ToString(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** Parses an IPv6 address (any valid text form, no zone) into 16 bytes. */
export function ipv6(text: string): Buffer {
  if (!isIPv6(text)) throw new Error(`not an IPv6 address: ${text}`);
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap >= 0) {
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
  }
  const words = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = ipv4(group);
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        out.push(parseInt(group, 16));
      }
    }
    return out;
  };
  const headWords = words(head);
  const tailWords = words(tail);
  const fill = 8 - headWords.length - tailWords.length;
  const all = [...headWords, ...new Array<number>(gap >= 0 ? fill : 0).fill(0), ...tailWords];
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(all[i], i * 2);
  return out;
}

/** Canonical (RFC 5952) text of 16 IPv6 address bytes. */
export function ipv6ToString(addr: Uint8Array): string {
  const hex: string[] = [];
  for (let i = 0; i < 16; i += 2) hex.push(((addr[i] << 8) | addr[i + 1]).toString(16));
  // WHATWG URL serialises IPv6 hosts in RFC 5952 form (longest zero run compressed).
  return new URL(`http://[${hex.join(':')}]/`).hostname.slice(1, -1);
}

/** Parses `aa:bb:cc:dd:ee:ff` into 6 bytes. */
export function mac(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`not a MAC address: ${text}`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}
