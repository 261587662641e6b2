import { SlotIndex } from '../common/slot-index';
import { wordsToAddress } from './address-words';

const KEY_WORDS = 5; // address (4), interface|version

/**
 * Local hosts per interface, with their traffic in the current step and since start.
 * Keyed by address words and interface index through a numeric hash; a host's text form is
 * made once, when it is first seen. Bounded: past `maxHosts`, new hosts are not tracked and
 * only counted in `dropped`; hosts idle for long are expired so their slots serve new ones.
 */
export class HostTable {
  readonly capacity: number;
  /** Live hosts. */
  size = 0;
  /** Packets of hosts that found the table full. */
  dropped = 0;
  readonly address: string[] = [];
  readonly ifIndex: Uint16Array;
  /** End of the last step with traffic, microseconds; -1 for a free slot. */
  readonly lastActiveUs: Float64Array;
  readonly stepBytesSent: Float64Array;
  readonly stepBytesRcvd: Float64Array;
  readonly stepPacketsSent: Float64Array;
  readonly stepPacketsRcvd: Float64Array;
  readonly totalBytesSent: Float64Array;
  readonly totalBytesRcvd: Float64Array;
  readonly totalPacketsSent: Float64Array;
  readonly totalPacketsRcvd: Float64Array;
  /** Slots with traffic in the current step, in `touchedCount` entries. */
  readonly touched: Int32Array;
  touchedCount = 0;
  private readonly touchedFlag: Uint8Array;
  private readonly keys: Uint32Array;
  private readonly index: SlotIndex;

  constructor(maxHosts: number) {
    if (!Number.isInteger(maxHosts) || maxHosts < 1)
      throw new RangeError('maxHosts must be a positive integer');
    this.capacity = maxHosts;
    this.ifIndex = new Uint16Array(maxHosts);
    this.lastActiveUs = new Float64Array(maxHosts).fill(-1);
    this.stepBytesSent = new Float64Array(maxHosts);
    this.stepBytesRcvd = new Float64Array(maxHosts);
    this.stepPacketsSent = new Float64Array(maxHosts);
    this.stepPacketsRcvd = new Float64Array(maxHosts);
    this.totalBytesSent = new Float64Array(maxHosts);
    this.totalBytesRcvd = new Float64Array(maxHosts);
    this.totalPacketsSent = new Float64Array(maxHosts);
    this.totalPacketsRcvd = new Float64Array(maxHosts);
    this.touched = new Int32Array(maxHosts);
    this.touchedFlag = new Uint8Array(maxHosts);
    this.keys = new Uint32Array(maxHosts * KEY_WORDS);
    this.index = new SlotIndex(maxHosts);
  }

  /** The host's slot, created when new; -1 when the table is full. */
  slotOf(words: Uint32Array, version: number, ifIndex: number): number {
    const meta = ((ifIndex << 8) | version) >>> 0;
    let h = Math.imul(words[3] ^ meta, 0x9e3779b1);
    h = Math.imul(h ^ words[0] ^ words[1] ^ words[2], 0x85ebca6b);
    const index = this.index;
    const bucket = (h ^ (h >>> 15)) & index.mask;
    const keys = this.keys;
    for (let slot = index.buckets[bucket]; slot !== -1; slot = index.chain[slot]) {
      const k = slot * KEY_WORDS;
      if (
        keys[k + 3] === words[3] &&
        keys[k + 4] === meta &&
        keys[k] === words[0] &&
        keys[k + 1] === words[1] &&
        keys[k + 2] === words[2]
      ) {
        return slot;
      }
    }
    const slot = index.allocate(bucket);
    if (slot === -1) return -1;
    this.size++;
    const k = slot * KEY_WORDS;
    keys[k] = words[0];
    keys[k + 1] = words[1];
    keys[k + 2] = words[2];
    keys[k + 3] = words[3];
    keys[k + 4] = meta;
    this.ifIndex[slot] = ifIndex;
    this.address[slot] = wordsToAddress(words, version);
    this.totalBytesSent[slot] =
      this.totalBytesRcvd[slot] =
      this.totalPacketsSent[slot] =
      this.totalPacketsRcvd[slot] =
        0;
    this.lastActiveUs[slot] = 0;
    return slot;
  }

  addSent(slot: number, bytes: number): void {
    this.stepBytesSent[slot] += bytes;
    this.stepPacketsSent[slot]++;
    this.mark(slot);
  }

  addRcvd(slot: number, bytes: number): void {
    this.stepBytesRcvd[slot] += bytes;
    this.stepPacketsRcvd[slot]++;
    this.mark(slot);
  }

  private mark(slot: number): void {
    if (this.touchedFlag[slot] === 0) {
      this.touchedFlag[slot] = 1;
      this.touched[this.touchedCount++] = slot;
    }
  }

  /** Slots ever used: live hosts are among `[0, highWater)`. */
  get highWater(): number {
    return this.index.highWater;
  }

  isLive(slot: number): boolean {
    return this.lastActiveUs[slot] >= 0;
  }

  /** Adds the step's counters to the totals and zeroes them, ready for the next step. */
  endStep(stepEndUs: number): void {
    for (let i = 0; i < this.touchedCount; i++) {
      const s = this.touched[i];
      this.lastActiveUs[s] = stepEndUs;
      this.totalBytesSent[s] += this.stepBytesSent[s];
      this.totalBytesRcvd[s] += this.stepBytesRcvd[s];
      this.totalPacketsSent[s] += this.stepPacketsSent[s];
      this.totalPacketsRcvd[s] += this.stepPacketsRcvd[s];
      this.stepBytesSent[s] = this.stepBytesRcvd[s] = this.stepPacketsSent[s] = this.stepPacketsRcvd[s] = 0;
      this.touchedFlag[s] = 0;
    }
    this.touchedCount = 0;
  }

  /** Frees hosts without traffic since `beforeUs`; `onExpire` sees each one (its totals) first. */
  expireIdle(beforeUs: number, onExpire: (slot: number) => void): void {
    for (let slot = 0; slot < this.index.highWater; slot++) {
      const last = this.lastActiveUs[slot];
      if (last < 0 || last >= beforeUs || this.touchedFlag[slot] === 1) continue;
      onExpire(slot);
      this.index.release(slot);
      this.lastActiveUs[slot] = -1;
      this.address[slot] = '';
      this.size--;
    }
  }
}
