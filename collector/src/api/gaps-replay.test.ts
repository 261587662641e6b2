import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { InfluxServer } from '../../test/support/influx-server';
import { REPO_DIR, replayIntoInflux } from '../../test/support/run-cli';
import { Catalog } from '../store/catalog';
import { InfluxReader } from '../store/influx-reader';
import { ApiServer } from './api-server';
import type { ApiFrame } from './types';

/**
 * Gaps where the collector was not running (issue 11), end to end: captures replayed by the real
 * `packetflux replay` into a real influxd, read back through the API. Expected values come from
 * tshark alone: bytes per bucket from each frame's time and length, and the collector running
 * from the step of a file's first packet to the step of its last.
 */

const run = promisify(execFile);
const SAMPLE = join(REPO_DIR, 'samples/sample.pcap');
const DB = 'gaps';
const STEP_MS = 5_000;
const HOUR_S = 3600;
const DAY_S = 86_400;
const logger = pino({ level: 'silent' });

interface Frame {
  timeMs: number;
  bytes: number;
}

async function frames(file: string): Promise<Frame[]> {
  const { stdout } = await run(
    'tshark',
    ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len'],
    {
      maxBuffer: 1 << 28,
    },
  );
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [t, len] = line.split('\t');
      return { timeMs: Number(t) * 1000, bytes: Number(len) };
    });
}

/** End of the step a packet counts in: points are stamped there. */
const stepEnd = (timeMs: number): number => (Math.floor(timeMs / STEP_MS) + 1) * STEP_MS;

/**
 * What `/api/query` must answer for `*_traffic_bps` over buckets of `widthMs` from `startMs`, as
 * bytes per bucket (bps × seconds / 8): null where no step of any file ran, else the bucket's
 * bytes (0 when quiet). Each file's collector ran every step from its first packet's to its last
 * packet's.
 */
function expectedBytes(files: Frame[][], startMs: number, widthMs: number, count: number): (number | null)[] {
  const bytes = new Array<number>(count).fill(0);
  const running = new Array<boolean>(count).fill(false);
  const bucketOf = (pointMs: number): number => Math.floor((pointMs - 1 - startMs) / widthMs);
  for (const f of files) {
    for (let end = stepEnd(f[0].timeMs); end <= stepEnd(f[f.length - 1].timeMs); end += STEP_MS) {
      const i = bucketOf(end);
      if (i >= 0 && i < count) running[i] = true;
    }
    for (const { timeMs, bytes: len } of f) {
      const i = bucketOf(stepEnd(timeMs));
      if (i >= 0 && i < count) bytes[i] += len;
    }
  }
  return bytes.map((b, i) => (running[i] ? b : null));
}

/** A rate frame's values as whole bytes per bucket (floating point aside), nulls kept. */
function bytesPerBucket(frame: ApiFrame): (number | null)[] {
  const seconds = (frame.times[1] - frame.times[0]) / 1000;
  return frame.values.map((v) => (v === null ? null : Math.round((v * seconds) / 8)));
}

describe('gaps: null where the collector was not running, 0 where it ran and saw nothing', () => {
  const influx = new InfluxServer();
  let dir = '';
  let catalog: Catalog;
  let api: ApiServer;
  let base = '';
  let before: Frame[];
  let after: Frame[];
  let quiet: Frame[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packetflux-gaps-'));
    await influx.start();
    // (a) The sample, and its packets an hour later: two runs of the collector, none between.
    const later = join(dir, 'later.pcap');
    await run('editcap', ['-t', String(HOUR_S), SAMPLE, later]);
    // (b) A day later, the sample and its packets again 90 s on: a ~50 s quiet stretch, shorter
    // than the TCP idle time, in one run of the collector.
    const [dayA, dayB, quietFile] = ['day-a.pcap', 'day-b.pcap', 'quiet.pcap'].map((f) => join(dir, f));
    await run('editcap', ['-t', String(DAY_S), SAMPLE, dayA]);
    await run('editcap', ['-t', String(DAY_S + 90), SAMPLE, dayB]);
    await run('mergecap', ['-w', quietFile, dayA, dayB]);

    const edge = ['--probe', 'edge', '--interface-name', 'wan'];
    await replayIntoInflux(SAMPLE, influx.url, DB, edge);
    await replayIntoInflux(later, influx.url, DB, edge);
    await replayIntoInflux(quietFile, influx.url, DB, ['--probe', 'quiet', '--interface-name', 'lan']);
    [before, after, quiet] = await Promise.all([frames(SAMPLE), frames(later), frames(quietFile)]);

    const reader = new InfluxReader({ url: influx.url, database: DB, timeoutMs: 5_000 });
    catalog = new Catalog({ refreshIntervalMs: 60_000, maxValuesPerKey: 10_000 }, { reader, logger });
    await catalog.start();
    api = new ApiServer(
      {
        host: '127.0.0.1',
        port: 0,
        maxRangeDays: 400,
        queryTimeoutMs: 5_000,
        defaultTop: 10,
        stepSeconds: 5,
      },
      { reader, catalog, logger, registry: new Registry(), health: () => ({ lastWriteMs: null, drops: 0 }) },
    );
    await api.start();
    base = `http://127.0.0.1:${api.address()?.port}`;
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await catalog?.stop();
    await influx.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** From the minute before the first packet to the minute after the last, in 60 s buckets. */
  function twoHours(): { fromMs: number; toMs: number; body: Record<string, unknown> } {
    const fromMs = Math.floor(before[0].timeMs / 60_000) * 60_000 - 60_000;
    const toMs = Math.ceil(after[after.length - 1].timeMs / 60_000) * 60_000 + 60_000;
    return {
      fromMs,
      toMs,
      body: {
        range: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
        intervalMs: 60_000,
        maxDataPoints: 1000,
      },
    };
  }

  it('(a) the collector wrote no heartbeat between the two runs', async () => {
    const gapFrom = stepEnd(before[before.length - 1].timeMs);
    const gapTo = stepEnd(after[0].timeMs);
    const [inGap] = await influx.rows(
      `SELECT count("up") FROM "probe" WHERE time > ${gapFrom}ms AND time < ${gapTo}ms`,
      DB,
    );
    expect(inGap).toBeUndefined();
    const [ran] = await influx.rows(
      `SELECT count("up") FROM "probe" WHERE "probe" = 'edge' AND time <= ${gapFrom}ms`,
      DB,
    );
    // One heartbeat per step of the first run, traffic or not.
    expect(ran.count).toBe((gapFrom - stepEnd(before[0].timeMs)) / STEP_MS + 1);
  });

  it('(a) /api/query: null buckets in the hour between the runs, tshark byte counts on both sides', async () => {
    const { fromMs, body } = twoHours();
    const [frame] = await post<ApiFrame[]>('/api/query', {
      ...body,
      targets: [{ refId: 'A', target: 'interface_wan_traffic_bps' }],
    });
    expect(bytesPerBucket(frame)).toEqual(expectedBytes([before, after], fromMs, 60_000, frame.times.length));

    // What that means, spelled out: a run of nulls about an hour long, numbers on both sides.
    const numbered = frame.values.flatMap((v, i) => (v === null ? [] : [i]));
    const firstAfter = numbered.find((i) => frame.times[i] >= after[0].timeMs - 60_000)!;
    const lastBefore = numbered[numbered.indexOf(firstAfter) - 1];
    expect(firstAfter - lastBefore - 1).toBeGreaterThanOrEqual(55);
    expect(frame.values.slice(lastBefore + 1, firstAfter).every((v) => v === null)).toBe(true);
    const bytes = (from: number, to: number): number =>
      frame.values.slice(from, to).reduce<number>((a, v) => a + ((v ?? 0) * 60) / 8, 0);
    const sum = (f: Frame[]): number => f.reduce((a, x) => a + x.bytes, 0);
    expect(bytes(0, lastBefore + 1)).toBeCloseTo(sum(before), 6);
    expect(bytes(firstAfter, frame.values.length)).toBeCloseTo(sum(after), 6);
    // Before the first run and after the second, nothing ran either.
    expect(frame.values[0]).toBeNull();
    expect(frame.values[frame.values.length - 1]).toBeNull();
  });

  it('(a) /query (SimpleJSON) answers [null, t] in the same buckets, with and without the probe filter', async () => {
    const { body } = twoHours();
    const [frame] = await post<ApiFrame[]>('/api/query', {
      ...body,
      targets: [{ refId: 'A', target: 'interface_wan_traffic_bps' }],
    });
    for (const filter of [{}, { adhocFilters: [{ key: 'probe', operator: '=', value: 'edge' }] }]) {
      const [series] = await post<{ target: string; datapoints: [number | null, number][] }[]>('/query', {
        ...body,
        ...filter,
        targets: [{ refId: 'A', target: 'interface_wan_traffic_bps' }],
      });
      expect(series.datapoints).toEqual(frame.times.map((t, i) => [frame.values[i], t]));
      expect(series.datapoints.filter(([v]) => v === null).length).toBeGreaterThanOrEqual(55);
    }
  });

  it('(a) totals stay cumulative across the gap: null inside it, the running sum on both sides', async () => {
    const { body } = twoHours();
    const [total] = await post<ApiFrame[]>('/api/query', {
      ...body,
      targets: [{ refId: 'A', target: 'interface_wan_traffic_total_bytes' }],
    });
    const [rate] = await post<ApiFrame[]>('/api/query', {
      ...body,
      targets: [{ refId: 'A', target: 'interface_wan_traffic_bps' }],
    });
    let running = 0;
    expect(total.values).toEqual(
      rate.values.map((v) => {
        if (v === null) return null;
        running += (v * 60) / 8;
        return running;
      }),
    );
    const sum = [...before, ...after].reduce((a, x) => a + x.bytes, 0);
    expect(total.values.filter((v) => v !== null).pop()).toBe(sum);
  });

  it('(b) a quiet stretch of a running collector answers 0, not null', async () => {
    const fromMs = Math.floor(quiet[0].timeMs / STEP_MS) * STEP_MS - STEP_MS;
    const toMs = stepEnd(quiet[quiet.length - 1].timeMs) + STEP_MS;
    const [frame] = await post<ApiFrame[]>('/api/query', {
      range: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
      intervalMs: STEP_MS,
      maxDataPoints: 1000,
      probe: 'quiet',
      targets: [{ refId: 'A', target: 'interface_lan_traffic_bps' }],
    });
    expect(bytesPerBucket(frame)).toEqual(expectedBytes([quiet], fromMs, STEP_MS, frame.times.length));
    // The 90 s shift leaves about 50 s without a packet: at least 9 steps of 0.
    const zeros = frame.values.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(9);
    expect(frame.values.slice(1, -1).every((v) => v !== null)).toBe(true);
    expect([frame.values[0], frame.values[frame.values.length - 1]]).toEqual([null, null]);
  });
});
