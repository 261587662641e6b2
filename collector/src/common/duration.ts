import { ConfigError } from './errors';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `500ms`, `5s`, `2m`, `1h`, `7d` or a bare number of seconds into seconds. */
export function parseDurationSeconds(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new ConfigError(`${what}: '${text}' is not a duration (examples: 500ms, 5s, 2m, 1h, 7d)`);
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2] ?? 's'];
  if (!(seconds > 0)) throw new ConfigError(`${what}: must be greater than zero`);
  return seconds;
}

/** Parses `512k`, `64M`, `1G` (binary multiples) or a bare number of bytes. */
export function parseByteSize(text: string, what: string): number {
  const m = /^\s*(\d+)\s*([kmg])?i?b?\s*$/i.exec(text);
  if (!m) throw new ConfigError(`${what}: '${text}' is not a size (examples: 1048576, 512k, 64M, 1G)`);
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Number(m[1]) * mult;
}
