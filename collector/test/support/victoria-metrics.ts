import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './influx-server';

/**
 * A real VictoriaMetrics (Debian's victoria-metrics) on loopback: it accepts InfluxDB line
 * protocol on `/api/v2/write`, the path the v2 writer uses, and shows what arrived on its
 * export API. Used to test the writer's InfluxDB 2.x path where no InfluxDB 2 is packaged.
 */
export class VictoriaMetricsServer {
  private proc: ChildProcess | undefined;
  private dir = '';
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'packetflux-vm-'));
    this.port = await freePort();
    this.proc = spawn(
      'victoria-metrics',
      [
        `-storageDataPath=${this.dir}`,
        `-httpListenAddr=127.0.0.1:${this.port}`,
        '-retentionPeriod=100y',
        '-search.disableCache',
      ],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`victoria-metrics exited with ${this.proc.exitCode}`);
      try {
        if ((await fetch(`${this.url}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('victoria-metrics did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Every sample of series matching `match`, as `{metric, values, timestamps}` rows. */
  async export(
    match: string,
  ): Promise<{ metric: Record<string, string>; values: number[]; timestamps: number[] }[]> {
    await fetch(`${this.url}/internal/force_flush`);
    const res = await fetch(
      `${this.url}/api/v1/export?${new URLSearchParams({ 'match[]': match, start: '0' })}`,
    );
    const text = await res.text();
    return text
      .split('\n')
      .filter(Boolean)
      .map(
        (l) => JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] },
      );
  }

  async destroy(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
