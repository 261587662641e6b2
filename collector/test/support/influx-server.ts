import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A real `influxd` (Debian's influxdb 1.x) on loopback with its data in a temporary
 * directory: started for a test suite, stopped and removed after it. It can be stopped and
 * started again on the same port and data, which the writer's outage tests need.
 */
export class InfluxServer {
  private proc: ChildProcess | undefined;
  private dir = '';
  private configPath = '';
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.dir) {
      this.dir = await mkdtemp(join(tmpdir(), 'packetflux-influxd-'));
      this.port = await freePort();
      const rpcPort = await freePort();
      this.configPath = join(this.dir, 'influxdb.conf');
      await writeFile(
        this.configPath,
        [
          'reporting-disabled = true',
          `bind-address = "127.0.0.1:${rpcPort}"`,
          '[meta]',
          `  dir = "${join(this.dir, 'meta')}"`,
          '[data]',
          `  dir = "${join(this.dir, 'data')}"`,
          `  wal-dir = "${join(this.dir, 'wal')}"`,
          '  query-log-enabled = false',
          '[monitor]',
          '  store-enabled = false',
          '[http]',
          `  bind-address = "127.0.0.1:${this.port}"`,
          '  log-enabled = false',
          '[continuous_queries]',
          '  enabled = false',
          '',
        ].join('\n'),
      );
    }
    this.proc = spawn('influxd', ['-config', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => {
      this.proc?.once('exit', (code) => reject(new Error(`influxd exited with ${code}: ${stderr}`)));
      this.proc?.once('error', (err) =>
        reject(new Error(`cannot start influxd (apt-get install influxdb): ${err.message}`)),
      );
    });
    await Promise.race([this.waitForPing(20_000), exited]);
  }

  private async waitForPing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.url}/ping`);
        if (res.status === 204) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`influxd did not answer /ping on ${this.url} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the server, keeping its data for a later `start()`. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  /** Stops the server and removes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = '';
  }

  async query(q: string, db?: string): Promise<InfluxResult[]> {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db) params.set('db', db);
    const res = await fetch(`${this.url}/query`, { method: 'POST', body: params });
    const body = (await res.json()) as { results?: InfluxResult[]; error?: string };
    if (!res.ok || body.error) throw new Error(`InfluxQL ${q}: ${res.status} ${body.error ?? ''}`);
    const failed = body.results?.find((r) => r.error);
    if (failed) throw new Error(`InfluxQL ${q}: ${failed.error}`);
    return body.results ?? [];
  }

  async createDatabase(db: string): Promise<void> {
    await this.query(`CREATE DATABASE "${db}"`);
  }

  /** Rows of the first series of the first statement, as objects keyed by column. */
  async rows(q: string, db: string): Promise<Record<string, unknown>[]> {
    const [first] = await this.query(q, db);
    return (first?.series ?? []).flatMap((s) =>
      s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })),
    );
  }
}

export interface InfluxResult {
  statement_id?: number;
  error?: string;
  series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
}
