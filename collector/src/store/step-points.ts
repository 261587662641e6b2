import { Point } from '@influxdata/influxdb-client';
import type { StepSnapshot } from '../stats/step-snapshot';
import { FIELDS, MEASUREMENTS, TAGS } from './schema';

/**
 * The points of one step, per DESIGN.md's schema: per-step deltas as integer fields, and always
 * the `probe` heartbeat, so an empty step is one point.
 */
export function stepPoints(snapshot: StepSnapshot, probe: string): Point[] {
  const t = snapshot.endMs;
  const points: Point[] = [];
  for (const i of snapshot.interfaces) {
    points.push(
      new Point(MEASUREMENTS.interface)
        .tag(TAGS.probe, probe)
        .tag(TAGS.ifname, i.ifname)
        .intField(FIELDS.bytes, i.bytes)
        .intField(FIELDS.packets, i.packets)
        .intField(FIELDS.drops, i.drops)
        .timestamp(t),
    );
  }
  for (const p of snapshot.protocols) {
    points.push(
      new Point(MEASUREMENTS.interfaceL7)
        .tag(TAGS.probe, probe)
        .tag(TAGS.ifname, p.ifname)
        .tag(TAGS.proto, p.proto)
        .tag(TAGS.category, p.category)
        .intField(FIELDS.bytes, p.bytes)
        .intField(FIELDS.packets, p.packets)
        .intField(FIELDS.flows, p.flows)
        .timestamp(t),
    );
  }
  for (const h of snapshot.hosts) {
    points.push(
      new Point(MEASUREMENTS.host)
        .tag(TAGS.probe, probe)
        .tag(TAGS.ifname, h.ifname)
        .tag(TAGS.host, h.host)
        .intField(FIELDS.bytesSent, h.bytesSent)
        .intField(FIELDS.bytesRcvd, h.bytesRcvd)
        .intField(FIELDS.packetsSent, h.packetsSent)
        .intField(FIELDS.packetsRcvd, h.packetsRcvd)
        .timestamp(t),
    );
  }
  for (const h of snapshot.hostProtocols) {
    points.push(
      new Point(MEASUREMENTS.hostL7)
        .tag(TAGS.probe, probe)
        .tag(TAGS.ifname, h.ifname)
        .tag(TAGS.host, h.host)
        .tag(TAGS.proto, h.proto)
        .tag(TAGS.category, h.category)
        .intField(FIELDS.bytesSent, h.bytesSent)
        .intField(FIELDS.bytesRcvd, h.bytesRcvd)
        .timestamp(t),
    );
  }
  const { drops, flows, hosts } = snapshot.probe;
  points.push(
    new Point(MEASUREMENTS.probe)
      .tag(TAGS.probe, probe)
      .intField(FIELDS.up, 1)
      .intField(FIELDS.drops, drops)
      .intField(FIELDS.flows, flows)
      .intField(FIELDS.hosts, hosts)
      .timestamp(t),
  );
  return points;
}
