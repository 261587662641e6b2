/**
 * The InfluxDB schema of DESIGN.md ("InfluxDB schema"), shared by the writer and the reader.
 * One point per series per step, timestamped at the end of the step; fields are per-step
 * deltas written as integers.
 */
export const MEASUREMENTS = {
  interface: 'interface',
  interfaceL7: 'interface_l7',
  host: 'host',
  hostL7: 'host_l7',
  /** The heartbeat: one point per probe and step, traffic or not. */
  probe: 'probe',
} as const;

export type MeasurementName = (typeof MEASUREMENTS)[keyof typeof MEASUREMENTS];

export const TAGS = {
  probe: 'probe',
  ifname: 'ifname',
  host: 'host',
  proto: 'proto',
  category: 'category',
} as const;

export type TagName = (typeof TAGS)[keyof typeof TAGS];

export const FIELDS = {
  bytes: 'bytes',
  packets: 'packets',
  drops: 'drops',
  flows: 'flows',
  bytesSent: 'bytes_sent',
  bytesRcvd: 'bytes_rcvd',
  packetsSent: 'packets_sent',
  packetsRcvd: 'packets_rcvd',
  up: 'up',
  hosts: 'hosts',
} as const;

export type FieldName = (typeof FIELDS)[keyof typeof FIELDS];

/** Tags and fields of each measurement, in the order DESIGN.md lists them. */
export const SCHEMA = {
  [MEASUREMENTS.interface]: {
    tags: [TAGS.probe, TAGS.ifname],
    fields: [FIELDS.bytes, FIELDS.packets, FIELDS.drops],
  },
  [MEASUREMENTS.interfaceL7]: {
    tags: [TAGS.probe, TAGS.ifname, TAGS.proto, TAGS.category],
    fields: [FIELDS.bytes, FIELDS.packets, FIELDS.flows],
  },
  [MEASUREMENTS.host]: {
    tags: [TAGS.probe, TAGS.ifname, TAGS.host],
    fields: [FIELDS.bytesSent, FIELDS.bytesRcvd, FIELDS.packetsSent, FIELDS.packetsRcvd],
  },
  [MEASUREMENTS.hostL7]: {
    tags: [TAGS.probe, TAGS.ifname, TAGS.host, TAGS.proto, TAGS.category],
    fields: [FIELDS.bytesSent, FIELDS.bytesRcvd],
  },
  [MEASUREMENTS.probe]: {
    tags: [TAGS.probe],
    fields: [FIELDS.up, FIELDS.drops, FIELDS.flows, FIELDS.hosts],
  },
} as const satisfies Record<MeasurementName, { tags: readonly TagName[]; fields: readonly FieldName[] }>;

/** Default step between points of one series, in seconds (`--step 5s`). */
export const DEFAULT_STEP_SECONDS = 5;

/**
 * Rollups (DESIGN.md, `<measurement>_1m` and `<measurement>_1h`): the same tags and fields as
 * the measurement, summed over each minute / hour of step points, timestamped at its end.
 * Coarsest last; each period divides the next.
 */
export const ROLLUPS = [
  { suffix: '_1m', periodMs: 60_000 },
  { suffix: '_1h', periodMs: 3_600_000 },
] as const;

export type Rollup = (typeof ROLLUPS)[number];

/** The name of a measurement's rollup, e.g. `host_l7_1h`. */
export function rollupMeasurement(measurement: MeasurementName, rollup: Rollup): string {
  return `${measurement}${rollup.suffix}`;
}
