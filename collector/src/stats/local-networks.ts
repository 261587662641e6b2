import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { ConfigError } from '../common/errors';
import { addressToWords } from './address-words';

/** RFC 1918 and unique-local IPv6: the networks every site treats as its own. */
export const DEFAULT_LOCAL_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

/**
 * The set of local networks, matched per packet on address words: one masked compare per
 * network and word, no parsing and no allocation.
 */
export class LocalNetworks {
  private readonly v4Nets: Uint32Array;
  private readonly v4Masks: Uint32Array;
  private readonly v6Nets: Uint32Array;
  private readonly v6Masks: Uint32Array;
  readonly cidrs: readonly string[];

  constructor(cidrs: readonly string[]) {
    const v4: [number, number][] = [];
    const v6: [Uint32Array, Uint32Array][] = [];
    const canonical: string[] = [];
    for (const text of cidrs) {
      let addr: ipaddr.IPv4 | ipaddr.IPv6;
      let bits: number;
      try {
        [addr, bits] = ipaddr.parseCIDR(text.trim());
      } catch (err) {
        throw new ConfigError(`--local-networks: '${text}' is not a CIDR (examples: 10.0.0.0/8, fd00::/8)`, {
          cause: err,
        });
      }
      const words = new Uint32Array(4);
      const version = addressToWords(addr.toString(), words);
      const masks = new Uint32Array(4);
      const totalBits = version === 4 ? 32 : 128;
      const firstWord = version === 4 ? 3 : 0;
      for (let i = firstWord; i < 4; i++) {
        const used = Math.max(0, Math.min(32, bits - (i - firstWord) * 32));
        masks[i] = used === 0 ? 0 : (0xffffffff << (32 - used)) >>> 0;
        words[i] = (words[i] & masks[i]) >>> 0;
      }
      if (bits > totalBits)
        throw new ConfigError(`--local-networks: '${text}' has a prefix longer than ${totalBits}`);
      if (version === 4) v4.push([words[3], masks[3]]);
      else v6.push([words, masks]);
      canonical.push(`${addr.toString()}/${bits}`);
    }
    this.v4Nets = Uint32Array.from(v4.map((n) => n[0]));
    this.v4Masks = Uint32Array.from(v4.map((n) => n[1]));
    this.v6Nets = new Uint32Array(v6.length * 4);
    this.v6Masks = new Uint32Array(v6.length * 4);
    v6.forEach(([net, mask], i) => {
      this.v6Nets.set(net, i * 4);
      this.v6Masks.set(mask, i * 4);
    });
    this.cidrs = canonical;
  }

  contains(words: Uint32Array, version: number): boolean {
    if (version === 4) {
      const a = words[3];
      for (let i = 0; i < this.v4Nets.length; i++)
        if ((a & this.v4Masks[i]) >>> 0 === this.v4Nets[i]) return true;
      return false;
    }
    const nets = this.v6Nets;
    const masks = this.v6Masks;
    for (let i = 0; i < nets.length; i += 4) {
      if (
        (words[0] & masks[i]) >>> 0 === nets[i] &&
        (words[1] & masks[i + 1]) >>> 0 === nets[i + 1] &&
        (words[2] & masks[i + 2]) >>> 0 === nets[i + 2] &&
        (words[3] & masks[i + 3]) >>> 0 === nets[i + 3]
      ) {
        return true;
      }
    }
    return false;
  }
}

/** The networks configured on the named interfaces of this machine (for the default local set). */
export function interfaceNetworks(names: readonly string[]): string[] {
  const all = networkInterfaces();
  return names.flatMap((name) =>
    (all[name] ?? []).filter((a) => !a.internal && a.cidr).map((a) => a.cidr as string),
  );
}
