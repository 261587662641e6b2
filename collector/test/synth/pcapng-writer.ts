/**
 * pcapng writer (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): a Section
 * Header Block, Interface Description Blocks with `if_name` / `if_tsresol`, and Enhanced Packet
 * Blocks. `newSection` starts another section (interfaces restart at 0, the byte order may
 * change), so one file can hold several sections.
 */
import type { Timestamp } from './byte-sink';
import { ByteSink, timestampNanos, timestampSeconds } from './byte-sink';
import type { CaptureWriter } from './pcap-writer';
import { asBuffer } from './pcap-writer';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BLOCK_ISB = 0x00000005;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_ISB_IFDROP = 5;

export interface SectionOptions {
  bigEndian?: boolean;
  /** `shb_userappl`; default `packetflux synth`. */
  application?: string;
  comment?: string;
}

export interface InterfaceOptions {
  /** LINKTYPE_* of the interface's packets. */
  linkType: number;
  /** `if_name`, e.g. `eth0`. */
  name?: string;
  description?: string;
  /** `if_tsresol` as a power of ten: 6 = microseconds (the default), 9 = nanoseconds. */
  tsresolDigits?: number;
  /** Longest packet stored; longer packets are cut (default 262144). */
  snaplen?: number;
}

interface InterfaceState {
  snaplen: number;
  /** 10^tsresolDigits. */
  unitsPerSecond: number;
  /** 10^(9 - tsresolDigits). */
  nanosPerUnit: number;
}

function optionLength(value: Buffer): number {
  return 4 + Math.ceil(value.length / 4) * 4;
}

export class PcapngWriter implements CaptureWriter {
  packets = 0;
  /** Sum of wire lengths written. */
  wireBytes = 0;
  private bigEndian = false;
  private interfaces: InterfaceState[] = [];

  private constructor(
    private readonly sink: ByteSink,
    section: SectionOptions,
  ) {
    this.newSection(section);
  }

  /** Creates `path` and writes the first section header. */
  static open(path: string, section: SectionOptions = {}): PcapngWriter {
    return new PcapngWriter(ByteSink.toFile(path), section);
  }

  static inMemory(section: SectionOptions = {}): PcapngWriter {
    return new PcapngWriter(ByteSink.inMemory(), section);
  }

  contents(): Buffer {
    return this.sink.contents();
  }

  /** Starts a new section; interfaces must be added again and are numbered from 0. */
  newSection(section: SectionOptions = {}): void {
    this.bigEndian = section.bigEndian ?? false;
    this.interfaces = [];
    const options: Array<[number, Buffer]> = [
      [OPT_SHB_USERAPPL, Buffer.from(section.application ?? 'packetflux synth')],
    ];
    if (section.comment) options.push([OPT_COMMENT, Buffer.from(section.comment)]);
    const body = 16;
    const total = 8 + body + this.optionsLength(options) + 4;
    const at = this.sink.reserve(total);
    const b = this.sink.buffer;
    this.u32(b, at, BLOCK_SHB);
    this.u32(b, at + 4, total);
    this.u32(b, at + 8, BYTE_ORDER_MAGIC);
    this.u16(b, at + 12, 1);
    this.u16(b, at + 14, 0);
    // Section length -1: not specified.
    this.u32(b, at + 16, 0xffffffff);
    this.u32(b, at + 20, 0xffffffff);
    this.writeOptions(b, at + 24, options);
    this.u32(b, at + total - 4, total);
  }

  /** Adds an interface to the current section and returns its id. */
  addInterface(options: InterfaceOptions): number {
    const digits = options.tsresolDigits ?? 6;
    if (!Number.isInteger(digits) || digits < 0 || digits > 9)
      throw new Error(`tsresolDigits must be 0..9, got ${digits}`);
    const snaplen = options.snaplen ?? 262144;
    const opts: Array<[number, Buffer]> = [];
    if (options.name !== undefined) opts.push([OPT_IF_NAME, Buffer.from(options.name)]);
    if (options.description !== undefined) opts.push([OPT_IF_DESCRIPTION, Buffer.from(options.description)]);
    if (options.tsresolDigits !== undefined) opts.push([OPT_IF_TSRESOL, Buffer.of(digits)]);
    const total = 8 + 8 + this.optionsLength(opts) + 4;
    const at = this.sink.reserve(total);
    const b = this.sink.buffer;
    this.u32(b, at, BLOCK_IDB);
    this.u32(b, at + 4, total);
    this.u16(b, at + 8, options.linkType);
    this.u16(b, at + 10, 0);
    this.u32(b, at + 12, snaplen);
    this.writeOptions(b, at + 16, opts);
    this.u32(b, at + total - 4, total);
    this.interfaces.push({ snaplen, unitsPerSecond: 10 ** digits, nanosPerUnit: 10 ** (9 - digits) });
    return this.interfaces.length - 1;
  }

  write(ifIndex: number, ts: Timestamp, data: Uint8Array, wireLength = data.length): void {
    this.writeFrom(
      ifIndex,
      timestampSeconds(ts),
      timestampNanos(ts),
      asBuffer(data),
      0,
      data.length,
      wireLength,
    );
  }

  writeFrom(
    ifIndex: number,
    sec: number,
    nsec: number,
    buf: Buffer,
    offset: number,
    length: number,
    wireLength: number,
  ): void {
    const iface = this.interfaces[ifIndex];
    if (iface === undefined) throw new Error(`no interface ${ifIndex} in this section`);
    const caplen = length < iface.snaplen ? length : iface.snaplen;
    const orig = wireLength > length ? wireLength : length;
    const padded = (caplen + 3) & ~3;
    const total = 32 + padded;
    const at = this.sink.reserve(total);
    const b = this.sink.buffer;
    // units = sec * unitsPerSecond + frac, split in 32-bit halves exactly (sec < 2^32, units/s <= 1e9).
    const frac = Math.floor(nsec / iface.nanosPerUnit);
    const secHigh = Math.floor(sec / 0x10000);
    const secLow = sec % 0x10000;
    const x = secHigh * iface.unitsPerSecond; // < 2^46, to be shifted left by 16
    const y = secLow * iface.unitsPerSecond + frac; // < 2^47
    const xLow = (x % 0x10000) * 0x10000;
    let low = xLow + (y % 0x100000000);
    let high = Math.floor(x / 0x10000) + Math.floor(y / 0x100000000);
    if (low >= 0x100000000) {
      low -= 0x100000000;
      high += 1;
    }
    this.u32(b, at, BLOCK_EPB);
    this.u32(b, at + 4, total);
    this.u32(b, at + 8, ifIndex);
    this.u32(b, at + 12, high);
    this.u32(b, at + 16, low);
    this.u32(b, at + 20, caplen);
    this.u32(b, at + 24, orig);
    buf.copy(b, at + 28, offset, offset + caplen);
    b.fill(0, at + 28 + caplen, at + 28 + padded);
    this.u32(b, at + total - 4, total);
    this.packets++;
    this.wireBytes += orig;
  }

  /**
   * An Interface Statistics Block: the interface's drops so far (`isb_ifdrop`, cumulative, as
   * capture tools write them). The timestamp is left zero: readers take drops, not time, from it.
   */
  writeInterfaceStatistics(ifIndex: number, ifDrops: number): void {
    if (this.interfaces[ifIndex] === undefined) throw new Error(`no interface ${ifIndex} in this section`);
    const value = Buffer.alloc(8);
    if (this.bigEndian) value.writeBigUInt64BE(BigInt(ifDrops));
    else value.writeBigUInt64LE(BigInt(ifDrops));
    const opts: Array<[number, Buffer]> = [[OPT_ISB_IFDROP, value]];
    const total = 8 + 12 + this.optionsLength(opts) + 4;
    const at = this.sink.reserve(total);
    const b = this.sink.buffer;
    this.u32(b, at, BLOCK_ISB);
    this.u32(b, at + 4, total);
    this.u32(b, at + 8, ifIndex);
    this.u32(b, at + 12, 0);
    this.u32(b, at + 16, 0);
    this.writeOptions(b, at + 20, opts);
    this.u32(b, at + total - 4, total);
  }

  close(): void {
    this.sink.close();
  }

  private optionsLength(options: Array<[number, Buffer]>): number {
    if (options.length === 0) return 0;
    let len = 4; // opt_endofopt
    for (const [, value] of options) len += optionLength(value);
    return len;
  }

  private writeOptions(b: Buffer, at: number, options: Array<[number, Buffer]>): void {
    if (options.length === 0) return;
    let p = at;
    for (const [code, value] of options) {
      this.u16(b, p, code);
      this.u16(b, p + 2, value.length);
      value.copy(b, p + 4);
      b.fill(0, p + 4 + value.length, p + optionLength(value));
      p += optionLength(value);
    }
    this.u16(b, p, OPT_ENDOFOPT);
    this.u16(b, p + 2, 0);
  }

  private u32(b: Buffer, at: number, v: number): void {
    if (this.bigEndian) b.writeUInt32BE(v >>> 0, at);
    else b.writeUInt32LE(v >>> 0, at);
  }

  private u16(b: Buffer, at: number, v: number): void {
    if (this.bigEndian) b.writeUInt16BE(v, at);
    else b.writeUInt16LE(v, at);
  }
}
