import { Counter, Gauge, collectDefaultMetrics, Registry } from 'prom-client';
import type { CaptureCounters, InterfaceCounters } from '../stats/capture-counters';
import type { InfluxWriter } from '../store/influx-writer';

/** A counter that mirrors a running total kept elsewhere, read at scrape time. */
function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => [Record<string, string>, number][],
): void {
  const last = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, value] of read()) {
        const key = JSON.stringify(labels);
        const delta = value - (last.get(key) ?? 0);
        if (delta > 0) this.inc(labels, delta);
        last.set(key, value);
      }
    },
  });
}

/** The registry `/metrics` serves: process metrics plus the capture's and the writer's own. */
export function collectorRegistry(
  capture: (() => CaptureCounters) | null,
  writer: InfluxWriter | null,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'packetflux_' });
  if (capture) {
    const perInterface = (
      pick: (c: InterfaceCounters) => number,
    ): (() => [Record<string, string>, number][]) => {
      return () => Object.entries(capture().interfaces).map(([name, c]) => [{ interface: name }, pick(c)]);
    };
    mirroredCounter(
      registry,
      'packetflux_capture_packets_total',
      'Packets seen, per interface (updated each step).',
      ['interface'],
      perInterface((c) => c.packets),
    );
    mirroredCounter(
      registry,
      'packetflux_capture_bytes_total',
      'Bytes on the wire, per interface (updated each step).',
      ['interface'],
      perInterface((c) => c.bytes),
    );
    mirroredCounter(
      registry,
      'packetflux_capture_drops_total',
      'Packets the kernel or the interface dropped before they were counted (pcap_stats), per interface.',
      ['interface'],
      perInterface((c) => c.drops),
    );
    mirroredCounter(
      registry,
      'packetflux_decode_malformed_total',
      'Truncated or malformed packets, per interface.',
      ['interface'],
      perInterface((c) => c.malformed),
    );
    mirroredCounter(
      registry,
      'packetflux_decode_not_ip_total',
      'Packets without IP (ARP, LLDP, ...), per interface.',
      ['interface'],
      perInterface((c) => c.notIp),
    );
    mirroredCounter(registry, 'packetflux_flows_created_total', 'Flows created.', [], () => [
      [{}, capture().flowsCreated],
    ]);
    mirroredCounter(
      registry,
      'packetflux_flows_evicted_total',
      'Flows evicted because the table was full (--max-flows).',
      [],
      () => [[{}, capture().flowsEvicted]],
    );
    mirroredCounter(
      registry,
      'packetflux_hosts_dropped_total',
      'Packets of local hosts not tracked because --max-hosts was reached.',
      [],
      () => [[{}, capture().hostsDropped]],
    );
    new Gauge({
      name: 'packetflux_hosts_active',
      help: 'Local hosts tracked (bounded by --max-hosts, expired after --host-idle).',
      registers: [registry],
      collect() {
        this.set(capture().hostsActive);
      },
    });
    new Gauge({
      name: 'packetflux_flows_active',
      help: 'Flows in the flow tables.',
      registers: [registry],
      collect() {
        this.set(capture().flowsActive);
      },
    });
  }
  if (writer) {
    mirroredCounter(registry, 'packetflux_writer_points_total', 'Points written to InfluxDB.', [], () => [
      [{}, writer.status().writtenLines],
    ]);
    mirroredCounter(
      registry,
      'packetflux_writer_spool_dropped_points_total',
      'Points dropped because the spool reached --spool-max-bytes.',
      [],
      () => [[{}, writer.status().droppedLines]],
    );
    mirroredCounter(
      registry,
      'packetflux_writer_rejected_batches_total',
      'Batches InfluxDB refused for good (kept in the spool rejected/ folder).',
      [],
      () => [[{}, writer.status().rejectedBatches]],
    );
    new Gauge({
      name: 'packetflux_writer_spooled_batches',
      help: 'Batches waiting on disk for InfluxDB.',
      registers: [registry],
      collect() {
        this.set(writer.status().spooledBatches);
      },
    });
  }
  return registry;
}
