import { stepPoints } from '../store/step-points';
import { StepMerger, mergeSnapshots } from './step-merger';
import type { StepSnapshot } from './step-snapshot';

function step(endMs: number, bytes: number, host: string, protos: [string, number][]): StepSnapshot {
  return {
    endMs,
    interfaces: [{ ifname: 'eth0', bytes, packets: 1, drops: 1 }],
    hosts: [{ ifname: 'eth0', host, bytesSent: bytes, bytesRcvd: 0, packetsSent: 1, packetsRcvd: 0 }],
    protocols: protos.map(([proto, b]) => ({
      ifname: 'eth0',
      proto,
      category: 'Web',
      bytes: b,
      packets: 1,
      flows: 1,
    })),
    hostProtocols: protos.map(([proto, b]) => ({
      ifname: 'eth0',
      host,
      proto,
      category: 'Web',
      bytesSent: b,
      bytesRcvd: 0,
    })),
    probe: { drops: 1, flows: protos.length, hosts: 1 },
  };
}

/** A worker's step without traffic: only its heartbeat. */
function idle(endMs: number, probe: StepSnapshot['probe']): StepSnapshot {
  return { endMs, interfaces: [], hosts: [], protocols: [], hostProtocols: [], probe };
}

describe('mergeSnapshots', () => {
  it('sums the rows of the same series and keeps the others', () => {
    const merged = mergeSnapshots(
      [
        step(5000, 100, '10.0.0.1', [
          ['TLS', 60],
          ['DNS', 40],
        ]),
        step(5000, 50, '10.0.0.2', [['TLS', 50]]),
      ],
      20,
    );
    expect(merged.interfaces).toEqual([{ ifname: 'eth0', bytes: 150, packets: 2, drops: 2 }]);
    expect(merged.hosts.map((h) => [h.host, h.bytesSent])).toEqual([
      ['10.0.0.1', 100],
      ['10.0.0.2', 50],
    ]);
    expect(merged.protocols.map((p) => [p.proto, p.bytes, p.flows])).toEqual([
      ['TLS', 110, 2],
      ['DNS', 40, 1],
    ]);
  });

  it("caps each host's protocols again, folding the smallest (and the workers' own Other) into Other", () => {
    const merged = mergeSnapshots(
      [
        step(5000, 100, '10.0.0.1', [
          ['TLS', 50],
          ['Other', 7],
        ]),
        step(5000, 100, '10.0.0.1', [
          ['DNS', 30],
          ['NTP', 3],
        ]),
      ],
      3,
    );
    const rows = merged.hostProtocols.map((r) => [r.proto, r.bytesSent]);
    expect(rows).toEqual([
      ['TLS', 50],
      ['DNS', 30],
      ['Other', 10],
    ]);
    // Nothing is lost by capping.
    expect(rows.reduce((s, [, b]) => s + Number(b), 0)).toBe(90);
  });
});

describe('mergeSnapshots: the probe heartbeat', () => {
  it("sums the workers' drops, flows and hosts", () => {
    const merged = mergeSnapshots(
      [
        idle(5000, { drops: 4, flows: 10, hosts: 3 }),
        step(5000, 50, '10.0.0.2', [['TLS', 50]]),
        idle(5000, { drops: 0, flows: 7, hosts: 2 }),
      ],
      20,
    );
    expect(merged.probe).toEqual({ drops: 5, flows: 18, hosts: 6 });
  });

  it('is written as one `probe` point with up=1 however many workers ran the step', () => {
    const parts = [0, 1, 2].map((k) => idle(5000, { drops: k, flows: 1, hosts: 1 }));
    const points = stepPoints(mergeSnapshots(parts, 20), 'edge')
      .map((p) => p.toLineProtocol())
      .filter((l) => l?.startsWith('probe,'));
    expect(points).toEqual(['probe,probe=edge drops=3i,flows=3i,hosts=3i,up=1i 5000']);
  });

  it('does not alter the inputs (a worker may still hold them)', () => {
    const a = idle(5000, { drops: 1, flows: 2, hosts: 3 });
    mergeSnapshots([a, idle(5000, { drops: 1, flows: 2, hosts: 3 })], 20);
    expect(a.probe).toEqual({ drops: 1, flows: 2, hosts: 3 });
  });
});

describe('StepMerger', () => {
  it('hands a step on once every worker has passed it, merged, in order', () => {
    const out: StepSnapshot[] = [];
    const merger = new StepMerger(2, 20, (s) => out.push(s));
    merger.report(0, [step(1000, 1, 'a', []), step(2000, 2, 'a', [])], 2000);
    expect(out).toEqual([]);
    merger.report(1, [step(1000, 10, 'a', [])], 1500);
    expect(out.map((s) => [s.endMs, s.interfaces[0].bytes])).toEqual([[1000, 11]]);
    // A worker that saw nothing in a step still moves its watermark past it.
    merger.report(1, [], 2500);
    expect(out.map((s) => [s.endMs, s.interfaces[0].bytes])).toEqual([
      [1000, 11],
      [2000, 2],
    ]);
  });

  it('hands on a step with only heartbeats, one snapshot for all workers', () => {
    const out: StepSnapshot[] = [];
    const merger = new StepMerger(2, 20, (s) => out.push(s));
    merger.report(0, [idle(5000, { drops: 0, flows: 2, hosts: 1 })], 5000);
    merger.report(1, [idle(5000, { drops: 3, flows: 0, hosts: 0 })], 5000);
    expect(out).toEqual([idle(5000, { drops: 3, flows: 2, hosts: 1 })]);
  });

  it('flushes everything once every worker has stopped', () => {
    const out: StepSnapshot[] = [];
    const merger = new StepMerger(2, 20, (s) => out.push(s));
    merger.report(0, [step(3000, 1, 'a', [])], Infinity);
    merger.report(1, [step(3000, 2, 'a', [])], Infinity);
    expect(out.map((s) => s.interfaces[0].bytes)).toEqual([3]);
  });
});
