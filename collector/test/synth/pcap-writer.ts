/**
 * Classic pcap writer (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html):
 * either byte order, microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) timestamps, and a
 * snaplen that truncates records (caplen < len) the way a capture with `-s` would.
 */
import type { Timestamp } from './byte-sink';
import { ByteSink, timestampNanos, timestampSeconds } from './byte-sink';

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;

export interface PcapWriterOptions {
  /** LINKTYPE_* of every record. */
  linkType: number;
  /** Longest record stored; longer packets are cut (default 262144). */
  snaplen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  bigEndian?: boolean;
}

/** What both writers offer, so generators can target either format. */
export interface CaptureWriter {
  /**
   * Appends one packet. `data` is what the capture saw (cut to the snaplen when stored);
   * `wireLength` (default `data.length`) is its length on the wire and must be >= `data.length`.
   */
  write(ifIndex: number, ts: Timestamp, data: Uint8Array, wireLength?: number): void;
  /** Allocation-free variant: `buf[offset .. offset+length)` at `sec`.`nsec`. */
  writeFrom(
    ifIndex: number,
    sec: number,
    nsec: number,
    buf: Buffer,
    offset: number,
    length: number,
    wireLength: number,
  ): void;
  /** Flushes and closes; safe to call twice. */
  close(): void;
}

/** Views `data` as a Buffer without copying. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class PcapWriter implements CaptureWriter {
  packets = 0;
  /** Sum of wire lengths written. */
  wireBytes = 0;
  private readonly snaplen: number;
  private readonly nanosecond: boolean;
  private readonly bigEndian: boolean;

  private constructor(
    private readonly sink: ByteSink,
    options: PcapWriterOptions,
  ) {
    this.snaplen = options.snaplen ?? 262144;
    this.nanosecond = options.nanosecond ?? false;
    this.bigEndian = options.bigEndian ?? false;
    if (!Number.isInteger(this.snaplen) || this.snaplen < 0) throw new Error(`bad snaplen ${this.snaplen}`);
    const at = sink.reserve(24);
    const b = sink.buffer;
    this.u32(b, at, this.nanosecond ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS);
    this.u16(b, at + 4, 2);
    this.u16(b, at + 6, 4);
    this.u32(b, at + 8, 0);
    this.u32(b, at + 12, 0);
    this.u32(b, at + 16, this.snaplen);
    this.u32(b, at + 20, options.linkType);
  }

  static open(path: string, options: PcapWriterOptions): PcapWriter {
    return new PcapWriter(ByteSink.toFile(path), options);
  }

  /** Writer whose file stays in memory; read it with `contents()` after `close()`. */
  static inMemory(options: PcapWriterOptions): PcapWriter {
    return new PcapWriter(ByteSink.inMemory(), options);
  }

  contents(): Buffer {
    return this.sink.contents();
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
    _ifIndex: number,
    sec: number,
    nsec: number,
    buf: Buffer,
    offset: number,
    length: number,
    wireLength: number,
  ): void {
    const caplen = length < this.snaplen ? length : this.snaplen;
    const orig = wireLength > length ? wireLength : length;
    const at = this.sink.reserve(16 + caplen);
    const b = this.sink.buffer;
    this.u32(b, at, sec);
    this.u32(b, at + 4, this.nanosecond ? nsec : Math.floor(nsec / 1000));
    this.u32(b, at + 8, caplen);
    this.u32(b, at + 12, orig);
    buf.copy(b, at + 16, offset, offset + caplen);
    this.packets++;
    this.wireBytes += orig;
  }

  close(): void {
    this.sink.close();
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
