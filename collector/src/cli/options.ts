import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { parseByteSize, parseDurationSeconds } from '../common/duration';
import { ConfigError } from '../common/errors';
import type { PipelineConfig } from '../pipeline/traffic-pipeline';
import { DEFAULT_LOCAL_NETWORKS, LocalNetworks } from '../stats/local-networks';
import type { InfluxTarget } from '../store/influx-target';
import type { InfluxWriterConfig } from '../store/influx-writer';

/** Every option also reads `PACKETFLUX_<LONG_NAME>`, so docker-compose and systemd need no flags. */
function opt(flags: string, description: string, defaultValue?: string): Option {
  const long = /--(?:no-)?([a-z0-9-]+)/.exec(flags)?.[1] ?? '';
  const negated = flags.includes('--no-');
  const o = new Option(flags, description).env(
    `PACKETFLUX_${(negated ? `no-${long}` : long).replace(/-/g, '_').toUpperCase()}`,
  );
  return defaultValue === undefined ? o : o.default(defaultValue);
}

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .addOption(
      opt(
        '--influx-url <url>',
        'InfluxDB base URL, e.g. http://127.0.0.1:8086; without it nothing is written',
      ),
    )
    .addOption(
      opt('--influx-db <db>', 'InfluxDB 1.x database (written through /write; created when missing)'),
    )
    .addOption(opt('--influx-rp <rp>', 'InfluxDB 1.x retention policy (default: the database default)'))
    .addOption(opt('--influx-user <user>', 'InfluxDB 1.x user (HTTP Basic authentication)'))
    .addOption(opt('--influx-password <password>', 'InfluxDB 1.x password'))
    .addOption(opt('--influx-org <org>', 'InfluxDB 2.x/3.x organization (written through /api/v2/write)'))
    .addOption(opt('--influx-bucket <bucket>', 'InfluxDB 2.x/3.x bucket'))
    .addOption(opt('--influx-token <token>', 'InfluxDB 2.x/3.x API token'))
    .addOption(opt('--influx-timeout <duration>', 'timeout of one InfluxDB request', '10s'))
    .addOption(
      opt(
        '--spool-dir <dir>',
        'where batches InfluxDB did not take wait for it (default: ~/.local/state/packetflux/spool/<probe>)',
      ),
    )
    .addOption(
      opt(
        '--spool-max-bytes <size>',
        'bound of the spool on disk; past it the oldest batches are dropped',
        '256M',
      ),
    )
    .addOption(opt('--probe <name>', 'name of this collector in the `probe` tag (default: the host name)'));
}

export function addPipelineOptions(cmd: Command): Command {
  return cmd
    .addOption(opt('--step <duration>', 'time between points of a series: traffic is summed per step', '5s'))
    .addOption(
      opt(
        '--local-networks <cidrs>',
        `comma-separated networks whose hosts are tracked (default: ${DEFAULT_LOCAL_NETWORKS.join(',')}, plus the captured interfaces' networks)`,
      ),
    )
    .addOption(
      opt(
        '--max-hosts <n>',
        'bound on tracked local hosts; further hosts count in interface totals only',
        '65536',
      ),
    )
    .addOption(
      opt(
        '--host-idle <duration>',
        'a local host without traffic for this long is forgotten (its series resume when it returns)',
        '10m',
      ),
    )
    .addOption(
      opt(
        '--max-flows <n>',
        'bound on concurrent flows; when full the least recently seen flow is evicted',
        '262144',
      ),
    )
    .addOption(opt('--tcp-idle <duration>', 'a TCP flow ends after this long without packets', '120s'))
    .addOption(opt('--udp-idle <duration>', 'a UDP flow ends after this long without packets', '60s'))
    .addOption(
      opt('--other-idle <duration>', 'an ICMP or other flow ends after this long without packets', '30s'),
    )
    .addOption(opt('--no-host-protocols', 'do not write per-host protocol series (host_l7)'))
    .addOption(
      opt(
        '--max-protocols-per-host <n>',
        "per host and step, protocols past this many are summed as 'Other'",
        '20',
      ),
    )
    .addOption(opt('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info'));
}

export function addApiOptions(cmd: Command, defaultPort: string): Command {
  return cmd
    .addOption(
      opt(
        '--api-port <port>',
        `port of the HTTP API that Grafana reads${cmd.name() === 'capture' ? ' (0: no API)' : ''}`,
        defaultPort,
      ),
    )
    .addOption(
      opt('--api-host <address>', 'address the API listens on (0.0.0.0 for every interface)', '127.0.0.1'),
    )
    .addOption(
      opt('--api-token <token>', 'require `Authorization: Bearer <token>` on every request but /api/health'),
    )
    .addOption(opt('--api-cors <origin>', 'allow browser requests from this origin (CORS); off by default'))
    .addOption(opt('--max-range <duration>', 'longest time range one query may ask for', '400d'))
    .addOption(
      opt(
        '--query-timeout <duration>',
        'timeout of each InfluxDB query behind an API request, including its wait for a query slot (past it: 504, or 503 busy while waiting)',
        '10s',
      ),
    )
    .addOption(
      opt(
        '--max-series-per-request <n>',
        'most series one /query or /api/query request may ask for (template values expanded, top N + Other counted); each costs at most one InfluxDB query; more answers 400',
        '250',
      ),
    )
    .addOption(
      opt(
        '--max-points-per-request <n>',
        'most points (series × buckets of the range) one request may ask for; more answers 400 before InfluxDB is queried',
        '1000000',
      ),
    )
    .addOption(
      opt(
        '--max-concurrent-queries <n>',
        'InfluxDB queries the API runs at once; others wait for a slot within --query-timeout, then answer 503 busy (counted in /metrics)',
        '4',
      ),
    )
    .addOption(
      opt(
        '--catalog-refresh <duration>',
        'how often the known interfaces, hosts and protocols are re-read from InfluxDB',
        '30s',
      ),
    )
    .addOption(
      opt(
        '--catalog-lookback <duration>',
        'only offer entities seen within this time (default: everything the database holds)',
      ),
    )
    .addOption(
      opt(
        '--catalog-max <n>',
        'cap on values read per tag (interfaces, hosts, protocols) per interface',
        '100000',
      ),
    );
}

export interface ApiOptions {
  apiPort: string;
  apiHost: string;
  apiToken?: string;
  apiCors?: string;
  maxRange: string;
  queryTimeout: string;
  maxSeriesPerRequest: string;
  maxPointsPerRequest: string;
  maxConcurrentQueries: string;
  catalogRefresh: string;
  catalogLookback?: string;
  catalogMax: string;
}

export function apiPort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`--api-port: '${text}' is not a port (0-65535)`);
  return n;
}

export interface StoreOptions {
  influxUrl?: string;
  influxDb?: string;
  influxRp?: string;
  influxUser?: string;
  influxPassword?: string;
  influxOrg?: string;
  influxBucket?: string;
  influxToken?: string;
  influxTimeout: string;
  spoolDir?: string;
  spoolMaxBytes: string;
  probe?: string;
}

export interface PipelineOptions {
  step: string;
  localNetworks?: string;
  maxHosts: string;
  maxFlows: string;
  hostIdle: string;
  tcpIdle: string;
  udpIdle: string;
  otherIdle: string;
  hostProtocols: boolean;
  maxProtocolsPerHost: string;
  logLevel: string;
}

export function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${what}: '${text}' is not a positive whole number`);
  return n;
}

/** The InfluxDB target named by the options, or undefined when none is given. */
export function influxTarget(o: StoreOptions): InfluxTarget | undefined {
  const v1 =
    o.influxDb !== undefined ||
    o.influxRp !== undefined ||
    o.influxUser !== undefined ||
    o.influxPassword !== undefined;
  const v2 = o.influxOrg !== undefined || o.influxBucket !== undefined || o.influxToken !== undefined;
  if (!o.influxUrl) {
    if (v1 || v2) throw new ConfigError('--influx-url is needed with the other --influx-* options');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(o.influxUrl);
  } catch {
    throw new ConfigError(`--influx-url: '${o.influxUrl}' is not a URL (example: http://127.0.0.1:8086)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('--influx-url must be http:// or https://');
  const base = o.influxUrl.replace(/\/+$/, '');
  if (v1 && v2)
    throw new ConfigError(
      'give either --influx-db (InfluxDB 1.x) or --influx-org/--influx-bucket/--influx-token (2.x), not both',
    );
  if (v2) {
    if (!o.influxOrg || !o.influxBucket || !o.influxToken)
      throw new ConfigError('InfluxDB 2.x needs all of --influx-org, --influx-bucket and --influx-token');
    return { kind: 'v2', url: base, org: o.influxOrg, bucket: o.influxBucket, token: o.influxToken };
  }
  if (!o.influxDb)
    throw new ConfigError(
      '--influx-url needs --influx-db (InfluxDB 1.x) or --influx-org, --influx-bucket and --influx-token (2.x)',
    );
  if ((o.influxUser === undefined) !== (o.influxPassword === undefined))
    throw new ConfigError('--influx-user and --influx-password go together');
  return {
    kind: 'v1',
    url: base,
    db: o.influxDb,
    rp: o.influxRp,
    user: o.influxUser,
    password: o.influxPassword,
  };
}

export function probeName(o: StoreOptions): string {
  return o.probe ?? hostname();
}

export function writerConfig(o: StoreOptions, target: InfluxTarget): InfluxWriterConfig {
  const probe = probeName(o);
  const stateHome =
    process.env.STATE_DIRECTORY ?? process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
  return {
    target,
    probe,
    spoolDir: o.spoolDir ?? join(stateHome, 'packetflux', 'spool', probe.replace(/[^A-Za-z0-9._-]/g, '_')),
    spoolMaxBytes: parseByteSize(o.spoolMaxBytes, '--spool-max-bytes'),
    timeoutMs: parseDurationSeconds(o.influxTimeout, '--influx-timeout') * 1000,
    maxPendingBatches: 64,
    retryMinMs: 1000,
    retryMaxMs: 30_000,
  };
}

/** `--step`: it must divide a minute, so each step falls in one minute of the `_1m`/`_1h` rollups. */
export function stepSeconds(text: string): number {
  const seconds = parseDurationSeconds(text, '--step');
  const ms = Math.round(seconds * 1000);
  if (ms !== seconds * 1000 || 60_000 % ms !== 0)
    throw new ConfigError(`--step: '${text}' must divide a minute (e.g. 1s, 5s, 10s, 15s, 30s, 1m)`);
  return seconds;
}

export function pipelineConfig(o: PipelineOptions, extraLocalNetworks: string[]): PipelineConfig {
  const cidrs = o.localNetworks
    ? o.localNetworks
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [...DEFAULT_LOCAL_NETWORKS, ...extraLocalNetworks];
  return {
    stepSeconds: stepSeconds(o.step),
    localNetworks: new LocalNetworks(cidrs),
    maxHosts: positiveInt(o.maxHosts, '--max-hosts'),
    hostIdleSeconds: parseDurationSeconds(o.hostIdle, '--host-idle'),
    flows: {
      maxFlows: positiveInt(o.maxFlows, '--max-flows'),
      tcpIdleSeconds: parseDurationSeconds(o.tcpIdle, '--tcp-idle'),
      udpIdleSeconds: parseDurationSeconds(o.udpIdle, '--udp-idle'),
      otherIdleSeconds: parseDurationSeconds(o.otherIdle, '--other-idle'),
    },
    hostProtocols: o.hostProtocols,
    maxProtocolsPerHost: positiveInt(o.maxProtocolsPerHost, '--max-protocols-per-host'),
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
