/** One entry of the `metrics` resource (GET /api/metrics). */
export interface MetricInfo {
  name: string;
  unit?: string;
  series?: 'single' | 'multi';
  description?: string;
}
