import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplaySummary } from '../pipeline/traffic-summary';
import { generateBenchCapture } from '../../test/synth/generate-bench-capture';
import { InfluxServer, freePort } from '../../test/support/influx-server';
import {
  COLLECTOR_DIR,
  REPO_DIR,
  finished,
  runCli,
  startCli,
  type CliResult,
} from '../../test/support/run-cli';
import { tcpreplay } from '../../test/support/tcpreplay';
import { tsharkPacketsPerStep, tsharkTotals } from '../../test/support/tshark';
import { VethPair } from '../../test/support/veth-pair';

function waitFor(stream: NodeJS.ReadableStream | null, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; got: ${seen}`)),
      timeoutMs,
    );
    stream?.on('data', (c: Buffer) => {
      seen += c.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Real captures that tcpreplay sends: the recorded sample and the L7 set. */
const REAL_CAPTURES = [
  join(REPO_DIR, 'samples', 'sample.pcap'),
  ...['dns', 'http', 'misc', 'ssh', 'tls'].map((n) => join(COLLECTOR_DIR, 'testdata', 'l7', `${n}.pcap`)),
];

interface Totals {
  packets: number;
  bytes: number;
}

function add(into: Record<string, Totals>, key: string, t: Totals): void {
  const row = (into[key] ??= { packets: 0, bytes: 0 });
  row.packets += t.packets;
  row.bytes += t.bytes;
}

// Capturing needs root (CAP_NET_RAW) and network namespaces; CI runs as root.
const describeLive = VethPair.available() ? describe : describe.skip;

describeLive('packetflux capture on a veth pair in a network namespace', () => {
  const influx = new InfluxServer();
  const veth = new VethPair(77);
  let dir = '';
  let generated = '';

  /** Starts `packetflux capture` on the veth into database `db`; resolves once it captures. */
  async function startCapture(
    db: string,
    extra: string[],
  ): Promise<{ proc: ChildProcess; done: Promise<CliResult> }> {
    const proc = startCli(
      [
        'capture',
        '-i',
        veth.hostIf,
        '--step',
        '1s',
        '--influx-url',
        influx.url,
        '--influx-db',
        db,
        '--spool-dir',
        join(dir, `spool-${db}`),
        ...(extra.includes('--api-port') ? [] : ['--api-port', '0']),
        ...extra,
      ],
      { PACKETFLUX_LOG_LEVEL: 'info' },
    );
    const done = finished(proc);
    await waitFor(proc.stderr, /"msg":"capture running/, 20_000);
    return { proc, done };
  }

  async function stopCapture(c: { proc: ChildProcess; done: Promise<CliResult> }): Promise<CliResult> {
    c.proc.kill('SIGTERM');
    const result = await c.done;
    expect(result.code).toBe(0);
    return result;
  }

  /** The `capture summary` the collector logs at exit. */
  function exitSummary(result: CliResult): Record<string, { packets: number; bytes: number; drops: number }> {
    const line = result.stderr.split('\n').find((l) => l.includes('"msg":"capture summary"'));
    if (!line) throw new Error(`no capture summary in: ${result.stderr}`);
    return (
      JSON.parse(line) as { interfaces: Record<string, { packets: number; bytes: number; drops: number }> }
    ).interfaces;
  }

  async function sums(q: string, db: string, key: string): Promise<Record<string, Totals>> {
    const out: Record<string, Totals> = {};
    for (const r of await influx.rows(q, db)) add(out, String(r[key]), r as unknown as Totals);
    return out;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packetflux-live-'));
    veth.create();
    await influx.start();
    generated = join(dir, 'generated.pcap');
    generateBenchCapture(generated, { packets: 20_000, flows: 2_000, durationSeconds: 20 });
  });
  afterAll(async () => {
    veth.destroy();
    await influx.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts exactly what tcpreplay sent, as replay counts the same files; --workers 2 counts the same as 1', async () => {
    const one = await startCapture('w1', []);
    const two = await startCapture('w2', ['--workers', '2']);
    const real = tcpreplay(veth, REAL_CAPTURES, { pps: 2000 });
    const synthetic = tcpreplay(veth, [generated], { pps: 20_000 });
    await sleep(500);
    const results = await Promise.all([stopCapture(one), stopCapture(two)]);

    // What was sent, by tcpreplay's count and by tshark's reading of the files.
    expect(real.failed + synthetic.failed).toBe(0);
    const sent = { packets: real.packets + synthetic.packets, bytes: real.bytes + synthetic.bytes };
    const files = await Promise.all([...REAL_CAPTURES, generated].map((f) => tsharkTotals(f)));
    expect(sent).toEqual({
      packets: files.reduce((s, t) => s + t.packets, 0),
      bytes: files.reduce((s, t) => s + t.bytes, 0),
    });

    // `replay` of the same files, one after the other: per-protocol and per-host totals.
    const protocols: Record<string, Totals> = {};
    const hosts: Record<
      string,
      { bytesSent: number; bytesRcvd: number; packetsSent: number; packetsRcvd: number }
    > = {};
    for (const file of [...REAL_CAPTURES, generated]) {
      const r = await runCli(['replay', file, '--json']);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as ReplaySummary;
      for (const [proto, t] of Object.entries(summary.protocols)) add(protocols, proto, t);
      for (const [host, t] of Object.entries(summary.hosts)) {
        const row = (hosts[host] ??= { bytesSent: 0, bytesRcvd: 0, packetsSent: 0, packetsRcvd: 0 });
        row.bytesSent += t.bytesSent;
        row.bytesRcvd += t.bytesRcvd;
        row.packetsSent += t.packetsSent;
        row.packetsRcvd += t.packetsRcvd;
      }
    }

    for (const [i, db] of ['w1', 'w2'].entries()) {
      const label = `--workers ${i + 1}`;
      const [iface] = await influx.rows(
        'SELECT SUM(packets) AS packets, SUM(bytes) AS bytes, SUM(drops) AS drops FROM "interface"',
        db,
      );
      expect({ label, packets: iface.packets, bytes: iface.bytes, drops: iface.drops }).toEqual({
        label,
        ...sent,
        drops: 0,
      });
      expect(exitSummary(results[i])[veth.hostIf]).toEqual({ ...sent, drops: 0, malformed: 0, notIp: 2 });
      expect({
        label,
        protocols: await sums(
          'SELECT SUM(packets) AS packets, SUM(bytes) AS bytes FROM "interface_l7" GROUP BY "proto"',
          db,
          'proto',
        ),
      }).toEqual({ label, protocols });
      const hostRows = await influx.rows(
        'SELECT SUM(bytes_sent) AS bytesSent, SUM(bytes_rcvd) AS bytesRcvd, SUM(packets_sent) AS packetsSent, SUM(packets_rcvd) AS packetsRcvd FROM "host" GROUP BY "host"',
        db,
      );
      expect({
        label,
        hosts: Object.fromEntries(hostRows.map(({ host, time: _time, ...t }) => [String(host), t])),
      }).toEqual({ label, hosts });
    }
    // One series per interface, host and protocol, however many workers counted them.
    const series = async (db: string): Promise<string[]> =>
      (await influx.rows('SHOW SERIES', db)).map((r) => String(r.key)).sort();
    expect(await series('w2')).toEqual(await series('w1'));
  });

  it('reports kernel drops exactly: with a tiny ring at full speed, counted + drops = sent', async () => {
    const port = await freePort();
    const c = await startCapture('drops', ['--capture-buffer', '256K', '--api-port', String(port)]);
    const sent = tcpreplay(veth, [generated], 'topspeed');
    await sleep(1500);
    // While it runs: /metrics and /api/health tell the same drops as the points.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const metricDrops = Number(
      new RegExp(`packetflux_capture_drops_total\\{interface="${veth.hostIf}"\\} (\\d+)`).exec(metrics)?.[1],
    );
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as { drops: number };
    const result = await stopCapture(c);
    const [iface] = await influx.rows(
      'SELECT SUM(packets) AS packets, SUM(drops) AS drops FROM "interface"',
      'drops',
    );
    const packets = Number(iface.packets);
    const drops = Number(iface.drops);
    expect(drops).toBeGreaterThan(0);
    expect(packets + drops).toBe(sent.packets);
    expect(exitSummary(result)[veth.hostIf]).toMatchObject({ packets, drops });
    expect({ metricDrops, healthDrops: health.drops }).toEqual({ metricDrops: drops, healthDrops: drops });
  });

  it("keeps the kernel's timestamps: packets held while the collector was stopped land in the steps they arrived in", async () => {
    const filter = `udp and src host ${veth.peerAddress}`;
    const pcap = join(dir, 'reference.pcap');
    const tcpdump = spawn('tcpdump', ['-i', veth.hostIf, '-U', '-w', pcap, filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tcpdumpDone = new Promise((resolve) => tcpdump.once('close', resolve));
    await waitFor(tcpdump.stderr, /listening on/, 10_000);
    const c = await startCapture('sigstop', ['--bpf', filter]);
    // 100 datagrams a second for 6 s, none within 100 ms of a whole second (a step boundary),
    // so the step of each packet is beyond doubt for both captures.
    const sender = spawn('ip', [
      'netns',
      'exec',
      veth.ns,
      process.execPath,
      '-e',
      `const s=require('dgram').createSocket('udp4');const end=Date.now()+6000;const t=setInterval(()=>{const ms=Date.now()%1000;if(Date.now()>end){clearInterval(t);s.close();return}if(ms>100&&ms<900)s.send(Buffer.alloc(200),9,'${veth.hostAddress}')},10);`,
    ]);
    const senderDone = new Promise((resolve) => sender.once('close', resolve));
    await sleep(1500);
    c.proc.kill('SIGSTOP');
    await sleep(2500);
    c.proc.kill('SIGCONT');
    await senderDone;
    await sleep(500);
    tcpdump.kill('SIGTERM');
    await tcpdumpDone;
    await stopCapture(c);

    const expected = await tsharkPacketsPerStep(pcap, 1);
    expect(Object.values(expected).reduce((a, b) => a + b, 0)).toBeGreaterThan(400);
    const rows = await influx.rows('SELECT packets FROM "interface"', 'sigstop');
    const counted = Object.fromEntries(rows.map((r) => [String(r.time), r.packets]));
    expect(counted).toEqual(expected);
  });

  // Last: it removes the pair.
  it('stops with exit 1 when the interface disappears, after writing what it counted', async () => {
    const c = await startCapture('gone', []);
    const sent = tcpreplay(veth, [REAL_CAPTURES[1]], { pps: 1000 });
    await sleep(300);
    veth.destroy();
    const result = await c.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`capture on ${veth.hostIf} failed: The interface disappeared`));
    const [iface] = await influx.rows('SELECT SUM(packets) AS packets FROM "interface"', 'gone');
    expect(iface.packets).toBe(sent.packets);
  });
});
