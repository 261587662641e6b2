import { runSearchBench } from './search-bench';

describe('search benchmark', () => {
  it('answers searches over 10,000 hosts × 20 protocols in well under a keystroke', () => {
    const result = runSearchBench({ hosts: 10_000, protocols: 20, searches: 1_000 });
    console.log(JSON.stringify(result));
    expect(result.names).toBe(10_000 * 27 + 27);
    expect(result.p99Ms).toBeLessThan(50);
  });
});
