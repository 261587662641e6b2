/**
 * Issue 13, "no request can sink the database": the request budget, 504 vs 503, time and
 * interval bounds, legends, echoed text and request timeouts. Against fakes: a catalog, a
 * counting InfluxDB runner, and tiny HTTP servers standing for InfluxDB.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { emptyCatalogSnapshot, type CatalogSnapshot, type CatalogSource } from '../store/catalog';
import {
  InfluxReader,
  InfluxUnavailableError,
  QuerySlots,
  type InfluxQueryRunner,
  type InfluxStatementResult,
} from '../store/influx-reader';
import { freePort } from '../../test/support/influx-server';
import { ApiServer } from './api-server';
import type { ApiConfig } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const IFS = ['eth0', 'eth1', 'eth2', 'eth3', 'eth4'];
const snapshot: CatalogSnapshot = {
  ...emptyCatalogSnapshot(),
  version: 1,
  refreshedAtMs: Date.now(),
  probes: ['p1'],
  interfaces: IFS,
  hosts: new Map([['eth0', ['10.0.0.5']]]),
  protocols: new Map([['eth0', ['TLS', 'DNS']]]),
  categories: new Map([['eth0', ['Web']]]),
};
const catalog: CatalogSource = {
  snapshot: () => snapshot,
  refreshIfOlderThan: () => Promise.resolve(snapshot),
  onChange: () => () => undefined,
};

/** Answers every query with empty results; counts them. */
class CountingRunner implements InfluxQueryRunner {
  queries: string[] = [];
  query(influxql: string): Promise<InfluxStatementResult[]> {
    this.queries.push(influxql);
    return Promise.resolve(influxql.split(';').map(() => ({})));
  }
  ping(): Promise<{ ok: true; version: string; latencyMs: number }> {
    return Promise.resolve({ ok: true, version: 'fake', latencyMs: 0 });
  }
}

const YEAR_MS = 365 * 86_400_000;
const TO = Date.UTC(2026, 0, 1);

/** The attacker's body: 100 targets of 5 alternatives, a year, maxDataPoints 100,000. */
export function heavyBody(): unknown {
  return {
    range: { from: new Date(TO - YEAR_MS).toISOString(), to: new Date(TO).toISOString() },
    intervalMs: 1000,
    maxDataPoints: 100_000,
    targets: Array.from({ length: 100 }, (_, i) => ({
      refId: `T${i}`,
      target: `interface_(${IFS.join('|')})_traffic_bps`,
    })),
  };
}

describe('API request limits', () => {
  const servers: ApiServer[] = [];
  const others: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(others.map((s) => new Promise((r) => s.close(r))));
  });

  async function startApi(
    reader: InfluxQueryRunner,
    config: Partial<ApiConfig> = {},
    onQuery?: (q: string) => void,
  ): Promise<string> {
    const api = new ApiServer(
      {
        host: '127.0.0.1',
        port: 0,
        maxRangeDays: 400,
        queryTimeoutMs: 2_000,
        defaultTop: 10,
        stepSeconds: 5,
        ...config,
      },
      {
        reader,
        catalog,
        logger: pino({ level: 'silent' }),
        registry: new Registry(),
        health: () => ({ lastWriteMs: null, drops: 0 }),
        onQuery,
        rollups: false,
      },
    );
    await api.start();
    servers.push(api);
    return `http://127.0.0.1:${api.address()?.port}`;
  }

  async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const range = { from: '2025-01-01T00:00:00Z', to: '2025-01-01T01:00:00Z' };

  describe('budget', () => {
    const runner = new CountingRunner();
    const onQuery: string[] = [];
    let base = '';
    beforeAll(async () => {
      base = await startApi(runner, {}, (q) => onQuery.push(q));
    });
    beforeEach(() => {
      runner.queries = [];
      onQuery.length = 0;
    });

    it('refuses the heavy request with a 400 saying by how much, without any InfluxDB query', async () => {
      const res = await post(base, '/query', heavyBody());
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(
        'request too large: it needs 500 series (500 InfluxDB queries) × 98,550 points = 49,275,000 points; ' +
          'the limit per request is 250 series (2.0× over) and 1,000,000 points (49.3× over) ' +
          '(--max-series-per-request, --max-points-per-request). Ask for fewer targets or template values, ' +
          'a smaller top, a shorter range, a larger interval or fewer maxDataPoints',
      );
      expect(runner.queries).toHaveLength(0);
      expect(onQuery).toHaveLength(0);
    });

    it('counts top N + Other of multi-series metrics in /api/query', async () => {
      const targets = Array.from({ length: 30 }, (_, i) => ({
        refId: `T${i}`,
        target: 'interface_eth0_tophosts_bps',
        top: 10,
      }));
      const res = await post(base, '/api/query', { range, targets });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^request too large: it needs 330 series \(60 InfluxDB queries\) × /);
      expect(runner.queries).toHaveLength(0);
      // 22 targets × 11 series = 242: under the limit, and run.
      const ok = await post(base, '/api/query', { range, targets: targets.slice(0, 22) });
      expect(ok.status).toBe(200);
      expect(runner.queries.length).toBe(22);
    });

    it('lets a dashboard-sized request through', async () => {
      const res = await post(base, '/query', {
        range,
        maxDataPoints: 2000,
        targets: [
          { refId: 'A', target: `interface_(${IFS.join('|')})_traffic_bps` },
          { refId: 'B', target: 'interface_eth0_allprotocols_bps', top: 10 },
        ],
      });
      expect(res.status).toBe(200);
      expect(runner.queries.length).toBe(5 + 1);
    });

    it('follows configured limits', async () => {
      const small = await startApi(runner, { maxSeriesPerRequest: 2, maxPointsPerRequest: 100 });
      const target = (t: string): { refId: string; target: string } => ({ refId: 'A', target: t });
      const three = await post(small, '/query', {
        range,
        targets: [target('interface_(eth0|eth1|eth2)_traffic_bps')],
      });
      expect(three.status).toBe(400);
      expect(three.body.error).toMatch(
        /needs 3 series .* limit per request is 2 series \(1\.5× over\) and 100 points/,
      );
      // An hour at maxDataPoints 60 is 60 buckets: 2 series = 120 points > 100.
      const points = await post(small, '/query', {
        range,
        maxDataPoints: 60,
        targets: [target('interface_(eth0|eth1)_traffic_bps')],
      });
      expect(points.status).toBe(400);
      expect(points.body.error).toMatch(
        /= 120 points; the limit per request is 2 series and 100 points \(1\.2× over\)/,
      );
      const fits = await post(small, '/query', {
        range,
        maxDataPoints: 50,
        targets: [target('interface_(eth0|eth1)_traffic_bps')],
      });
      expect(fits.status).toBe(200);
    });
  });

  describe('input edges', () => {
    const runner = new CountingRunner();
    let base = '';
    beforeAll(async () => {
      base = await startApi(runner);
    });
    const one = [{ refId: 'A', target: 'interface_eth0_traffic_bps' }];

    it.each([
      [
        'intervalMs 1e16',
        { range, intervalMs: 1e16, targets: one },
        /^intervalMs: 10000000000000000 ms is longer than/,
      ],
      [
        'from 1e16',
        { range: { from: 1e16, to: 1e16 + 1000 }, targets: one },
        /^range\.from: 10000000000000000 is outside the times InfluxDB can hold \(1677-09-21T00:12:43\.146Z to 2262-04-11T23:47:16\.854Z/,
      ],
      [
        'to in 2263',
        { range: { from: '2262-12-30T00:00:00Z', to: '2263-01-01T00:00:00Z' }, targets: one },
        /^range\.from: "2262-12-30T00:00:00Z" is outside .*; range\.to: "2263-01-01T00:00:00Z" is outside/,
      ],
      [
        'from in 1600',
        { range: { from: '1600-01-01T00:00:00Z', to: '1600-01-02T00:00:00Z' }, targets: one },
        /^range\.from: "1600-01-01T00:00:00Z" is outside/,
      ],
      [
        'digits past 2^53',
        { range: { from: '99999999999999999999', to: 1 }, targets: one },
        /^range\.from: "99999999999999999999" is outside/,
      ],
      [
        'buckets past 2262',
        {
          range: { from: '2262-04-01T00:00:00Z', to: '2262-04-11T23:00:00Z' },
          intervalMs: 10 * 86_400_000,
          targets: one,
        },
        /^range\.to: with buckets of 864000000 ms the range reaches past the times InfluxDB can hold/,
      ],
    ])('%s: 400 naming the field, nothing sent', async (_name, body, error) => {
      runner.queries = [];
      for (const path of ['/query', '/api/query']) {
        const res = await post(base, path, body);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.error).toMatch(error);
      }
      expect(runner.queries).toHaveLength(0);
    });

    it('legendFormat renders own labels only, unknown ones empty', async () => {
      const res = await post(base, '/api/query', {
        range,
        targets: [
          {
            refId: 'A',
            target: 'interface_eth0_traffic_bps',
            legendFormat: '{{constructor}}|{{toString}}|{{__proto__}}|{{nope}}|{{ifname}}',
          },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body[0].name).toBe('||||eth0');
    });

    it('error bodies echo at most 200 characters of a target', async () => {
      const long = `interface_${'x'.repeat(100_000)}_traffic_bps`;
      for (const path of ['/query', '/api/query']) {
        const res = await post(base, path, { range, targets: [{ refId: 'A', target: long }] });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(/^target A: metric "interface_x{190}x*…"/);
        expect(res.body.error.length).toBeLessThan(700);
      }
      const time = await post(base, '/query', { range: { from: 'y'.repeat(5000), to: 1 }, targets: one });
      expect(time.body.error).toBe(
        `range.from: not a time: "${'y'.repeat(200)}…" (use ISO 8601 or epoch ms)`,
      );
    });

    it('refuses bodies over 256 kB with 413', async () => {
      const res = await post(base, '/query', { range, targets: one, pad: 'z'.repeat(300_000) });
      expect(res).toEqual({ status: 413, body: { error: 'request body too large' } });
    });
  });

  describe('slow clients', () => {
    it('closes a request whose body never completes after requestTimeoutMs', async () => {
      const base = await startApi(new CountingRunner(), { requestTimeoutMs: 1_500, headersTimeoutMs: 1_000 });
      const port = Number(new URL(base).port);
      const measure = (payload: string): Promise<{ ms: number; answer: string }> =>
        new Promise((resolve, reject) => {
          const started = Date.now();
          let answer = '';
          const socket = connect(port, '127.0.0.1', () => socket.write(payload));
          socket.on('data', (c: Buffer) => (answer += c.toString()));
          socket.on('error', reject);
          socket.on('close', () => resolve({ ms: Date.now() - started, answer }));
        });
      const [partialBody, partialHeaders] = await Promise.all([
        measure(
          'POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ran',
        ),
        measure('POST /query HTTP/1.1\r\nHost: x\r\n'),
      ]);
      expect(partialBody.answer).toMatch(/^HTTP\/1\.1 408/);
      expect(partialBody.ms).toBeGreaterThanOrEqual(1_400);
      expect(partialBody.ms).toBeLessThan(4_000);
      expect(partialHeaders.answer).toMatch(/^HTTP\/1\.1 408/);
      expect(partialHeaders.ms).toBeLessThan(3_000);
    });
  });

  describe('InfluxDB slow, busy or unreachable', () => {
    /** An "InfluxDB" that holds every /query until `release()`; counts what is in flight. */
    async function holdingInflux(): Promise<{
      url: string;
      inFlight: () => number;
      maxInFlight: () => number;
      release: () => void;
    }> {
      const held: ServerResponse[] = [];
      let inFlight = 0;
      let max = 0;
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        inFlight++;
        max = Math.max(max, inFlight);
        res.on('close', () => inFlight--);
        held.push(res);
      });
      others.push(server);
      const port = await freePort();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      return {
        url: `http://127.0.0.1:${port}`,
        inFlight: () => inFlight,
        maxInFlight: () => max,
        release: () => {
          for (const res of held.splice(0))
            res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"results":[{}]}');
        },
      };
    }

    it('answers 504 saying it timed out when a reachable InfluxDB does not answer in time', async () => {
      const influx = await holdingInflux();
      const reader = new InfluxReader({ url: influx.url, database: 'db', timeoutMs: 400 });
      const base = await startApi(reader, { queryTimeoutMs: 400 });
      const started = Date.now();
      const res = await post(base, '/api/query', {
        range,
        targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }],
      });
      expect(res.status).toBe(504);
      expect(res.body.error).toMatch(/^InfluxDB query timed out after 0\.4 s/);
      expect(Date.now() - started).toBeLessThan(1_500);
      influx.release();
    });

    it('answers 503 unavailable when the connection is refused', async () => {
      const reader = new InfluxReader({
        url: `http://127.0.0.1:${await freePort()}`,
        database: 'db',
        timeoutMs: 2_000,
      });
      const base = await startApi(reader);
      const res = await post(base, '/query', {
        range,
        targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }],
      });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/^InfluxDB unavailable: ECONNREFUSED/);
    });

    it('runs at most maxConcurrent queries at once; the rest wait, then run', async () => {
      const influx = await holdingInflux();
      const reader = new InfluxReader({
        url: influx.url,
        database: 'db',
        timeoutMs: 5_000,
        maxConcurrent: 2,
      });
      const base = await startApi(reader, { queryTimeoutMs: 5_000 });
      const answer = post(base, '/query', {
        range,
        targets: [{ refId: 'A', target: `interface_(${IFS.join('|')})_traffic_bps` }],
      });
      for (let i = 0; i < 50 && influx.inFlight() < 2; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      expect(influx.inFlight()).toBe(2);
      expect(reader.slots?.stats()).toMatchObject({ running: 2, waiting: 3, limit: 2 });
      const releaser = setInterval(() => influx.release(), 20);
      const res = await answer;
      clearInterval(releaser);
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(5);
      expect(influx.maxInFlight()).toBe(2);
      expect(reader.slots?.stats()).toMatchObject({ running: 0, waiting: 0 });
    });

    it('answers 503 busy with Retry-After when no slot frees within the timeout', async () => {
      const influx = await holdingInflux();
      const reader = new InfluxReader({ url: influx.url, database: 'db', timeoutMs: 500, maxConcurrent: 1 });
      const base = await startApi(reader, { queryTimeoutMs: 500 });
      const release = await reader.slots?.acquire(); // a long query holds the only slot
      const started = Date.now();
      const res = await fetch(`${base}/api/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ range, targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }] }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as Json).error).toMatch(
        /^InfluxDB busy: no query slot free within 500 ms \(1 running, 0 waiting\); retry later$/,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      expect(influx.maxInFlight()).toBe(0);
      expect(reader.slots?.stats().rejected).toBe(1);
      release?.();
    });
  });

  describe('QuerySlots', () => {
    it('grants in order, bounds the queue, and drops waiters whose signal aborts', async () => {
      const slots = new QuerySlots(1, 2);
      const first = await slots.acquire();
      const order: string[] = [];
      const controller = new AbortController();
      const a = slots.acquire().then((release) => {
        order.push('a');
        return release;
      });
      const b = slots.acquire(controller.signal);
      await expect(slots.acquire()).rejects.toThrow(InfluxUnavailableError);
      expect(slots.stats()).toEqual({ limit: 1, running: 1, waiting: 2, rejected: 1 });
      controller.abort(new Error('gone'));
      await expect(b).rejects.toThrow('gone');
      expect(slots.stats().waiting).toBe(1);
      first();
      first(); // a second release is ignored
      const releaseA = await a;
      expect(order).toEqual(['a']);
      expect(slots.stats()).toMatchObject({ running: 1, waiting: 0 });
      releaseA();
      expect(slots.stats()).toMatchObject({ running: 0, waiting: 0 });
    });
  });
});
