export { ApiServer } from './api-server';
export type { ApiConfig, ApiDeps, ApiFrame, HealthInfo } from './types';
export { DEFAULT_API_CONFIG } from './types';
export { runSearchBench } from './search-bench';
export type { SearchBenchOptions, SearchBenchResult } from './search-bench';
