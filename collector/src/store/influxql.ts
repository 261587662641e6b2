/**
 * Escaping for InfluxQL (InfluxDB 1.x `/query`, also served by 2.x and 3.x). Every piece of
 * text that did not come from this code goes through one of these before it reaches a query.
 *
 * InfluxQL's scanner accepts `\\`, `\"`, `\'` and `\n` inside quoted strings and identifiers
 * and rejects a raw newline, so newlines are escaped too.
 */

function escapeQuoted(text: string, quote: '"' | "'"): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

/** A double-quoted identifier: measurement, tag key, field or database name. */
export function quoteIdent(name: string): string {
  return `"${escapeQuoted(name, '"')}"`;
}

/** A single-quoted string literal, e.g. a tag value in `WHERE "ifname" = '...'`. */
export function quoteString(value: string): string {
  return `'${escapeQuoted(value, "'")}'`;
}

const REGEX_META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}', '/', '-']);

/**
 * Escapes text for use inside an InfluxQL regex literal (`/.../`, RE2 syntax): every regex
 * metacharacter and the `/` delimiter get a backslash; a newline becomes `\n`.
 */
export function escapeRegex(text: string): string {
  let out = '';
  for (const ch of text) {
    if (REGEX_META.has(ch)) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

/** A regex literal matching exactly one of `values`: `/^(?:a|b)$/`. */
export function exactRegex(values: readonly string[]): string {
  return `/^(?:${values.map(escapeRegex).join('|')})$/`;
}

/** A timestamp literal in epoch milliseconds, e.g. `1700000000000ms`. */
export function timeLiteral(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs))
    throw new RangeError(`timestamp must be an integer number of ms, got ${epochMs}`);
  return `${epochMs}ms`;
}

/** A duration literal in whole milliseconds, e.g. `5000ms`. */
export function durationLiteral(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new RangeError(`duration must be a non-negative integer number of ms, got ${ms}`);
  return `${ms}ms`;
}
