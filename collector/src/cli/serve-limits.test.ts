/**
 * Issue 13 end to end: the real `packetflux serve` in front of a real influxd, through a proxy
 * that counts the InfluxQL queries reaching InfluxDB. The attacker's request (100 targets × 5
 * metrics, a year, maxDataPoints 100,000) gets its 400 without a single metric query.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { freePort, InfluxServer } from '../../test/support/influx-server';
import { finished, runCli, startCli } from '../../test/support/run-cli';

const DB = 'limits';
const IFS = ['eth0', 'eth1', 'eth2', 'eth3', 'eth4'];
const NOW = Date.now();
const YEAR_MS = 365 * 86_400_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('packetflux serve: request limits against a real influxd', () => {
  const influx = new InfluxServer();
  let proxy: Server;
  let proc: ChildProcess | undefined;
  let base = '';
  /** Every InfluxQL text the proxy forwarded to /query. */
  const seen: string[] = [];
  const metricQueries = (): string[] => seen.filter((q) => /GROUP BY time\(/.test(q));

  beforeAll(async () => {
    await influx.start();
    await influx.query(`CREATE DATABASE ${DB}`);
    const lines: string[] = [];
    for (let k = 1; k <= 24; k++) {
      const t = NOW - 120_000 + k * 5_000;
      lines.push(`probe,probe=p1 up=1i ${t}`);
      for (const ifname of IFS)
        lines.push(`interface,probe=p1,ifname=${ifname} bytes=${1000 * k}i,packets=${k}i,drops=0i ${t}`);
    }
    const res = await fetch(`${influx.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(res.status).toBe(204);

    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://x');
        const q = url.searchParams.get('q') ?? new URLSearchParams(body.toString()).get('q');
        if (url.pathname === '/query' && q) seen.push(q);
        const upstream = request(
          `${influx.url}${req.url}`,
          { method: req.method, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      });
    });
    const proxyPort = await freePort();
    await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', r));

    const apiPort = await freePort();
    base = `http://127.0.0.1:${apiPort}`;
    proc = startCli(
      [
        'serve',
        '--influx-url',
        `http://127.0.0.1:${proxyPort}`,
        '--influx-db',
        DB,
        '--api-port',
        String(apiPort),
      ],
      {
        PACKETFLUX_MAX_CONCURRENT_QUERIES: '3',
        PACKETFLUX_LOG_LEVEL: 'warn',
      },
    );
    const exited = finished(proc);
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/api/variables?query=interfaces`)
        .then(async (r) => r.status === 200 && ((await r.json()) as Json).length === IFS.length)
        .catch(() => false);
      if (ok) break;
      if (i > 150)
        throw new Error(`serve did not come up: ${JSON.stringify(await Promise.race([exited, 'running']))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const done = finished(proc);
      proc.kill('SIGTERM');
      await done;
    }
    await new Promise((r) => proxy?.close(r));
    await influx.stop();
  });

  async function post(path: string, body: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  it("refuses the attacker's request with 400 before any query reaches InfluxDB", async () => {
    const body = {
      range: { from: new Date(NOW - YEAR_MS).toISOString(), to: new Date(NOW).toISOString() },
      intervalMs: 1000,
      maxDataPoints: 100_000,
      targets: Array.from({ length: 100 }, (_, i) => ({
        refId: `T${i}`,
        target: `interface_(${IFS.join('|')})_traffic_bps`,
      })),
    };
    expect(JSON.stringify(body).length).toBeLessThan(10_000);
    const before = metricQueries().length;
    const started = Date.now();
    const res = await post('/query', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(
      /^request too large: it needs 500 series \(500 InfluxDB queries\) × 98,55\d points = 49,27\d,\d{3} points; the limit per request is 250 series \(2\.0× over\) and 1,000,000 points \(49\.3× over\)/,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(metricQueries().length).toBe(before);
  });

  it('answers a normal request from InfluxDB, and counts query slots in /metrics', async () => {
    const before = metricQueries().length;
    const res = await post('/api/query', {
      range: { from: new Date(NOW - 120_000).toISOString(), to: new Date(NOW).toISOString() },
      targets: IFS.map((ifname) => ({ refId: ifname, target: `interface_${ifname}_traffic_bps` })),
    });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(5);
    expect(res.body[0].values.some((v: number | null) => (v ?? 0) > 0)).toBe(true);
    expect(metricQueries().length - before).toBe(5);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^packetflux_api_influx_queries_limit 3$/m);
    expect(metrics).toMatch(/^packetflux_api_influx_queries_running 0$/m);
    expect(metrics).toMatch(/^packetflux_api_influx_queries_waiting 0$/m);
    expect(metrics).toMatch(/^packetflux_api_influx_queries_busy_total 0$/m);
  });

  it('answers 400 for times InfluxDB cannot hold and runs a range at its very end', async () => {
    const target = [{ refId: 'A', target: 'interface_eth0_traffic_bps' }];
    const past = await post('/api/query', {
      range: { from: '2262-04-12T00:00:00Z', to: '2262-04-13T00:00:00Z' },
      targets: target,
    });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatch(
      /^range\.from: "2262-04-12T00:00:00Z" is outside the times InfluxDB can hold/,
    );
    const huge = await post('/query', { range: { from: 1e16, to: 1e16 }, intervalMs: 1e16, targets: target });
    expect(huge.status).toBe(400);
    const edge = await post('/api/query', {
      range: { from: '2262-04-11T00:00:00Z', to: '2262-04-11T23:00:00Z' },
      targets: target,
    });
    expect(edge.status).toBe(200);
    expect(edge.body[0].times.length).toBeGreaterThan(0);
  });

  it('serve --help explains the new options and their environment variables', async () => {
    const r = await runCli(['serve', '--help']);
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const [option, env] of [
      ['--max-series-per-request <n>', 'PACKETFLUX_MAX_SERIES_PER_REQUEST'],
      ['--max-points-per-request <n>', 'PACKETFLUX_MAX_POINTS_PER_REQUEST'],
      ['--max-concurrent-queries <n>', 'PACKETFLUX_MAX_CONCURRENT_QUERIES'],
    ]) {
      expect(text).toContain(option);
      expect(text).toContain(`env: ${env})`);
    }
    expect(text).toMatch(/--query-timeout <duration> .*504/);
  });
});
