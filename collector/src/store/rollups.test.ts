import { RollupAccumulator, applySeed, rollupLines, type ClosedPeriod } from './rollups';
import { ROLLUPS } from './schema';
import { stepRecords } from './step-points';
import type { StepSnapshot } from '../stats/step-snapshot';

const M = 60_000;
const H = 3_600_000;
const T = 1_700_002_800_000; // a whole hour

function step(endMs: number, bytes: number): StepSnapshot {
  return {
    endMs,
    interfaces: [{ ifname: 'eth0', bytes, packets: 1, drops: 0 }],
    hosts: [],
    protocols: [],
    hostProtocols: [],
    probe: { drops: 0, flows: 2, hosts: 0 },
  };
}

describe('RollupAccumulator', () => {
  it('sums the steps of each minute and hour, closes them at the first step after, timestamps them at their end', () => {
    const acc = new RollupAccumulator();
    const closed: ClosedPeriod[] = [];
    for (let t = T + 5000; t <= T + 2 * M; t += 5000)
      closed.push(...acc.add(stepRecords(step(t, 10), 'p'), t));
    // The step ending at T + 60 s belongs to the first minute: steps are (end - step, end].
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ rollup: ROLLUPS[0], endMs: T + M });
    expect(rollupLines(closed).sort()).toEqual([
      `interface_1m,ifname=eth0,probe=p bytes=120i,drops=0i,packets=12i ${T + M}`,
      `probe_1m,probe=p drops=0i,flows=24i,hosts=0i,up=12i ${T + M}`,
    ]);
    const rest = acc.flush();
    expect(rest.map((p) => [p.rollup.suffix, p.endMs])).toEqual([
      ['_1m', T + 2 * M],
      ['_1h', T + H],
    ]);
    expect(rollupLines(rest)).toContain(`probe_1h,probe=p drops=0i,flows=48i,hosts=0i,up=24i ${T + H}`);
    expect(acc.flush()).toEqual([]);
  });

  it('a seed from an earlier run adds to the period it belongs to and to no other', () => {
    const acc = new RollupAccumulator();
    acc.add(stepRecords(step(T + 35_000, 10), 'p'), T + 35_000);
    const periods = acc.flush();
    const seed: ClosedPeriod[] = [
      { rollup: ROLLUPS[1], endMs: T + H, records: stepRecords(step(0, 7), 'p') },
      { rollup: ROLLUPS[0], endMs: T, records: stepRecords(step(0, 1000), 'p') },
    ];
    applySeed(periods, seed);
    expect(rollupLines(periods).filter((l) => l.startsWith('interface'))).toEqual([
      `interface_1m,ifname=eth0,probe=p bytes=10i,drops=0i,packets=1i ${T + M}`,
      `interface_1h,ifname=eth0,probe=p bytes=17i,drops=0i,packets=2i ${T + H}`,
    ]);
  });
});
