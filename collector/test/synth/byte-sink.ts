/**
 * Buffered output for the capture writers: one reusable chunk, flushed with a synchronous
 * write to a file descriptor (or kept in memory), so millions of small records cost a few
 * hundred system calls.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type Timestamp = bigint | { sec: number; nsec: number };

const NANOS_PER_SECOND = BigInt(1_000_000_000);

/** Seconds part of a timestamp. */
export function timestampSeconds(ts: Timestamp): number {
  return typeof ts === 'bigint' ? Number(ts / NANOS_PER_SECOND) : ts.sec;
}

/** Nanoseconds-within-second part of a timestamp. */
export function timestampNanos(ts: Timestamp): number {
  return typeof ts === 'bigint' ? Number(ts % NANOS_PER_SECOND) : ts.nsec;
}

export class ByteSink {
  private chunk: Buffer;
  private pos = 0;
  private readonly fd: number | undefined;
  private readonly kept: Buffer[] | undefined;
  private closed = false;

  private constructor(fd: number | undefined, chunkBytes: number) {
    this.fd = fd;
    this.kept = fd === undefined ? [] : undefined;
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** Creates or truncates `path`. */
  static toFile(path: string, chunkBytes = 1 << 20): ByteSink {
    return new ByteSink(openSync(path, 'w'), chunkBytes);
  }

  static inMemory(chunkBytes = 1 << 16): ByteSink {
    return new ByteSink(undefined, chunkBytes);
  }

  /** Makes room for `n` bytes and returns the offset in `buffer` to write them at. */
  reserve(n: number): number {
    if (this.closed) throw new Error('capture writer is closed');
    if (this.pos + n > this.chunk.length) {
      this.flush();
      if (n > this.chunk.length) this.chunk = Buffer.allocUnsafe(n);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** The current chunk; valid for the offset `reserve` returned until the next `reserve`. */
  get buffer(): Buffer {
    return this.chunk;
  }

  flush(): void {
    if (this.pos === 0) return;
    if (this.fd !== undefined) {
      let done = 0;
      while (done < this.pos) done += writeSync(this.fd, this.chunk, done, this.pos - done);
    } else {
      this.kept?.push(Buffer.from(this.chunk.subarray(0, this.pos)));
    }
    this.pos = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
  }

  /** Everything written so far (in-memory sinks only). */
  contents(): Buffer {
    if (!this.kept) throw new Error('not an in-memory sink');
    this.flush();
    return Buffer.concat(this.kept);
  }
}
