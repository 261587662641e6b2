import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The collector package: above this file, whether it runs from source or compiled into dist-tools/. */
function packageRoot(dir: string): string {
  return existsSync(join(dir, 'package.json')) ? dir : packageRoot(dirname(dir));
}

export const COLLECTOR_DIR = packageRoot(__dirname);
export const REPO_DIR = join(COLLECTOR_DIR, '..');
const BIN = join(COLLECTOR_DIR, 'bin', 'packetflux.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the built `packetflux` command (run `npm run build` first) with a clean environment for its options. */
export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  if (!existsSync(join(COLLECTOR_DIR, 'dist', 'cli', 'main.js')))
    throw new Error('collector is not built: run `npm run build` first');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PACKETFLUX_')));
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function finished(proc: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return finished(startCli(args, env));
}

/**
 * `packetflux replay FILE --json` into an InfluxDB 1.x database (spool in a fresh temporary
 * folder); fails unless it exits 0, and returns its JSON summary.
 */
export async function replayIntoInflux<T = unknown>(
  file: string,
  influxUrl: string,
  db: string,
  extra: string[] = [],
): Promise<T> {
  const spool = await mkdtemp(join(tmpdir(), 'packetflux-spool-'));
  const r = await runCli([
    'replay',
    file,
    '--json',
    '--influx-url',
    influxUrl,
    '--influx-db',
    db,
    '--spool-dir',
    spool,
    ...extra,
  ]);
  if (r.code !== 0) throw new Error(`replay ${file} exited ${r.code}: ${r.stderr}`);
  if (/"level":(40|50)/.test(r.stderr))
    throw new Error(`replay ${file} logged warnings or errors: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
