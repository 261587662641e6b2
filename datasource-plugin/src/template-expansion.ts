import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

// Stands in for one variable while the string is being expanded; cannot occur in user text.
const placeholder = (index: number) => `\u0000${index}\u0000`;

/**
 * Interpolates template variables in `text` and returns one string per combination of values:
 * `interface_$if_traffic_bps` with if = {eth0, eth1} gives two names. A variable used twice
 * takes the same value in both places. `${var:format}` keeps its explicit format and yields one
 * string. Duplicates are dropped, order is kept.
 */
export function expandTemplate(templateSrv: TemplateSrv, text: string, scopedVars: ScopedVars = {}): string[] {
  text = braceVariables(text, knownVariableNames(templateSrv, scopedVars));
  const dimensions: string[][] = [];
  const byName = new Map<string, number>();
  const skeleton = templateSrv.replace(text, scopedVars, (value: unknown, variable?: { name?: string }) => {
    const name = variable?.name;
    const known = name === undefined ? undefined : byName.get(name);
    if (known !== undefined) {
      return placeholder(known);
    }
    const values = (Array.isArray(value) ? value : [value]).map((v) => String(v ?? ''));
    dimensions.push(values.length > 0 ? values : ['']);
    if (name !== undefined) {
      byName.set(name, dimensions.length - 1);
    }
    return placeholder(dimensions.length - 1);
  });

  let results = [skeleton];
  dimensions.forEach((values, index) => {
    const token = placeholder(index);
    results = results.flatMap((r) => (r.includes(token) ? values.map((v) => r.split(token).join(v)) : [r]));
  });
  return Array.from(new Set(results));
}

/** Interpolates with the first value of each multi-value variable: for look-ups, not queries. */
export function interpolateFirst(templateSrv: TemplateSrv, text: string, scopedVars: ScopedVars = {}): string {
  text = braceVariables(text, knownVariableNames(templateSrv, scopedVars));
  return templateSrv.replace(text, scopedVars, (value: unknown) =>
    String((Array.isArray(value) ? value[0] : value) ?? '')
  );
}

/**
 * Grafana reads `$name` greedily over letters, digits and `_`, so in `interface_$if_traffic_bps`
 * it looks for a variable called `if_traffic_bps`. Metric names join their parts with `_`, so
 * this rewrites `$if_traffic_bps` to `${if}_traffic_bps` when `if` is a variable and
 * `if_traffic_bps` is not (the longest such variable wins).
 */
export function braceVariables(text: string, known: ReadonlySet<string>): string {
  return text.replace(/\$(\w+)/g, (match: string, name: string) => {
    if (known.has(name)) {
      return match;
    }
    let best = '';
    for (const candidate of known) {
      if (candidate.length > best.length && name.startsWith(`${candidate}_`)) {
        best = candidate;
      }
    }
    return best ? `\${${best}}${name.slice(best.length)}` : match;
  });
}

function knownVariableNames(templateSrv: TemplateSrv, scopedVars: ScopedVars): Set<string> {
  return new Set([...templateSrv.getVariables().map((v) => v.name), ...Object.keys(scopedVars)]);
}
