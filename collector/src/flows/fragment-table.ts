import type { PacketView } from '../decode/packet-view';

const ENTRY_WORDS = 10; // src (4), dst (4), fragment id, version|proto

/**
 * Remembers which flow the first fragment of each IP datagram joined, so later fragments
 * (which carry no ports) count in the same flow. Direct-mapped and fixed-size: a collision
 * forgets the older datagram, whose later fragments then count without a flow.
 */
export class FragmentTable {
  private readonly keys: Uint32Array;
  private readonly slots: Int32Array;
  private readonly generations: Uint32Array;
  private readonly fromLow: Uint8Array;
  private readonly mask: number;
  /** Set by `find`: the direction and flow generation recorded with the first fragment. */
  foundFromLow = false;
  foundGeneration = 0;

  constructor(entries = 4096) {
    let size = 16;
    while (size < entries) size *= 2;
    this.mask = size - 1;
    this.keys = new Uint32Array(size * ENTRY_WORDS);
    this.slots = new Int32Array(size).fill(-1);
    this.generations = new Uint32Array(size);
    this.fromLow = new Uint8Array(size);
  }

  private index(view: PacketView): number {
    const s = view.src;
    const d = view.dst;
    let h = Math.imul(view.fragmentId ^ (view.l4Proto << 8) ^ view.ipVersion, 0x9e3779b1);
    h = Math.imul(h ^ s[3], 0x85ebca6b);
    h = Math.imul(h ^ d[3], 0xc2b2ae35);
    h = Math.imul(h ^ s[0] ^ s[1] ^ s[2] ^ d[0] ^ d[1] ^ d[2], 0x27d4eb2f);
    return (h ^ (h >>> 15)) & this.mask;
  }

  /** Records the flow of a datagram's first fragment. */
  remember(view: PacketView, flowSlot: number, generation: number, fromLow: boolean): void {
    const i = this.index(view);
    const k = i * ENTRY_WORDS;
    this.keys.set(view.src, k);
    this.keys.set(view.dst, k + 4);
    this.keys[k + 8] = view.fragmentId;
    this.keys[k + 9] = (view.ipVersion << 8) | view.l4Proto;
    this.slots[i] = flowSlot;
    this.generations[i] = generation;
    this.fromLow[i] = fromLow ? 1 : 0;
  }

  /** The flow slot of a later fragment's datagram, or -1. Sets `foundFromLow` and `foundGeneration`. */
  find(view: PacketView): number {
    const i = this.index(view);
    const slot = this.slots[i];
    if (slot === -1) return -1;
    const k = i * ENTRY_WORDS;
    const keys = this.keys;
    const s = view.src;
    const d = view.dst;
    if (
      keys[k + 8] !== view.fragmentId ||
      keys[k + 9] !== ((view.ipVersion << 8) | view.l4Proto) ||
      keys[k + 3] !== s[3] ||
      keys[k + 7] !== d[3] ||
      keys[k] !== s[0] ||
      keys[k + 1] !== s[1] ||
      keys[k + 2] !== s[2] ||
      keys[k + 4] !== d[0] ||
      keys[k + 5] !== d[1] ||
      keys[k + 6] !== d[2]
    ) {
      return -1;
    }
    this.foundFromLow = this.fromLow[i] === 1;
    this.foundGeneration = this.generations[i];
    return slot;
  }
}
