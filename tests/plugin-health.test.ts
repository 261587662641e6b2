import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../collector/test/support/influx-server';
import { Stack } from './support/stack';

const REPO = join(__dirname, '..');
const TOKEN = 'health-test-token';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * "Save & test" three ways wrong, against real servers: the plugin's Go CheckHealth (run by
 * `go test`, TestCheckHealthAgainstRealServers) pointed at a port nothing listens on, at
 * InfluxDB's own port, at `packetflux serve --api-token` with another token, and at a
 * `packetflux serve` whose influxd has been stopped. Each must fail with its own message.
 */
describe("the plugin's health check names what is wrong", () => {
  const healthy = new Stack();
  const noInflux = new Stack();

  beforeAll(async () => {
    await Promise.all([
      (async () => {
        await healthy.start();
        await healthy.replay(join(REPO, 'collector/testdata/crafted/vlan.pcap'));
        await healthy.serveApi(['--api-token', TOKEN]);
      })(),
      (async () => {
        await noInflux.start();
        await noInflux.influx.createDatabase(noInflux.db);
        await noInflux.serveApi(['--api-token', TOKEN]);
        await noInflux.influx.stop();
      })(),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([healthy.stop(), noInflux.stop()]);
  });

  it('gives a refused URL, InfluxDB, a wrong token and a stopped InfluxDB each its own message', async () => {
    // The servers are in the states the cases need.
    const down = await noInflux.get<{ status: string; influxdb: { reachable: boolean } }>('/api/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'degraded', influxdb: { reachable: false } });
    const up = await healthy.get<{ influxdb: { reachable: boolean } }>('/api/health');
    expect(up.status).toBe(200);
    expect((await fetch(`${healthy.apiUrl}/api/metrics?prefix=`)).status).toBe(401);
    const refusedUrl = `http://127.0.0.1:${await freePort()}`;
    await expect(fetch(refusedUrl)).rejects.toThrow();

    const env = {
      ...process.env,
      CGO_ENABLED: '0',
      PACKETFLUX_HEALTH_API_URL: healthy.apiUrl,
      PACKETFLUX_HEALTH_API_TOKEN: TOKEN,
      PACKETFLUX_HEALTH_INFLUX_URL: healthy.influx.url,
      PACKETFLUX_HEALTH_REFUSED_URL: refusedUrl,
      PACKETFLUX_HEALTH_NO_INFLUX_URL: noInflux.apiUrl,
      PACKETFLUX_HEALTH_STOPPED_INFLUX: noInflux.influx.url.replace(/^http:\/\//, ''),
    };
    const { stdout } = await promisify(execFile)(
      'go',
      ['test', '-trimpath', '-count=1', '-run', 'TestCheckHealthAgainstRealServers', '-v', './pkg/plugin'],
      { cwd: join(REPO, 'datasource-plugin'), env, maxBuffer: 1 << 24 },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`go test failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    expect(stdout).toContain('--- PASS: TestCheckHealthAgainstRealServers');

    const messages = new Map(
      [...stdout.matchAll(/health ([\w ]+): (\w+): (.*)$/gm)].map((m) => [
        m[1],
        { status: m[2], message: m[3] },
      ]),
    );
    expect([...messages.keys()].sort()).toEqual(['influxdb', 'no influxdb', 'ok', 'refused', 'token']);
    expect(messages.get('refused')).toEqual({
      status: 'ERROR',
      message:
        `Cannot reach the PacketFlux API at ${refusedUrl}: connect: connection refused. Check the URL, and that ` +
        'packetflux serve (or packetflux capture) is running there: it listens on its --api-port, 3001 by default.',
    });
    expect(messages.get('influxdb')?.message).toMatch(
      new RegExp(
        `^The URL ${escape(healthy.influx.url)} is InfluxDB 1\\.\\S+, not a PacketFlux API \\(GET /api/health answered HTTP 404\\)`,
      ),
    );
    expect(messages.get('token')?.message).toMatch(
      new RegExp(
        `^The PacketFlux API at ${escape(healthy.apiUrl)} refused the API token \\(HTTP 401: invalid API token\\)`,
      ),
    );
    expect(messages.get('no influxdb')?.message).toMatch(
      new RegExp(
        `^The PacketFlux API at ${escape(noInflux.apiUrl)} runs, but cannot reach its InfluxDB: .*ECONNREFUSED.*\\. Start InfluxDB`,
      ),
    );
    expect(messages.get('ok')).toMatchObject({ status: 'OK' });
    const failures = ['refused', 'influxdb', 'token', 'no influxdb'].map((name) => messages.get(name));
    expect(failures.every((f) => f?.status === 'ERROR')).toBe(true);
    expect(new Set(failures.map((f) => f?.message)).size).toBe(4);

    // The same three failures through the built executable over gRPC, as Grafana calls it
    // (datasource-plugin/pkg/harness, TestGrafanaHealthFailures).
    const grpc = await promisify(execFile)(
      'go',
      ['test', '-trimpath', '-count=1', '-run', '^TestGrafanaHealthFailures$', '-v', './pkg/harness'],
      {
        cwd: join(REPO, 'datasource-plugin'),
        env: {
          ...process.env,
          CGO_ENABLED: '0',
          PACKETFLUX_HARNESS_HEALTH_API_URL: healthy.apiUrl,
          PACKETFLUX_HARNESS_HEALTH_API_TOKEN: TOKEN,
          PACKETFLUX_HARNESS_HEALTH_REFUSED_URL: refusedUrl,
          PACKETFLUX_HARNESS_HEALTH_NO_INFLUX_URL: noInflux.apiUrl,
        },
        maxBuffer: 1 << 24,
      },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`go test ./pkg/harness failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    expect(grpc.stdout).toContain('--- PASS: TestGrafanaHealthFailures ');
    expect(grpc.stdout).not.toContain('--- SKIP');
    const viaGrpc = new Map(
      [...grpc.stdout.matchAll(/grpc health ([\w ]+): (\w+): (.*)$/gm)].map((m) => [
        m[1],
        { status: m[2], message: m[3] },
      ]),
    );
    expect([...viaGrpc.keys()].sort()).toEqual(['no influxdb', 'refused', 'token']);
    expect(viaGrpc.get('refused')?.message).toContain('Cannot reach the PacketFlux API');
    expect(viaGrpc.get('token')?.message).toContain('refused the API token');
    expect(viaGrpc.get('no influxdb')?.message).toContain('cannot reach its InfluxDB');
    expect([...viaGrpc.values()].every((r) => r.status === 'ERROR')).toBe(true);
    expect(new Set([...viaGrpc.values()].map((r) => r.message)).size).toBe(3);
  }, 240_000);
});
