import type { ComboboxOption } from '@grafana/ui';

import { describeMetric } from './metric-names';
import type { InterfaceOptionSource, MetricOptionSource } from './types/datasource';

export const VARIABLES_GROUP = 'Template variables';
export const METRICS_GROUP = 'Metrics';

/**
 * Builds the option loader of the metric Combobox. For what the user typed it offers:
 * - template variables completing a trailing `$fragment` (`interface_$i` → `interface_$if`),
 *   or all of them when nothing is typed;
 * - metric names from the API; when the input holds variables, the search runs on their first
 *   values and the answers are written back with the variables (`interface_$if_t` finds
 *   `interface_$if_traffic_bps` through `interface_eth0_t`).
 * Free text stays possible: the Combobox is created with `createCustomValue`.
 */
export function createMetricOptionLoader(source: MetricOptionSource) {
  return async (input: string): Promise<Array<ComboboxOption<string>>> => {
    const typed = input.trim();
    const options: Array<ComboboxOption<string>> = [];

    // A trailing `$fragment` (or nothing typed: a variable may hold a whole metric name).
    const fragment = typed === '' ? ['$', ''] : /\$(\w*)$/.exec(typed);
    if (fragment) {
      const head = typed.slice(0, typed.length - fragment[0].length);
      for (const name of source.getVariableNames()) {
        if (name.startsWith(fragment[1])) {
          const value = `${head}$${name}`;
          options.push({ label: value, value, description: 'template variable', group: VARIABLES_GROUP });
        }
      }
    }

    let prefix = typed;
    let rewrite = (name: string): string | undefined => name;
    if (typed.includes('$')) {
      const resolved = source.interpolateFirst(typed);
      if (resolved.includes('$')) {
        // An unknown or half-typed variable: nothing to search for.
        return options;
      }
      prefix = resolved;
      rewrite = (name) => (name.startsWith(resolved) ? typed + name.slice(resolved.length) : undefined);
    }

    const names = await source.searchMetrics(prefix);
    const seen = new Set(options.map((o) => o.value));
    for (const name of names) {
      const value = rewrite(name);
      if (value === undefined || seen.has(value)) {
        continue;
      }
      seen.add(value);
      options.push({ label: value, value, description: describeMetric(name) || undefined, group: METRICS_GROUP });
    }
    return options;
  };
}

/** Options for an interface field: the dashboard's variables, then the collector's interfaces. */
export function createInterfaceOptionLoader(source: InterfaceOptionSource) {
  return async (input: string): Promise<Array<ComboboxOption<string>>> => {
    const typed = input.trim().toLowerCase();
    const variables = source
      .getVariableNames()
      .map((name) => `$${name}`)
      .filter((v) => v.toLowerCase().includes(typed))
      .map((value) => ({ label: value, value, group: VARIABLES_GROUP }));
    const interfaces = (await source.listInterfaces())
      .filter((name) => name.toLowerCase().includes(typed))
      .map((value) => ({ label: value, value, group: 'Interfaces' }));
    return [...variables, ...interfaces];
  };
}
