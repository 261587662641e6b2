/**
 * Internet checksum (RFC 1071) and CRC32c (SCTP), allocation-free.
 *
 * Sums are kept unfolded as plain numbers (they stay exact far beyond any packet size), so
 * partial sums over a pseudo-header and a segment can simply be added.
 */

/** Adds the 16-bit big-endian words of `buf[offset .. offset+length)` to `initial`. */
export function onesComplementSum(buf: Uint8Array, offset: number, length: number, initial = 0): number {
  let sum = initial;
  const end = offset + length;
  let i = offset;
  for (; i + 1 < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i < end) sum += buf[i] << 8;
  return sum;
}

/** Folds a sum to 16 bits and complements it: the value to store in a checksum field. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** Sum of the IPv4 pseudo-header (RFC 768 / 793). */
export function ipv4PseudoHeaderSum(src: number, dst: number, protocol: number, l4Length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + l4Length;
}

/** Sum of the IPv6 pseudo-header (RFC 8200 section 8.1). */
export function ipv6PseudoHeaderSum(
  src: Uint8Array,
  dst: Uint8Array,
  nextHeader: number,
  l4Length: number,
): number {
  let sum = onesComplementSum(src, 0, 16, 0);
  sum = onesComplementSum(dst, 0, 16, sum);
  return sum + Math.floor(l4Length / 0x10000) + (l4Length & 0xffff) + nextHeader;
}

let crc32cTable: Uint32Array | undefined;

function crc32cLookup(): Uint32Array {
  if (crc32cTable) return crc32cTable;
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  crc32cTable = table;
  return table;
}

/** CRC32c (Castagnoli) of `buf[offset .. offset+length)`, as SCTP stores it (RFC 9260 appendix A). */
export function crc32c(buf: Uint8Array, offset: number, length: number): number {
  const table = crc32cLookup();
  let crc = 0xffffffff;
  for (let i = offset; i < offset + length; i++) crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
