import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfluxServer, freePort } from '../../test/support/influx-server';
import { InfluxQueryError, InfluxReader, InfluxUnavailableError } from './influx-reader';

/** An HTTP server that records what a client sends; it stands in for nothing InfluxDB computes. */
async function recordingServer(
  answer: (req: IncomingMessage, body: string) => { status: number; body: string } | 'hang',
): Promise<{
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  server: Server;
}> {
  const requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const a = answer(req, body);
      if (a === 'hang') return;
      res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('InfluxReader against a real influxd', () => {
  const influx = new InfluxServer();
  beforeAll(async () => {
    await influx.start();
    await influx.createDatabase('r');
    await fetch(`${influx.url}/write?db=r&precision=ms`, {
      method: 'POST',
      body: 'interface,ifname=eth0 bytes=10i 5000\ninterface,ifname=eth0 bytes=20i 10000',
    });
  });
  afterAll(() => influx.destroy());

  it('runs statements by POST and GET with epoch=ms', async () => {
    for (const method of ['POST', 'GET'] as const) {
      const reader = new InfluxReader({ url: influx.url, database: 'r', timeoutMs: 2_000, method });
      const [a, b] = await reader.query(
        'SELECT SUM("bytes") FROM "interface"; SELECT "bytes" FROM "interface" WHERE time > 5000ms',
      );
      expect(a.series?.[0].values).toEqual([[0, 30]]);
      expect(b.series?.[0].values).toEqual([[10000, 20]]);
    }
  });

  it('turns a statement error into InfluxQueryError', async () => {
    const reader = new InfluxReader({ url: influx.url, database: 'r', timeoutMs: 2_000 });
    await expect(reader.query('SELECT FROM WHERE')).rejects.toBeInstanceOf(InfluxQueryError);
    const missing = new InfluxReader({ url: influx.url, database: 'nope', timeoutMs: 2_000 });
    await expect(missing.query('SELECT * FROM "interface"')).rejects.toThrow(/database not found: nope/);
  });

  it('pings with the server version, and reports a refused connection', async () => {
    const reader = new InfluxReader({ url: influx.url, database: 'r', timeoutMs: 2_000 });
    expect(await reader.ping()).toMatchObject({ ok: true, version: expect.stringMatching(/^1\./) });
    const down = new InfluxReader({
      url: `http://127.0.0.1:${await freePort()}`,
      database: 'r',
      timeoutMs: 2_000,
    });
    expect(await down.ping()).toMatchObject({ ok: false, reason: expect.stringMatching(/ECONNREFUSED/) });
    const err = await down.query('SHOW DATABASES').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxUnavailableError);
    expect(err).toMatchObject({ reason: 'network' });
  });
});

describe('InfluxReader on the wire', () => {
  it('sends Basic auth, u/p parameters or a v2 Token, plus db, epoch and rp', async () => {
    const rec = await recordingServer(() => ({ status: 200, body: '{"results":[{"statement_id":0}]}' }));
    try {
      await new InfluxReader({
        url: rec.url,
        database: 'd b',
        retentionPolicy: 'rp1',
        timeoutMs: 1_000,
        auth: { kind: 'basic', username: 'u', password: 'p:w' },
      }).query('SHOW MEASUREMENTS');
      await new InfluxReader({
        url: rec.url,
        database: 'd',
        timeoutMs: 1_000,
        method: 'GET',
        auth: { kind: 'params', username: 'u', password: 'p&w' },
      }).query('SHOW MEASUREMENTS');
      await new InfluxReader({
        url: `${rec.url}/`,
        database: 'd',
        timeoutMs: 1_000,
        auth: { kind: 'token', token: 'tok' },
      }).query('SHOW MEASUREMENTS');
      const [basic, params, token] = rec.requests;
      expect(basic).toMatchObject({ method: 'POST', body: 'q=SHOW+MEASUREMENTS' });
      expect(basic.headers.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
      expect(Object.fromEntries(new URL(basic.url, rec.url).searchParams)).toEqual({
        db: 'd b',
        epoch: 'ms',
        rp: 'rp1',
      });
      expect(params.method).toBe('GET');
      expect(Object.fromEntries(new URL(params.url, rec.url).searchParams)).toEqual({
        db: 'd',
        epoch: 'ms',
        u: 'u',
        p: 'p&w',
        q: 'SHOW MEASUREMENTS',
      });
      expect(params.headers.authorization).toBeUndefined();
      expect(token.url.startsWith('/query?')).toBe(true);
      expect(token.headers.authorization).toBe('Token tok');
    } finally {
      rec.server.close();
    }
  });

  it('gives up after timeoutMs with InfluxUnavailableError(timeout)', async () => {
    const rec = await recordingServer(() => 'hang');
    try {
      const reader = new InfluxReader({ url: rec.url, database: 'd', timeoutMs: 300 });
      const started = Date.now();
      const err = await reader.query('SHOW DATABASES').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InfluxUnavailableError);
      expect(err).toMatchObject({
        reason: 'timeout',
        message: 'InfluxDB unavailable: no answer within 300 ms',
      });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(await reader.ping(200)).toMatchObject({ ok: false, reason: 'no answer within 200 ms' });
    } finally {
      rec.server.closeAllConnections();
      rec.server.close();
    }
  });

  it('maps 503 to unavailable and 401 to a query error', async () => {
    let status = 503;
    const rec = await recordingServer(() => ({ status, body: '{"error":"nope"}' }));
    try {
      const reader = new InfluxReader({ url: rec.url, database: 'd', timeoutMs: 1_000 });
      await expect(reader.query('SHOW DATABASES')).rejects.toBeInstanceOf(InfluxUnavailableError);
      status = 401;
      await expect(reader.query('SHOW DATABASES')).rejects.toMatchObject({
        name: 'InfluxQueryError',
        status: 401,
        message: 'InfluxDB answered 401: nope',
      });
    } finally {
      rec.server.close();
    }
  });

  it('validates its config', () => {
    expect(() => new InfluxReader({ url: 'ftp://x', database: 'd', timeoutMs: 1 })).toThrow(/http or https/);
    expect(() => new InfluxReader({ url: 'http://x', database: '', timeoutMs: 1 })).toThrow(/database/);
    expect(() => new InfluxReader({ url: 'http://x', database: 'd', timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
