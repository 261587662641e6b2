import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../common/errors';
import { createLogger } from './logger';
import { addApiOptions, addPipelineOptions, addStoreOptions, LOG_LEVELS } from './options';
import type { CaptureOptions } from './run-capture';
import type { ReplayOptions } from './run-replay';
import type { ServeOptions } from './run-serve';

function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

function buildProgram(run: (action: () => Promise<number>) => void): Command {
  const program = new Command('packetflux')
    .description(
      'Network traffic to InfluxDB and Grafana: captures or replays packets, classifies flows with nDPI, writes interface, host and application traffic every step, and serves ntopng metric names.',
    )
    .version(
      (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
        .version,
    )
    .showHelpAfterError('(run with --help for every option)')
    .exitOverride();

  const capture = addPipelineOptions(
    addStoreOptions(
      program
        .command('capture')
        .description('capture live on one or more interfaces until SIGINT/SIGTERM, then flush')
        .addOption(
          new Option(
            '-i, --interface <name>',
            'interface to capture on; repeat or comma-separate for several',
          )
            .env('PACKETFLUX_INTERFACE')
            .argParser(collect)
            .makeOptionMandatory(),
        )
        .addOption(
          new Option('--bpf <filter>', 'BPF capture filter, tcpdump syntax')
            .env('PACKETFLUX_BPF')
            .default(''),
        )
        .addOption(
          new Option(
            '--capture-buffer <size>',
            'kernel ring per interface and worker: holds bursts while the pipeline catches up; packets past it are counted as drops',
          )
            .env('PACKETFLUX_CAPTURE_BUFFER')
            .default('64M'),
        )
        .addOption(
          new Option(
            '--snaplen <bytes>',
            'bytes kept of each packet (byte counts always use the wire length)',
          )
            .env('PACKETFLUX_SNAPLEN')
            .default('262144'),
        )
        .addOption(
          new Option(
            '--workers <n>',
            'threads per interface, each with its own flow table and nDPI, joined in a PACKET_FANOUT group (both directions of a flow meet in one)',
          )
            .env('PACKETFLUX_WORKERS')
            .default('1'),
        )
        .addOption(
          new Option(
            '--block-timeout <duration>',
            'longest a packet waits in a partly filled kernel ring block before it is read',
          )
            .env('PACKETFLUX_BLOCK_TIMEOUT')
            .default('100ms'),
        ),
    ),
  );
  addApiOptions(capture, '3001').action((o: CaptureOptions) =>
    run(async () => (await import('./run-capture')).runCapture(o, createLogger(checkLevel(o.logLevel)))),
  );

  addPipelineOptions(
    addStoreOptions(
      program
        .command('replay')
        .description(
          "read a pcap or pcapng file as fast as possible on the file's own clock, write it, print a summary",
        )
        .argument('<file>', 'capture file (pcap or pcapng, any byte order, micro- or nanosecond)')
        .addOption(
          new Option(
            '--interface-name <name>',
            "name to report the file's interface under (default: the pcapng interface name, else the file name)",
          ).env('PACKETFLUX_INTERFACE_NAME'),
        )
        .addOption(
          new Option('--json', 'print the summary as one JSON object on stdout').env('PACKETFLUX_JSON'),
        )
        .addOption(
          new Option('--no-progress', 'no progress bar (it only shows when stderr is a terminal)').env(
            'PACKETFLUX_NO_PROGRESS',
          ),
        ),
    ),
  ).action((file: string, o: ReplayOptions) =>
    run(async () =>
      (await import('./run-replay')).runReplay(
        file,
        { ...o, json: o.json ?? false },
        createLogger(checkLevel(o.logLevel)),
      ),
    ),
  );

  const serve = addStoreOptions(
    program.command('serve').description('serve the HTTP API over what collectors wrote to InfluxDB'),
  )
    .addOption(
      new Option('--step <duration>', "the collectors' step: query buckets are whole multiples of it")
        .env('PACKETFLUX_STEP')
        .default('5s'),
    )
    .addOption(
      new Option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
        .env('PACKETFLUX_LOG_LEVEL')
        .default('info'),
    );
  addApiOptions(serve, '3001').action((o: ServeOptions) =>
    run(async () => (await import('./run-serve')).runServe(o, createLogger(checkLevel(o.logLevel)))),
  );

  return program;
}

function checkLevel(level: string): string {
  if (!LOG_LEVELS.includes(level))
    throw new ConfigError(`--log-level: '${level}' is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** Runs the command line; resolves to the process exit code (2 for bad options). */
export async function main(argv: string[]): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  const program = buildProgram((a) => {
    action = a;
  });
  try {
    await program.parseAsync(argv);
    return action ? await action() : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`packetflux: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
