/** Where points go: InfluxDB 1.x `/write` (database, retention policy, user) or the v2 API (org, bucket, token). */
export type InfluxTarget =
  | { kind: 'v1'; url: string; db: string; rp?: string; user?: string; password?: string }
  | { kind: 'v2'; url: string; org: string; bucket: string; token: string };

/** HTTP headers that authenticate against the target. */
export function authHeaders(target: InfluxTarget): Record<string, string> {
  if (target.kind === 'v2') return { Authorization: `Token ${target.token}` };
  if (target.user === undefined) return {};
  return {
    Authorization: `Basic ${Buffer.from(`${target.user}:${target.password ?? ''}`).toString('base64')}`,
  };
}

/** The target without secrets, for logs. */
export function describeTarget(target: InfluxTarget): string {
  return target.kind === 'v1'
    ? `${target.url} (InfluxDB 1.x, database ${target.db}${target.rp ? `, rp ${target.rp}` : ''})`
    : `${target.url} (InfluxDB 2.x API, org ${target.org}, bucket ${target.bucket})`;
}
