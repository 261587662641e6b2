/**
 * Grafana's SimpleJSON datasource interpolates template variables in a target with the
 * `regex` format: a single value is regex-escaped (`10\.0\.0\.5`), several values become an
 * alternation (`(eth0|br_lan)`). This undoes that, so `host_$ip_interface_$if_traffic_bps`
 * works: the result is a list of plain metric names, each still resolved against the catalog.
 */

/** Expanded names, or undefined when `target` has no escapes or groups, or is malformed. */
export function expandRegexFormatted(target: string, maxNames = 100): string[] | undefined {
  if (!target.includes('\\') && !target.includes('(')) return undefined;
  // Parse into a sequence of pieces, each a list of alternatives.
  const pieces: string[][] = [];
  let literal = '';
  let i = 0;
  while (i < target.length) {
    const ch = target[i];
    if (ch === '\\') {
      if (i + 1 >= target.length) return undefined;
      literal += target[i + 1];
      i += 2;
    } else if (ch === '(') {
      pieces.push([literal]);
      literal = '';
      const alternatives: string[] = [];
      let current = '';
      i++;
      for (;;) {
        if (i >= target.length) return undefined;
        const c = target[i];
        if (c === '\\') {
          if (i + 1 >= target.length) return undefined;
          current += target[i + 1];
          i += 2;
        } else if (c === '|') {
          alternatives.push(current);
          current = '';
          i++;
        } else if (c === ')') {
          alternatives.push(current);
          i++;
          break;
        } else if (c === '(') {
          return undefined;
        } else {
          current += c;
          i++;
        }
      }
      pieces.push(alternatives);
    } else {
      literal += ch;
      i++;
    }
  }
  pieces.push([literal]);
  let names = [''];
  for (const alternatives of pieces) {
    const next: string[] = [];
    for (const prefix of names) for (const alt of alternatives) next.push(prefix + alt);
    if (next.length > maxNames) return undefined;
    names = next;
  }
  return [...new Set(names)];
}
