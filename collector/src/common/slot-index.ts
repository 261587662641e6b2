/**
 * The index behind the flow and host tables: hash buckets chaining integer slots, plus a
 * free list of slots, all in typed arrays. The table keeps its keys and values per slot; this
 * keeps which slots hang off which bucket and which are free. The arrays are public so lookups
 * on the hot path walk them directly (`for (s = buckets[b]; s !== -1; s = chain[s])`).
 */
export class SlotIndex {
  readonly buckets: Int32Array;
  /** Next slot in the same bucket, or in the free list for a free slot; -1 ends either. */
  readonly chain: Int32Array;
  readonly mask: number;
  /** Slots ever handed out: every used slot is below it. */
  highWater = 0;
  private readonly bucketOf: Uint32Array;
  private freeHead = -1;

  constructor(readonly capacity: number) {
    let bucketCount = 16;
    while (bucketCount < capacity * 2) bucketCount *= 2;
    this.mask = bucketCount - 1;
    this.buckets = new Int32Array(bucketCount).fill(-1);
    this.chain = new Int32Array(capacity).fill(-1);
    this.bucketOf = new Uint32Array(capacity);
  }

  /** A free slot linked into `bucket`, or -1 when all `capacity` slots are in use. */
  allocate(bucket: number): number {
    let slot = this.freeHead;
    if (slot !== -1) this.freeHead = this.chain[slot];
    else if (this.highWater < this.capacity) slot = this.highWater++;
    else return -1;
    this.chain[slot] = this.buckets[bucket];
    this.buckets[bucket] = slot;
    this.bucketOf[slot] = bucket;
    return slot;
  }

  /** Unlinks `slot` from its bucket and puts it on the free list. */
  release(slot: number): void {
    const bucket = this.bucketOf[slot];
    if (this.buckets[bucket] === slot) {
      this.buckets[bucket] = this.chain[slot];
    } else {
      let s = this.buckets[bucket];
      while (this.chain[s] !== slot) s = this.chain[s];
      this.chain[s] = this.chain[slot];
    }
    this.chain[slot] = this.freeHead;
    this.freeHead = slot;
  }
}
