import type { ReplaySummary } from '../../collector/src/pipeline/traffic-summary';
import type { ChildProcess } from 'node:child_process';
import { freePort, InfluxServer } from '../../collector/test/support/influx-server';
import { finished, replayIntoInflux, startCli } from '../../collector/test/support/run-cli';

export type { ReplaySummary };

/**
 * The real stack on loopback: an influxd, captures replayed into it by `packetflux replay`,
 * and `packetflux serve` answering HTTP on a free port.
 */
export class Stack {
  readonly influx = new InfluxServer();
  readonly db = 'packetflux';
  apiUrl = '';
  private serve: ChildProcess | undefined;

  async start(): Promise<void> {
    await this.influx.start();
  }

  async replay(file: string, extra: string[] = []): Promise<ReplaySummary> {
    return replayIntoInflux<ReplaySummary>(file, this.influx.url, this.db, ['--probe', 'e2e', ...extra]);
  }

  async serveApi(extra: string[] = []): Promise<void> {
    const port = await freePort();
    this.serve = startCli([
      'serve',
      '--influx-url',
      this.influx.url,
      '--influx-db',
      this.db,
      '--api-port',
      String(port),
      '--catalog-refresh',
      '1s',
      ...extra,
    ]);
    void finished(this.serve);
    this.apiUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${this.apiUrl}/api/health`)).status < 500) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('packetflux serve did not answer in 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async post<T>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.apiUrl}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  }

  async stop(): Promise<void> {
    if (this.serve && this.serve.exitCode === null) {
      const proc = this.serve;
      await new Promise((resolve) => {
        proc.once('close', resolve);
        proc.kill('SIGTERM');
      });
    }
    await this.influx.destroy();
  }
}
