import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateBenchCapture } from '../synth/generate-bench-capture';

/**
 * `npm run bench`: the collector's replay speed next to ndpiReader (same nDPI) and libpcap's
 * own read speed (tcpdump -r) on the same file in the same run, as ratios, since machines
 * here are shared and noisy. Never a pass/fail: it prints figures.
 */
const COLLECTOR = join(__dirname, '..', '..');
const DATA = join(COLLECTOR, '..', 'bench-data');
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const FLOWS = Number(process.env.BENCH_FLOWS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Timed {
  seconds: number;
  stdout: string;
  stderr: string;
}

function timed(cmd: string, args: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.once('error', reject);
    p.once('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      else resolve({ seconds, stdout, stderr });
    });
  });
}

/** Best of `RUNS`: the least disturbed run on a shared machine. */
async function best(cmd: string, args: string[]): Promise<Timed> {
  let winner: Timed | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t = await timed(cmd, args);
    if (!winner || t.seconds < winner.seconds) winner = t;
  }
  return winner!;
}

function row(name: string, packets: number, seconds: number, reference: number, extra = ''): string {
  const pps = packets / seconds;
  return `${name.padEnd(34)} ${seconds.toFixed(3).padStart(8)} s ${(pps / 1e6).toFixed(3).padStart(8)} Mpps ${(pps / reference).toFixed(2).padStart(7)}x ${extra}`;
}

async function main(): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `bench-${PACKETS}-${FLOWS}.pcap`);
  if (!existsSync(file)) {
    process.stdout.write(`generating ${file} (${PACKETS} packets, ${FLOWS} flows)...\n`);
    generateBenchCapture(file, { packets: PACKETS, flows: FLOWS });
  }
  const sizeMB = statSync(file).size / 1e6;
  process.stdout.write(
    `capture: ${file}, ${PACKETS} packets, ${FLOWS} flows, ${sizeMB.toFixed(0)} MB; best of ${RUNS} runs each\n\n`,
  );

  const tcpdump = await best('tcpdump', ['-r', file, '-w', '/dev/null']);
  const ndpi = await best('ndpiReader', ['-i', file, '-v', '0', '-q']);
  const replayScript = `require(${JSON.stringify(join(COLLECTOR, 'dist', 'cli', 'main.js'))}).main(['node','packetflux','replay',${JSON.stringify(file)},'--json','--no-progress']).then((c)=>{process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n');process.exitCode=c})`;
  const ours = await best(process.execPath, ['-e', replayScript]);
  const summary = JSON.parse(ours.stdout) as { packets: number; flows: number };
  const maxRssKb = Number(/maxrss (\d+)/.exec(ours.stderr)?.[1] ?? 0);
  if (summary.packets !== PACKETS)
    throw new Error(`replay counted ${summary.packets} packets, the file has ${PACKETS}`);

  const ref = PACKETS / tcpdump.seconds;
  process.stdout.write(
    `${'replay speed'.padEnd(34)} ${'time'.padStart(10)} ${'rate'.padStart(13)} ${'vs tcpdump'.padStart(10)}\n`,
  );
  process.stdout.write(
    `${row('tcpdump -r FILE -w /dev/null', PACKETS, tcpdump.seconds, ref, '(libpcap read speed)')}\n`,
  );
  process.stdout.write(`${row('ndpiReader -i FILE -v 0', PACKETS, ndpi.seconds, ref)}\n`);
  process.stdout.write(
    `${row('packetflux replay FILE --json', PACKETS, ours.seconds, ref, `peak RSS ${(maxRssKb / 1024).toFixed(0)} MB, ${summary.flows} flows`)}\n`,
  );
  process.stdout.write(
    `\npacketflux / ndpiReader: ${(ndpi.seconds / ours.seconds).toFixed(2)}x the packet rate\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
