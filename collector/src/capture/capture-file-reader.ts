import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { PacketHandler } from './packet-handler';

export interface CaptureFileOptions {
  /** Name to report the (first) interface under instead of the pcapng `if_name` or the file name. */
  interfaceName?: string;
  /** Called after each chunk read with the bytes read so far and the file size. */
  onProgress?: (bytesRead: number, fileBytes: number) => void;
  /** Awaited after each chunk: a place for backpressure; returning false stops the read. */
  afterChunk?: () => Promise<boolean>;
  /** Read chunk size; a block larger than this grows the buffer. */
  chunkBytes?: number;
}

export interface CaptureFileResult {
  packets: number;
  /**
   * Set when the file ends inside a record (a capture cut off mid-write). Like tshark and
   * libpcap, the partial record is not delivered, so counts and bytes match theirs; warning
   * about it is the caller's job.
   */
  truncatedTail?: TruncatedTail;
}

export interface TruncatedTail {
  /** The cut record, to name in a warning: `packet N` (counting from 1) or `a pcapng … block`. */
  record: string;
  /** Bytes of it present at the end of the file; they are skipped. */
  bytes: number;
  /** Bytes it declares, header included; undefined when the file ends inside its length field. */
  recordBytes: number | undefined;
}

/** A capture file that cannot be read at all: not pcap/pcapng, or corrupt framing. */
export class CaptureFileError extends Error {
  override readonly name = 'CaptureFileError';
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

function u16(buf: Buffer, p: number, le: boolean): number {
  return le ? buf[p] | (buf[p + 1] << 8) : (buf[p] << 8) | buf[p + 1];
}

function u32(buf: Buffer, p: number, le: boolean): number {
  return le
    ? (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0
    : ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
}

/** A parser consumes complete records from `buf[start, end)` and returns how far it got. */
interface RecordParser {
  parse(buf: Buffer, start: number, end: number): number;
  /**
   * At end of file, with `buf[start, end)` what `parse` left: the result, or a
   * CaptureFileError when the file header itself is cut short.
   */
  finish(buf: Buffer, start: number, end: number): CaptureFileResult;
  packets: number;
}

/**
 * Streams a pcap or pcapng file through `handler` with one reused buffer, so a file of any
 * size needs the same memory. Packets are delivered on the file's own clock.
 */
export async function readCaptureFile(
  path: string,
  handler: PacketHandler,
  options: CaptureFileOptions = {},
): Promise<CaptureFileResult> {
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new CaptureFileError(
      `cannot open ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      { cause: err },
    );
  });
  try {
    const fileBytes = (await file.stat()).size;
    let buf = Buffer.allocUnsafe(options.chunkBytes ?? 4 * 1024 * 1024);
    let filled = 0;
    let start = 0;
    let bytesRead = 0;
    let parser: RecordParser | undefined;
    const fallbackName = options.interfaceName ?? basename(path, extname(path));
    for (;;) {
      if (start > 0) {
        buf.copy(buf, 0, start, filled);
        filled -= start;
        start = 0;
      }
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead: n } = await file.read(buf, filled, buf.length - filled, null);
      filled += n;
      bytesRead += n;
      options.onProgress?.(bytesRead, fileBytes);
      if (!parser) {
        if (filled < 4 && n > 0) continue;
        parser = createParser(buf, filled, path, handler, fallbackName, options.interfaceName !== undefined);
      }
      start = parser.parse(buf, start, filled);
      if (options.afterChunk && !(await options.afterChunk())) return { packets: parser.packets };
      if (n === 0) return parser.finish(buf, start, filled);
    }
  } finally {
    await file.close();
  }
}

function createParser(
  buf: Buffer,
  filled: number,
  path: string,
  handler: PacketHandler,
  name: string,
  forceName: boolean,
): RecordParser {
  if (filled < 4) throw new CaptureFileError(`${path}: empty file, not a pcap or pcapng capture`);
  const be = buf.readUInt32BE(0);
  const le = buf.readUInt32LE(0);
  if (be === PCAPNG_SHB) return new PcapngParser(path, handler, name, forceName);
  for (const [magic, littleEndian] of [
    [le, true],
    [be, false],
  ] as const) {
    if (magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS)
      return new PcapParser(path, handler, name, littleEndian, magic === PCAP_MAGIC_NS);
  }
  throw new CaptureFileError(
    `${path}: not a pcap or pcapng capture (magic 0x${be.toString(16).padStart(8, '0')})`,
  );
}

class PcapParser implements RecordParser {
  packets = 0;
  private ifIndex = -1;

  constructor(
    private readonly path: string,
    private readonly handler: PacketHandler,
    private readonly name: string,
    private readonly le: boolean,
    private readonly nanos: boolean,
  ) {}

  parse(buf: Buffer, start: number, end: number): number {
    let p = start;
    const le = this.le;
    if (this.ifIndex === -1) {
      if (end - p < 24) return p;
      const linkType = u32(buf, p + 20, le) & 0xffff;
      this.ifIndex = this.handler.addInterface(this.name, linkType);
      p += 24;
    }
    const handler = this.handler;
    const ifIndex = this.ifIndex;
    const fracPerUs = this.nanos ? 1000 : 1;
    while (end - p >= 16) {
      const capLen = u32(buf, p + 8, le);
      if (capLen > MAX_RECORD_BYTES)
        throw new CaptureFileError(
          `${this.path}: corrupt record at packet ${this.packets + 1} (captured length ${capLen})`,
        );
      if (end - p < 16 + capLen) break;
      const tsUs = u32(buf, p, le) * 1e6 + Math.floor(u32(buf, p + 4, le) / fracPerUs);
      const wireLen = u32(buf, p + 12, le);
      this.packets++;
      handler.onPacket(ifIndex, buf, p + 16, capLen, wireLen < capLen ? capLen : wireLen, tsUs);
      p += 16 + capLen;
    }
    return p;
  }

  finish(buf: Buffer, start: number, end: number): CaptureFileResult {
    const left = end - start;
    // Without the link type nothing can be read: tshark refuses such a file too.
    if (this.ifIndex === -1)
      throw new CaptureFileError(`${this.path}: truncated pcap file header (${left} of 24 bytes)`);
    if (left === 0) return { packets: this.packets };
    return {
      packets: this.packets,
      truncatedTail: {
        record: `packet ${this.packets + 1}`,
        bytes: left,
        recordBytes: left >= 16 ? 16 + u32(buf, start + 8, this.le) : undefined,
      },
    };
  }
}

interface PcapngInterface {
  ifIndex: number;
  /** Last cumulative drop count an Interface Statistics Block gave. */
  drops: number;
  /** Timestamp units per microsecond. */
  unitsPerUs: number;
  offsetUs: number;
  snapLen: number;
}

const BLOCK_NAMES = new Map([
  [PCAPNG_SHB, 'a pcapng section header block'],
  [1, 'a pcapng interface description block'],
  [5, 'a pcapng interface statistics block'],
]);

class PcapngParser implements RecordParser {
  packets = 0;
  private sections = 0;
  private le = true;
  private interfaces: PcapngInterface[] = [];
  private lastTsUs = 0;

  constructor(
    private readonly path: string,
    private readonly handler: PacketHandler,
    private readonly fallbackName: string,
    private readonly forceName: boolean,
  ) {}

  parse(buf: Buffer, start: number, end: number): number {
    let p = start;
    while (end - p >= 12) {
      const type = u32(buf, p, this.le);
      if (type === PCAPNG_SHB) {
        // The byte-order magic of each section says how to read its blocks.
        const magic = buf.readUInt32LE(p + 8);
        if (magic === PCAPNG_BYTE_ORDER) this.le = true;
        else if (buf.readUInt32BE(p + 8) === PCAPNG_BYTE_ORDER) this.le = false;
        else throw new CaptureFileError(`${this.path}: corrupt pcapng section header at byte ${p}`);
      }
      const length = u32(buf, p + 4, this.le);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
        throw new CaptureFileError(
          `${this.path}: corrupt pcapng block (type 0x${type.toString(16)}, length ${length})`,
        );
      }
      if (end - p < length) break;
      this.block(type, buf, p, length);
      p += length;
    }
    return p;
  }

  finish(buf: Buffer, start: number, end: number): CaptureFileResult {
    const left = end - start;
    const type = left >= 4 ? u32(buf, start, this.le) : -1;
    // A section's byte order, and so its length field, is known once its byte-order magic is.
    const recordBytes =
      left >= 8 && (type !== PCAPNG_SHB || left >= 12) ? u32(buf, start + 4, this.le) : undefined;
    if (this.sections === 0)
      throw new CaptureFileError(
        `${this.path}: truncated pcapng section header block (${left}${recordBytes === undefined ? '' : ` of ${recordBytes}`} bytes)`,
      );
    if (left === 0) return { packets: this.packets };
    let record: string;
    if (type === 6 || type === 3) record = `packet ${this.packets + 1}`;
    else if (type === -1) record = 'a pcapng block header';
    else record = BLOCK_NAMES.get(type) ?? `a pcapng block of type 0x${type.toString(16)}`;
    return { packets: this.packets, truncatedTail: { record, bytes: left, recordBytes } };
  }

  private block(type: number, buf: Buffer, p: number, length: number): void {
    const le = this.le;
    switch (type) {
      case PCAPNG_SHB:
        this.sections++;
        this.interfaces = [];
        return;
      case 1:
        this.interfaces.push(this.readInterface(buf, p, length));
        return;
      case 6: {
        const itf = this.interfaces[u32(buf, p + 8, le)];
        if (!itf)
          throw new CaptureFileError(`${this.path}: packet for undeclared interface ${u32(buf, p + 8, le)}`);
        const capLen = u32(buf, p + 20, le);
        const wireLen = u32(buf, p + 24, le);
        if (28 + capLen > length)
          throw new CaptureFileError(
            `${this.path}: corrupt enhanced packet block at packet ${this.packets + 1}`,
          );
        const ts = u32(buf, p + 12, le) * 4294967296 + u32(buf, p + 16, le);
        this.lastTsUs = Math.floor(ts / itf.unitsPerUs) + itf.offsetUs;
        this.packets++;
        this.handler.onPacket(
          itf.ifIndex,
          buf,
          p + 28,
          capLen,
          wireLen < capLen ? capLen : wireLen,
          this.lastTsUs,
        );
        return;
      }
      case 3: {
        // Simple packet block: no timestamp; it follows the previous packet on interface 0.
        const itf = this.interfaces[0];
        if (!itf) throw new CaptureFileError(`${this.path}: simple packet block before any interface`);
        const wireLen = u32(buf, p + 8, le);
        const capLen = Math.min(wireLen, itf.snapLen || wireLen, length - 16);
        this.packets++;
        this.handler.onPacket(itf.ifIndex, buf, p + 12, capLen, wireLen, this.lastTsUs);
        return;
      }
      case 5:
        this.readStatistics(buf, p, length);
        return;
      default:
        return;
    }
  }

  /** Interface Statistics Block: drops are cumulative; the handler gets what is new since the last one. */
  private readStatistics(buf: Buffer, p: number, length: number): void {
    const le = this.le;
    const itf = this.interfaces[u32(buf, p + 8, le)];
    if (!itf) return;
    let q = p + 20;
    const end = p + length - 4;
    while (end - q >= 4) {
      const code = u16(buf, q, le);
      const len = u16(buf, q + 2, le);
      if (code === 0 || q + 4 + len > end) break;
      if (code === 5 && len === 8) {
        const drops = le
          ? u32(buf, q + 8, true) * 4294967296 + u32(buf, q + 4, true)
          : u32(buf, q + 4, false) * 4294967296 + u32(buf, q + 8, false);
        if (drops > itf.drops) this.handler.addDrops(itf.ifIndex, drops - itf.drops);
        itf.drops = drops;
      }
      q += 4 + ((len + 3) & ~3);
    }
  }

  private readInterface(buf: Buffer, p: number, length: number): PcapngInterface {
    const le = this.le;
    const linkType = u16(buf, p + 8, le);
    const snapLen = u32(buf, p + 12, le);
    let name: string | undefined;
    let unitsPerUs = 1;
    let offsetUs = 0;
    let q = p + 16;
    const end = p + length - 4;
    while (end - q >= 4) {
      const code = u16(buf, q, le);
      const len = u16(buf, q + 2, le);
      if (code === 0 || q + 4 + len > end) break;
      if (code === 2) name = buf.toString('utf8', q + 4, q + 4 + len).replace(/\0+$/, '');
      if (code === 9 && len >= 1) {
        const v = buf[q + 4];
        const unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        unitsPerUs = unitsPerSecond / 1e6;
      }
      if (code === 14 && len >= 8)
        offsetUs =
          (u32(buf, q + 4 + (le ? 4 : 0), le) * 4294967296 + u32(buf, q + 4 + (le ? 0 : 4), le)) * 1e6;
      q += 4 + ((len + 3) & ~3);
    }
    // Unnamed interfaces are named by position, so a section that repeats them merges with the first.
    const n = this.interfaces.length;
    const ifName =
      this.forceName || !name ? (n === 0 ? this.fallbackName : `${this.fallbackName}-${n}`) : name;
    return { ifIndex: this.handler.addInterface(ifName, linkType), drops: 0, unitsPerUs, offsetUs, snapLen };
  }
}
