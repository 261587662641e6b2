export { ApiServer } from './api-server';
export type { ApiConfig, ApiDeps, ApiFrame, HealthInfo } from './types';
export { DEFAULT_API_CONFIG } from './types';
