/** Request bodies and query strings of the HTTP API, validated with zod. */
import { z } from 'zod';
import { truncateEcho } from './errors';

export const MAX_DATA_POINTS = 100_000;
export const MAX_TOP = 1000;
export const MAX_TARGETS = 100;

/**
 * The times InfluxDB can store and query: int64 nanoseconds since the epoch, minus its two
 * reserved values (1677-09-21T00:12:43.145Z to 2262-04-11T23:47:16.854Z), in whole ms.
 */
export const INFLUX_MIN_TIME_MS = -9_223_372_036_854;
export const INFLUX_MAX_TIME_MS = 9_223_372_036_854;
export const INFLUX_TIME_RANGE = `${new Date(INFLUX_MIN_TIME_MS).toISOString()} to ${new Date(INFLUX_MAX_TIME_MS).toISOString()}`;

/** ISO 8601 text (what Grafana sends) or epoch milliseconds (number or digits). */
const timeValue = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  const shown = JSON.stringify(typeof value === 'string' ? truncateEcho(value) : value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a time: ${shown} (use ISO 8601 or epoch ms)` });
    return z.NEVER;
  }
  if (ms < INFLUX_MIN_TIME_MS || ms > INFLUX_MAX_TIME_MS) {
    ctx.addIssue({
      code: 'custom',
      message: `${shown} is outside the times InfluxDB can hold (${INFLUX_TIME_RANGE}, epoch ms ${INFLUX_MIN_TIME_MS} to ${INFLUX_MAX_TIME_MS})`,
    });
    return z.NEVER;
  }
  return Math.round(ms);
});

const range = z.object({ from: timeValue, to: timeValue, raw: z.unknown().optional() });
const intervalMs = z
  .number({ error: 'must be a number of milliseconds' })
  .positive({ error: 'must be positive' })
  .optional();
const maxDataPoints = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be an integer' })
  .min(1, { error: `must be between 1 and ${MAX_DATA_POINTS}` })
  .max(MAX_DATA_POINTS, { error: `must be between 1 and ${MAX_DATA_POINTS}` })
  .optional();
const top = z.number().int({ error: 'must be an integer' }).min(1).max(MAX_TOP).optional();
const probe = z.string().min(1).optional();

/** The body Grafana's SimpleJSON datasource posts to `/query` (unknown keys are ignored). */
export const simpleJsonQueryBody = z.object({
  range,
  intervalMs,
  maxDataPoints,
  targets: z
    .array(
      z.object({
        target: z.string().optional(),
        refId: z.string().optional(),
        type: z.string().optional(),
        hide: z.boolean().optional(),
        probe,
        top,
      }),
    )
    .max(MAX_TARGETS),
  scopedVars: z.record(z.string(), z.unknown()).optional(),
  adhocFilters: z.array(z.object({ key: z.string(), operator: z.string(), value: z.unknown() })).optional(),
});

export const apiQueryBody = z.object({
  range,
  intervalMs,
  maxDataPoints,
  probe,
  targets: z
    .array(
      z.object({
        refId: z.string().default('A'),
        target: z.string({ error: 'must be a metric name' }),
        top,
        legendFormat: z.string().optional(),
        probe,
        hide: z.boolean().optional(),
      }),
    )
    .min(1, { error: 'needs at least one target' })
    .max(MAX_TARGETS),
});

export const searchBody = z.object({ target: z.string().optional(), type: z.string().optional() });

export const metricsQuery = z.object({
  prefix: z.string().default(''),
  limit: z.coerce
    .number()
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be between 1 and 10000' })
    .max(10_000, { error: 'must be between 1 and 10000' })
    .default(100),
});

export const variablesQuery = z.object({ query: z.string({ error: 'is required' }) });

/** One line naming each problem and where it is, e.g. `range.from: not a time: "x"`. */
export function describeZodError(error: z.ZodError, where: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${path ? path : where}: ${issue.message}`;
    })
    .join('; ');
}
