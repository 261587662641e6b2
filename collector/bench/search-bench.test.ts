import { runSearchBench } from './search-bench';

// Latency is measured by `npm run bench`, not asserted here: this checks the benchmark's catalog.
describe('search benchmark', () => {
  it('builds every metric name of 10,000 hosts × 20 protocols and runs its searches', () => {
    const result = runSearchBench({ hosts: 10_000, protocols: 20, searches: 100 });
    expect(result.names).toBe(10_000 * 27 + 27);
    expect(result.searches).toBe(100);
  });
});
