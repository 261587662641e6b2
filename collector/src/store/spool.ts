import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Batches of line protocol that InfluxDB did not take yet, one file per batch, replayed
 * oldest first. Bounded by `maxBytes`: past it the oldest batches are dropped and counted.
 * Batches InfluxDB refused for good (a 4xx) move to `rejected/` with the reason beside them.
 */
export class Spool {
  private files: { name: string; bytes: number }[] = [];
  private seq = 0;
  bytes = 0;
  droppedBatches = 0;
  droppedLines = 0;
  rejectedBatches = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  get batches(): number {
    return this.files.length;
  }

  /** Creates the directory and picks up batches left by an earlier run. */
  async open(): Promise<void> {
    await mkdir(join(this.dir, 'rejected'), { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => /^\d{12}\.lp$/.test(n)).sort();
    this.files = [];
    this.bytes = 0;
    for (const name of names) {
      const bytes = (await stat(join(this.dir, name))).size;
      this.files.push({ name, bytes });
      this.bytes += bytes;
    }
    this.seq = names.length ? Number(names[names.length - 1].slice(0, 12)) + 1 : 0;
  }

  async append(lines: string[]): Promise<void> {
    const body = lines.join('\n');
    const bytes = Buffer.byteLength(body);
    while (this.files.length && this.bytes + bytes > this.maxBytes) {
      const oldest = this.files.shift()!;
      this.bytes -= oldest.bytes;
      this.droppedBatches++;
      this.droppedLines += (await readFile(join(this.dir, oldest.name), 'utf8')).split('\n').length;
      await rm(join(this.dir, oldest.name), { force: true });
    }
    const name = `${String(this.seq++).padStart(12, '0')}.lp`;
    // Written under a temporary name first, so a crash never leaves half a batch to replay.
    await writeFile(join(this.dir, `${name}.tmp`), body);
    await rename(join(this.dir, `${name}.tmp`), join(this.dir, name));
    this.files.push({ name, bytes });
    this.bytes += bytes;
  }

  /** The oldest batch's lines, or undefined when the spool is empty. */
  async peek(): Promise<string[] | undefined> {
    const oldest = this.files[0];
    if (!oldest) return undefined;
    return (await readFile(join(this.dir, oldest.name), 'utf8')).split('\n');
  }

  /** Removes the oldest batch after it was written. */
  async shift(): Promise<void> {
    const oldest = this.files.shift();
    if (!oldest) return;
    this.bytes -= oldest.bytes;
    await rm(join(this.dir, oldest.name), { force: true });
  }

  /** Moves the oldest batch aside with the reason InfluxDB gave. */
  async reject(reason: string): Promise<void> {
    const oldest = this.files.shift();
    if (!oldest) return;
    this.bytes -= oldest.bytes;
    this.rejectedBatches++;
    await rename(join(this.dir, oldest.name), join(this.dir, 'rejected', oldest.name));
    await writeFile(join(this.dir, 'rejected', `${oldest.name}.reason.txt`), `${reason}\n`);
  }

  /** Keeps a batch InfluxDB refused for good, without it ever entering the replay queue. */
  async keepRejected(lines: string[], reason: string): Promise<void> {
    const name = `${String(this.seq++).padStart(12, '0')}.lp`;
    this.rejectedBatches++;
    await writeFile(join(this.dir, 'rejected', name), lines.join('\n'));
    await writeFile(join(this.dir, 'rejected', `${name}.reason.txt`), `${reason}\n`);
  }
}
