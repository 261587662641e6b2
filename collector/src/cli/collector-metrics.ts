import { Counter, Gauge, collectDefaultMetrics, Registry } from 'prom-client';
import type { TrafficPipeline } from '../pipeline/traffic-pipeline';
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

/** The registry `/metrics` serves: process metrics plus the capture pipeline's and writer's own. */
export function collectorRegistry(pipeline: TrafficPipeline | null, writer: InfluxWriter | null): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'packetflux_' });
  if (pipeline) {
    const perInterface = (values: ArrayLike<number>): [Record<string, string>, number][] =>
      pipeline.interfaceNames.map((name, i) => [{ interface: name }, values[i]]);
    mirroredCounter(
      registry,
      'packetflux_capture_packets_total',
      'Packets seen, per interface (updated each step).',
      ['interface'],
      () =>
        pipeline.interfaceNames.map((name) => [
          { interface: name },
          pipeline.summary.interfaceTotals(name).packets,
        ]),
    );
    mirroredCounter(
      registry,
      'packetflux_capture_bytes_total',
      'Bytes on the wire, per interface (updated each step).',
      ['interface'],
      () =>
        pipeline.interfaceNames.map((name) => [
          { interface: name },
          pipeline.summary.interfaceTotals(name).bytes,
        ]),
    );
    mirroredCounter(
      registry,
      'packetflux_decode_malformed_total',
      'Truncated or malformed packets, per interface.',
      ['interface'],
      () => perInterface(pipeline.malformed),
    );
    mirroredCounter(
      registry,
      'packetflux_decode_not_ip_total',
      'Packets without IP (ARP, LLDP, ...), per interface.',
      ['interface'],
      () => perInterface(pipeline.notIp),
    );
    mirroredCounter(registry, 'packetflux_flows_created_total', 'Flows created.', [], () => [
      [{}, pipeline.summary.flows],
    ]);
    mirroredCounter(
      registry,
      'packetflux_flows_evicted_total',
      'Flows evicted because the table was full (--max-flows).',
      [],
      () => [[{}, pipeline.evictedFlows]],
    );
    mirroredCounter(
      registry,
      'packetflux_hosts_dropped_total',
      'Packets of local hosts not tracked because --max-hosts was reached.',
      [],
      () => [[{}, pipeline.hosts.dropped]],
    );
    new Gauge({
      name: 'packetflux_hosts_active',
      help: 'Local hosts tracked (bounded by --max-hosts, expired after --host-idle).',
      registers: [registry],
      collect() {
        this.set(pipeline.hosts.size);
      },
    });
    new Gauge({
      name: 'packetflux_flows_active',
      help: 'Flows in the flow table.',
      registers: [registry],
      collect() {
        this.set(pipeline.activeFlows);
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
