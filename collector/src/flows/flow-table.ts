import { SlotIndex } from '../common/slot-index';
import type { PacketView } from '../decode/packet-view';

const KEY_WORDS = 10; // low address (4), high address (4), ports, meta
const PROTO_TCP = 6;
const PROTO_UDP = 17;

export interface FlowTableConfig {
  /** Hard bound on concurrent flows; when full, the least recently seen flow is evicted. */
  maxFlows: number;
  tcpIdleSeconds: number;
  udpIdleSeconds: number;
  otherIdleSeconds: number;
}

/** Called when a flow leaves the table (idle expiry, eviction, or `expireAll`), before its slot is reused. */
export type FlowEndListener = (slot: number) => void;

/**
 * Bidirectional flows keyed by (interface, VLAN, IP version, protocol, endpoints), both
 * directions mapped to one slot by ordering the endpoints. Everything is in typed arrays
 * indexed by slot: lookups hash numbers, compare numbers and allocate nothing. Slots are
 * kept on a least-recently-seen list, so idle expiry and eviction start from the oldest.
 */
export class FlowTable {
  readonly capacity: number;
  size = 0;
  evicted = 0;
  /** Set by `lookup`: whether the packet travels from the lower endpoint to the higher one. */
  fromLow = false;
  /** Set by `lookup`: whether the flow was created by this packet. */
  created = false;

  readonly firstSeenUs: Float64Array;
  readonly lastSeenUs: Float64Array;
  /** Whether the flow's first packet came from the lower endpoint. */
  readonly initiatorIsLow: Uint8Array;
  readonly ifIndex: Uint16Array;
  /** Incremented each time a slot is given to a new flow, so stale references can be detected. */
  readonly generation: Uint32Array;
  private readonly keys: Uint32Array;
  private readonly index: SlotIndex;
  private readonly lruPrev: Int32Array;
  private readonly lruNext: Int32Array;
  private readonly idleUsByProto: Float64Array;
  private readonly minIdleUs: number;
  private lruHead = -1;
  private lruTail = -1;

  constructor(
    config: FlowTableConfig,
    private readonly onEnd: FlowEndListener,
  ) {
    if (!Number.isInteger(config.maxFlows) || config.maxFlows < 1)
      throw new RangeError('maxFlows must be a positive integer');
    const cap = config.maxFlows;
    this.capacity = cap;
    this.firstSeenUs = new Float64Array(cap);
    this.lastSeenUs = new Float64Array(cap);
    this.initiatorIsLow = new Uint8Array(cap);
    this.ifIndex = new Uint16Array(cap);
    this.generation = new Uint32Array(cap);
    this.keys = new Uint32Array(cap * KEY_WORDS);
    this.index = new SlotIndex(cap);
    this.lruPrev = new Int32Array(cap);
    this.lruNext = new Int32Array(cap);
    this.idleUsByProto = new Float64Array(256).fill(config.otherIdleSeconds * 1e6);
    this.idleUsByProto[PROTO_TCP] = config.tcpIdleSeconds * 1e6;
    this.idleUsByProto[PROTO_UDP] = config.udpIdleSeconds * 1e6;
    this.minIdleUs = Math.min(config.tcpIdleSeconds, config.udpIdleSeconds, config.otherIdleSeconds) * 1e6;
  }

  /** The slot of the packet's flow, created when new. Sets `fromLow` and `created`. */
  lookup(view: PacketView, ifIndex: number, tsUs: number): number {
    const s = view.src;
    const d = view.dst;
    let srcIsLow: boolean;
    if (s[0] !== d[0]) srcIsLow = s[0] < d[0];
    else if (s[1] !== d[1]) srcIsLow = s[1] < d[1];
    else if (s[2] !== d[2]) srcIsLow = s[2] < d[2];
    else if (s[3] !== d[3]) srcIsLow = s[3] < d[3];
    else srcIsLow = view.srcPort <= view.dstPort;
    const lo = srcIsLow ? s : d;
    const hi = srcIsLow ? d : s;
    const ports = srcIsLow
      ? ((view.srcPort << 16) | view.dstPort) >>> 0
      : ((view.dstPort << 16) | view.srcPort) >>> 0;
    const meta = ((ifIndex << 24) | (view.ipVersion << 20) | (view.l4Proto << 12) | view.vlanId) >>> 0;

    let h = Math.imul(meta ^ ports, 0x9e3779b1);
    h = Math.imul(h ^ lo[0] ^ hi[0], 0x85ebca6b);
    h = Math.imul(h ^ lo[1] ^ hi[1], 0xc2b2ae35);
    h = Math.imul(h ^ lo[2] ^ hi[2], 0x27d4eb2f);
    h = Math.imul(h ^ lo[3], 0x165667b1) ^ Math.imul(hi[3], 0x9e3779b1);
    h ^= h >>> 15;
    const index = this.index;
    const bucket = h & index.mask;

    const keys = this.keys;
    for (let slot = index.buckets[bucket]; slot !== -1; slot = index.chain[slot]) {
      const k = slot * KEY_WORDS;
      if (
        keys[k + 8] === ports &&
        keys[k + 9] === meta &&
        keys[k + 3] === lo[3] &&
        keys[k + 7] === hi[3] &&
        keys[k] === lo[0] &&
        keys[k + 1] === lo[1] &&
        keys[k + 2] === lo[2] &&
        keys[k + 4] === hi[0] &&
        keys[k + 5] === hi[1] &&
        keys[k + 6] === hi[2]
      ) {
        this.fromLow = srcIsLow;
        this.created = false;
        this.lastSeenUs[slot] = tsUs;
        this.touch(slot);
        return slot;
      }
    }

    let slot = index.allocate(bucket);
    if (slot === -1) {
      this.evicted++;
      this.remove(this.lruHead);
      slot = index.allocate(bucket);
    }
    const k = slot * KEY_WORDS;
    keys[k] = lo[0];
    keys[k + 1] = lo[1];
    keys[k + 2] = lo[2];
    keys[k + 3] = lo[3];
    keys[k + 4] = hi[0];
    keys[k + 5] = hi[1];
    keys[k + 6] = hi[2];
    keys[k + 7] = hi[3];
    keys[k + 8] = ports;
    keys[k + 9] = meta;
    this.firstSeenUs[slot] = tsUs;
    this.lastSeenUs[slot] = tsUs;
    this.initiatorIsLow[slot] = srcIsLow ? 1 : 0;
    this.ifIndex[slot] = ifIndex;
    this.generation[slot]++;
    this.lruPrev[slot] = this.lruTail;
    this.lruNext[slot] = -1;
    if (this.lruTail !== -1) this.lruNext[this.lruTail] = slot;
    else this.lruHead = slot;
    this.lruTail = slot;
    this.size++;
    this.fromLow = srcIsLow;
    this.created = true;
    return slot;
  }

  /** Moves the slot to the most recently seen end of the list. */
  private touch(slot: number): void {
    if (this.lruTail === slot) return;
    const prev = this.lruPrev[slot];
    const next = this.lruNext[slot];
    if (prev !== -1) this.lruNext[prev] = next;
    else this.lruHead = next;
    this.lruPrev[next] = prev;
    this.lruPrev[slot] = this.lruTail;
    this.lruNext[slot] = -1;
    this.lruNext[this.lruTail] = slot;
    this.lruTail = slot;
  }

  /** Expires flows idle longer than their protocol's timeout at time `nowUs`; returns how many. */
  expireIdle(nowUs: number): number {
    let expired = 0;
    let slot = this.lruHead;
    while (slot !== -1 && nowUs - this.lastSeenUs[slot] > this.minIdleUs) {
      const next = this.lruNext[slot];
      const proto = (this.keys[slot * KEY_WORDS + 9] >>> 12) & 0xff;
      if (nowUs - this.lastSeenUs[slot] > this.idleUsByProto[proto]) {
        this.remove(slot);
        expired++;
      }
      slot = next;
    }
    return expired;
  }

  /** Ends every flow, oldest first (end of a replay, shutdown). */
  expireAll(): void {
    while (this.lruHead !== -1) this.remove(this.lruHead);
  }

  /** Whether `slot` still holds the flow it held when its generation was `generation`. */
  isLive(slot: number, generation: number): boolean {
    return this.generation[slot] === generation && this.lastSeenUs[slot] >= 0;
  }

  /** Refreshes a flow found without `lookup` (a later IP fragment). */
  see(slot: number, tsUs: number): void {
    this.lastSeenUs[slot] = tsUs;
    this.touch(slot);
  }

  /** Transport protocol of the flow in `slot`. */
  protocolOf(slot: number): number {
    return (this.keys[slot * KEY_WORDS + 9] >>> 12) & 0xff;
  }

  /** Copies the flow's lower (`which` 0) or higher (1) endpoint address words into `out`. */
  addressOf(slot: number, which: 0 | 1, out: Uint32Array): void {
    const k = slot * KEY_WORDS + which * 4;
    out[0] = this.keys[k];
    out[1] = this.keys[k + 1];
    out[2] = this.keys[k + 2];
    out[3] = this.keys[k + 3];
  }

  ipVersionOf(slot: number): number {
    return (this.keys[slot * KEY_WORDS + 9] >>> 20) & 0xf;
  }

  private remove(slot: number): void {
    this.onEnd(slot);
    this.index.release(slot);
    const prev = this.lruPrev[slot];
    const next = this.lruNext[slot];
    if (prev !== -1) this.lruNext[prev] = next;
    else this.lruHead = next;
    if (next !== -1) this.lruPrev[next] = prev;
    else this.lruTail = prev;
    this.lastSeenUs[slot] = -1;
    this.size--;
  }
}
