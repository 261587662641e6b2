/**
 * The live parts of `npm run bench` (root only).
 *
 * `live`: `packetflux capture` and `tcpdump` (libpcap's own reference, same 64 MB ring) listen
 * on the host end of a veth pair at the same time while tcpreplay, pinned to CPU 1, sends a
 * generated capture from the namespace end at fixed rates. Per rate: what tcpreplay sent, what
 * each counted, what each says the kernel dropped, and what neither explains.
 *
 * `soak`: tcpreplay loops the many-flow capture with `--unique-ip` (new addresses each loop,
 * so new flows and hosts) at a moderate rate while the collector's RSS is sampled.
 *
 * Figures only: nothing here fails on speed, only on a process that cannot start or output
 * that cannot be read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { generateBenchCapture } from '../test/synth/generate-bench-capture';
import { InfluxServer, freePort } from '../test/support/influx-server';
import { COLLECTOR_DIR } from '../test/support/run-cli';
import { VethPair } from '../test/support/veth-pair';

const BIN = join(COLLECTOR_DIR, 'bin', 'packetflux.js');
/** Not used by the tests' pairs, so a bench can run next to them. */
const VETH_SUBNET = 91;
/** The collector's default ring (64M) for tcpdump too: `-B` is in KiB. */
const TCPDUMP_BUFFER_KIB = '65536';
const DEFAULT_RATES = '50000,100000,200000,400000,800000';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LiveFile {
  path: string;
  packets: number;
  flows: number;
  description: string;
}

/** The two captures, generated once into the bench data folder (same names as the replay part's). */
function liveFiles(dataDir: string): { manyFlows: LiveFile; longFlows: LiveFile } {
  const file = (flows: number, description: string): LiveFile => {
    const packets = 300_000;
    const path = join(dataDir, `bench-${packets}-${flows}.pcap`);
    if (!existsSync(path)) {
      process.stdout.write(`generating ${path} (${packets} packets, ${flows} flows)...\n`);
      generateBenchCapture(path, { packets, flows });
    }
    return { path, packets, flows, description };
  };
  return {
    manyFlows: file(
      15_000,
      'worst case for nDPI: every flow is unclassifiable filler, so nDPI inspects up to 24 UDP / 80 TCP packets of each',
    ),
    longFlows: file(1_500, 'longer flows: most packets belong to flows nDPI has given up on'),
  };
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the live parts cannot run here, or undefined when they can. */
function skipReason(): string | undefined {
  if (!VethPair.available()) return 'not root (a veth pair, a namespace and live capture need root)';
  const missing = ['tcpreplay', 'tcpdump', 'taskset', 'ip'].filter((c) => !onPath(c));
  if (missing.length > 0) return `${missing.join(', ')} not found on PATH`;
  return undefined;
}

/** A child process whose output is kept; `exited` never rejects (a failed spawn is code null + error). */
class Child {
  readonly proc: ChildProcess;
  output = '';
  exitCode: number | null | undefined;
  spawnError: Error | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.proc.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    this.proc.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => {
      this.proc.once('error', (err) => {
        this.spawnError = err;
        this.exitCode = null;
        resolve();
      });
      this.proc.once('close', (code) => {
        this.exitCode = code;
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Waits until `pattern` shows in the output; throws if the process ends first or takes too long. */
  async ready(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running) throw this.failure(`ended before it was ready`);
      if (Date.now() > deadline) throw this.failure(`not ready within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Waits for the exit; throws unless the code is 0. */
  async succeeded(): Promise<string> {
    await this.exited;
    if (this.exitCode !== 0) throw this.failure(`exited with code ${this.exitCode}`);
    return this.output;
  }

  async stop(): Promise<string> {
    this.proc.kill('SIGTERM');
    return this.succeeded();
  }

  /** For cleanup after an error: no questions asked. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  private failure(what: string): Error {
    const cause = this.spawnError ? `cannot start: ${this.spawnError.message}` : what;
    return new Error(`${this.name} ${cause}; its output: ${this.output.slice(-2000)}`);
  }
}

/** `packetflux capture -i IFACE --step 1s`, by default without the API (`--api-port 0`). */
function startCollector(iface: string, extra: string[] = ['--api-port', '0']): Child {
  // A clean environment for its options, as the tests start it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PACKETFLUX_')));
  return new Child(
    'packetflux capture',
    process.execPath,
    [BIN, 'capture', '-i', iface, '--step', '1s', ...extra, ...extraArgs()],
    { ...env, PACKETFLUX_LOG_LEVEL: 'info' },
  );
}

/** `BENCH_LIVE_ARGS`: more `packetflux capture` options, e.g. `--workers 2`. */
function extraArgs(): string[] {
  return (process.env.BENCH_LIVE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
}

/** tcpreplay on CPU 1, from the namespace end of the pair (the affinity passes through `ip netns exec`). */
function startTcpreplay(veth: VethPair, file: string, speed: string[]): Child {
  return new Child('tcpreplay', 'taskset', [
    '-c',
    '1',
    'ip',
    'netns',
    'exec',
    veth.ns,
    'tcpreplay',
    '-K',
    '-i',
    veth.peerIf,
    ...speed,
    file,
  ]);
}

interface Sent {
  packets: number;
  pps: number;
  seconds: number;
}

function parseTcpreplay(out: string): Sent {
  const actual = /Actual: (\d+) packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(out);
  const rated = /Rated: .*?([\d.]+) pps/.exec(out);
  if (!actual || !rated) throw new Error(`cannot read tcpreplay's output: ${out}`);
  return { packets: Number(actual[1]), seconds: Number(actual[2]), pps: Number(rated[1]) };
}

interface Counted {
  packets: number;
  drops: number;
}

/** The `capture summary` line packetflux logs on exit. */
function parseCaptureSummary(out: string, iface: string): Counted {
  const line = out.split('\n').find((l) => l.includes('"msg":"capture summary"'));
  if (!line) throw new Error(`no capture summary in packetflux's output: ${out.slice(-2000)}`);
  const counters = (JSON.parse(line) as { interfaces: Record<string, Counted | undefined> }).interfaces[
    iface
  ];
  if (!counters) throw new Error(`no ${iface} in the capture summary: ${line}`);
  return { packets: counters.packets, drops: counters.drops };
}

/** tcpdump's exit statistics: "N packets captured", "N packets dropped by kernel". */
function parseTcpdump(out: string): Counted {
  const captured = /(\d+) packets? captured/.exec(out);
  const dropped = /(\d+) packets? dropped by kernel/.exec(out);
  if (!captured || !dropped) throw new Error(`cannot read tcpdump's statistics: ${out}`);
  return { packets: Number(captured[1]), drops: Number(dropped[1]) };
}

/**
 * Packets the kernel dropped from its per-CPU input queues (netdev_max_backlog), summed over
 * CPUs: veth delivers through them, so a drop there happens before any capture socket sees it.
 */
function backlogDrops(): number {
  return readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((sum, line) => sum + parseInt(line.split(/\s+/)[1], 16), 0);
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');

interface Row {
  requested: string;
  sent: Sent;
  packetflux: Counted;
  tcpdump: Counted;
  backlog: number;
}

const lost = (sent: Sent, c: Counted): number => sent.packets - c.packets - c.drops;
const dropFree = (sent: Sent, c: Counted): boolean => c.drops === 0 && c.packets >= sent.packets;

/** One rate: both captures up, tcpreplay sends the file, both stopped about 1 s after. */
async function measure(veth: VethPair, file: string, rate: string): Promise<Row> {
  const collector = startCollector(veth.hostIf);
  const tcpdump = new Child('tcpdump', 'tcpdump', [
    '-i',
    veth.hostIf,
    '-B',
    TCPDUMP_BUFFER_KIB,
    '-w',
    '/dev/null',
  ]);
  let replay: Child | undefined;
  try {
    await Promise.all([collector.ready(/"msg":"capture running/), tcpdump.ready(/listening on/)]);
    const backlogBefore = backlogDrops();
    replay = startTcpreplay(veth, file, rate === 'topspeed' ? ['--topspeed'] : ['--pps', rate]);
    const sent = parseTcpreplay(await replay.succeeded());
    await sleep(1000);
    const [collectorOut, tcpdumpOut] = await Promise.all([collector.stop(), tcpdump.stop()]);
    return {
      requested: rate,
      sent,
      packetflux: parseCaptureSummary(collectorOut, veth.hostIf),
      tcpdump: parseTcpdump(tcpdumpOut),
      backlog: backlogDrops() - backlogBefore,
    };
  } finally {
    await Promise.all([collector.kill(), tcpdump.kill(), replay?.kill()]);
  }
}

function printRow(r: Row): void {
  const cells = [
    r.requested.padStart(9),
    num(r.sent.pps).padStart(9),
    num(r.sent.packets).padStart(8),
    '|',
    num(r.packetflux.packets).padStart(8),
    num(r.packetflux.drops).padStart(8),
    num(lost(r.sent, r.packetflux)).padStart(7),
    '|',
    num(r.tcpdump.packets).padStart(8),
    num(r.tcpdump.drops).padStart(8),
    num(lost(r.sent, r.tcpdump)).padStart(7),
    '|',
    num(r.backlog).padStart(7),
  ];
  process.stdout.write(`${cells.join(' ')}\n`);
}

function bestDropFree(rows: Row[], pick: (r: Row) => Counted): string {
  const clean = rows.filter((r) => dropFree(r.sent, pick(r)));
  if (clean.length === 0) return 'none';
  const top = clean.reduce((a, b) => (b.sent.pps > a.sent.pps ? b : a));
  return `${num(top.sent.pps)} pps (requested ${top.requested})`;
}

function liveRates(): string[] {
  const rates = (process.env.BENCH_LIVE_RATES ?? DEFAULT_RATES).split(',').map((r) => r.trim());
  for (const r of rates)
    if (r !== 'topspeed' && !/^[1-9]\d*$/.test(r))
      throw new Error(`BENCH_LIVE_RATES: '${r}' is neither a packet rate nor 'topspeed'`);
  return rates;
}

/** Runs `body` with a fresh veth pair, removed afterwards whatever happens. */
async function withVeth<T>(body: (veth: VethPair) => Promise<T>): Promise<T> {
  const veth = new VethPair(VETH_SUBNET);
  veth.create();
  try {
    return await body(veth);
  } finally {
    veth.destroy();
  }
}

export async function liveBench(dataDir: string): Promise<void> {
  const skip = skipReason();
  if (skip) {
    process.stdout.write(`\nlive capture: skipped, ${skip}\n`);
    return;
  }
  const rates = liveRates();
  const { manyFlows, longFlows } = liveFiles(dataDir);
  const extra = extraArgs();
  const args = `--step 1s, defaults --capture-buffer 64M --workers 1${extra.length > 0 ? `, BENCH_LIVE_ARGS ${extra.join(' ')}` : ''}`;
  process.stdout.write(
    `\nlive capture on a veth pair: packetflux capture (${args}) and tcpdump -B ${TCPDUMP_BUFFER_KIB} -w /dev/null` +
      ` on the same interface at once; tcpreplay -K sends from the namespace end.\n` +
      `${cpus().length} cores; tcpreplay is pinned to CPU 1 and takes one (veth's receive work runs on the sender's CPU too).\n` +
      `lost = sent - counted - drops: packets neither counted nor reported as drops; backlog = kernel input queue drops (netdev_max_backlog), before any capture.\n`,
  );
  await withVeth(async (veth) => {
    for (const file of [manyFlows, longFlows]) {
      process.stdout.write(
        `\n${file.path}: ${num(file.packets)} packets, ${num(file.flows)} flows (${file.description})\n` +
          `${'requested'.padStart(9)} ${'achieved'.padStart(9)} ${'sent'.padStart(8)} | ${'packetflux counted, drops, lost'.padEnd(25)} | ${'tcpdump captured, drops, lost'.padEnd(25)} | backlog\n`,
      );
      const rows: Row[] = [];
      for (const rate of rates) {
        const row = await measure(veth, file.path, rate);
        printRow(row);
        rows.push(row);
      }
      process.stdout.write(
        `highest drop-free achieved rate: packetflux ${bestDropFree(rows, (r) => r.packetflux)}, tcpdump ${bestDropFree(rows, (r) => r.tcpdump)}\n`,
      );
    }
  });
}

/** VmRSS of a process, in MB. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/**
 * One sample of the Prometheus text /metrics serves. A labelled counter shows only once it is
 * above 0, so `absent` is its value when missing; without it, a missing metric is an error.
 */
function metric(text: string, name: string, absent?: number): number {
  const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
  if (value !== undefined) return Number(value);
  if (absent !== undefined) return absent;
  throw new Error(`no ${name} in /metrics`);
}

export async function soakBench(dataDir: string): Promise<void> {
  const skip = skipReason();
  if (skip) {
    process.stdout.write(`\nsoak: skipped, ${skip}\n`);
    return;
  }
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
  const pps = Number(process.env.BENCH_SOAK_PPS ?? 20_000);
  if (!(seconds > 0) || !(pps > 0)) throw new Error('BENCH_SOAK_SECONDS and BENCH_SOAK_PPS must be positive');
  const { manyFlows: file } = liveFiles(dataDir);
  // Whole loops of the file: at least the asked duration.
  const loops = Math.max(1, Math.ceil((seconds * pps) / file.packets));
  const influx = new InfluxServer();
  const spool = mkdtempSync(join(tmpdir(), 'packetflux-soak-spool-'));
  await influx.start();
  try {
    await withVeth(async (veth) => {
      const port = await freePort();
      const collector = startCollector(veth.hostIf, [
        '--influx-url',
        influx.url,
        '--influx-db',
        'soak',
        '--spool-dir',
        spool,
        '--api-port',
        String(port),
      ]);
      let replay: Child | undefined;
      try {
        await collector.ready(/"msg":"capture running/);
        const pid = collector.proc.pid;
        if (pid === undefined) throw new Error('packetflux capture has no pid');
        process.stdout.write(
          `\nsoak: ${file.path} looped ${loops} times with --unique-ip (new flows and hosts each loop) at ${num(pps)} pps,` +
            ` about ${num((loops * file.packets) / pps)} s; packetflux capture writes to InfluxDB 1.x, RSS sampled every 10 s\n` +
            `${'t (s)'.padStart(6)} ${'RSS MB'.padStart(7)} ${'flows active'.padStart(12)} ${'flows created'.padStart(13)} ${'hosts'.padStart(6)} ${'packets'.padStart(10)} ${'drops'.padStart(7)} ${'spooled'.padStart(7)}\n`,
        );
        replay = startTcpreplay(veth, file.path, [
          '--pps',
          String(pps),
          '--loop',
          String(loops),
          '--unique-ip',
        ]);
        const started = Date.now();
        const samples: { t: number; rss: number }[] = [];
        while (replay.running) {
          await Promise.race([sleep(10_000), replay.exited]);
          const t = (Date.now() - started) / 1000;
          const rss = rssMb(pid);
          samples.push({ t, rss });
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          process.stdout.write(
            [
              t.toFixed(0).padStart(6),
              rss.toFixed(0).padStart(7),
              num(metric(text, 'packetflux_flows_active')).padStart(12),
              num(metric(text, 'packetflux_flows_created_total')).padStart(13),
              num(metric(text, 'packetflux_hosts_active')).padStart(6),
              num(metric(text, 'packetflux_capture_packets_total')).padStart(10),
              num(metric(text, 'packetflux_capture_drops_total', 0)).padStart(7),
              num(metric(text, 'packetflux_writer_spooled_batches')).padStart(7),
            ].join(' ') + '\n',
          );
        }
        const sent = parseTcpreplay(await replay.succeeded());
        await sleep(1000);
        const counted = parseCaptureSummary(await collector.stop(), veth.hostIf);
        const warm = samples.find((s) => s.t >= 30) ?? samples[samples.length - 1];
        const last = samples[samples.length - 1];
        const max = Math.max(...samples.map((s) => s.rss));
        process.stdout.write(
          `RSS after ${warm.t.toFixed(0)} s warm-up ${warm.rss.toFixed(0)} MB, at the end ${last.rss.toFixed(0)} MB, max ${max.toFixed(0)} MB\n` +
            `sent ${num(sent.packets)} at ${num(sent.pps)} pps; packetflux counted ${num(counted.packets)}, drops ${num(counted.drops)}, lost ${num(lost(sent, counted))}\n`,
        );
      } finally {
        await Promise.all([collector.kill(), replay?.kill()]);
      }
    });
  } finally {
    await influx.destroy();
    rmSync(spool, { recursive: true, force: true });
  }
}
