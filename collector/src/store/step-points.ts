import { Point } from '@influxdata/influxdb-client';
import type { StepSnapshot } from '../stats/step-snapshot';
import { MEASUREMENTS, SCHEMA, type MeasurementName } from './schema';

/** One point of a step before it becomes line protocol: tag values and field values in `SCHEMA` order. */
export interface StepRecord {
  measurement: MeasurementName;
  tags: string[];
  fields: number[];
}

/**
 * The records of one step, per DESIGN.md's schema: per-step deltas, and always the `probe`
 * heartbeat, so an empty step is one record.
 */
export function stepRecords(snapshot: StepSnapshot, probe: string): StepRecord[] {
  const out: StepRecord[] = [];
  for (const i of snapshot.interfaces)
    out.push({
      measurement: MEASUREMENTS.interface,
      tags: [probe, i.ifname],
      fields: [i.bytes, i.packets, i.drops],
    });
  for (const p of snapshot.protocols)
    out.push({
      measurement: MEASUREMENTS.interfaceL7,
      tags: [probe, p.ifname, p.proto, p.category],
      fields: [p.bytes, p.packets, p.flows],
    });
  for (const h of snapshot.hosts)
    out.push({
      measurement: MEASUREMENTS.host,
      tags: [probe, h.ifname, h.host],
      fields: [h.bytesSent, h.bytesRcvd, h.packetsSent, h.packetsRcvd],
    });
  for (const h of snapshot.hostProtocols)
    out.push({
      measurement: MEASUREMENTS.hostL7,
      tags: [probe, h.ifname, h.host, h.proto, h.category],
      fields: [h.bytesSent, h.bytesRcvd],
    });
  const { drops, flows, hosts } = snapshot.probe;
  out.push({ measurement: MEASUREMENTS.probe, tags: [probe], fields: [1, drops, flows, hosts] });
  return out;
}

/** A record as a point of `measurement` (the record's own, or one of its rollups), integer fields. */
export function recordPoint(record: StepRecord, measurement: string, timeMs: number): Point {
  const schema = SCHEMA[record.measurement];
  const point = new Point(measurement);
  schema.tags.forEach((tag, i) => point.tag(tag, record.tags[i]));
  schema.fields.forEach((field, i) => point.intField(field, record.fields[i]));
  return point.timestamp(timeMs);
}

/** The points of one step: its records timestamped at the end of the step. */
export function stepPoints(snapshot: StepSnapshot, probe: string): Point[] {
  return stepRecords(snapshot, probe).map((r) => recordPoint(r, r.measurement, snapshot.endMs));
}
