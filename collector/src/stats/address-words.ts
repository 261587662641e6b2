import ipaddr from 'ipaddr.js';

/** Writes an address's text form as four 32-bit words (IPv4 in word 3) and returns its version. */
export function addressToWords(text: string, out: Uint32Array): 4 | 6 {
  const addr = ipaddr.parse(text);
  const bytes = addr.toByteArray();
  out.fill(0);
  if (addr.kind() === 'ipv4') {
    out[3] = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    return 4;
  }
  for (let i = 0; i < 4; i++) {
    out[i] =
      ((bytes[i * 4] << 24) | (bytes[i * 4 + 1] << 16) | (bytes[i * 4 + 2] << 8) | bytes[i * 4 + 3]) >>> 0;
  }
  return 6;
}

/** The canonical text form (RFC 5952 for IPv6) of an address held as words. */
export function wordsToAddress(words: ArrayLike<number>, version: number): string {
  if (version === 4) {
    const w = words[3];
    return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
  }
  const bytes: number[] = [];
  for (let i = 0; i < 4; i++)
    bytes.push(words[i] >>> 24, (words[i] >>> 16) & 0xff, (words[i] >>> 8) & 0xff, words[i] & 0xff);
  return ipaddr.fromByteArray(bytes).toString();
}
