import pino from 'pino';
import { InfluxServer } from '../../test/support/influx-server';
import { Catalog } from './catalog';
import type { CatalogSnapshot } from './catalog';
import { InfluxReader } from './influx-reader';

const logger = pino({ level: 'silent' });

describe('Catalog against a real influxd', () => {
  const influx = new InfluxServer();
  const write = (body: string) => fetch(`${influx.url}/write?db=c&precision=ms`, { method: 'POST', body });
  let reader: InfluxReader;

  beforeAll(async () => {
    await influx.start();
    await influx.createDatabase('c');
    await write(
      [
        'interface,probe=p1,ifname=eth0 bytes=1i 5000',
        'interface,probe=p2,ifname=br_lan bytes=1i 5000',
        'interface_l7,probe=p1,ifname=eth0,proto=TLS,category=Web bytes=1i 5000',
        'interface_l7,probe=p1,ifname=eth0,proto=HTTP_Proxy,category=Web bytes=1i 5000',
        'interface_l7,probe=p2,ifname=br_lan,proto=SSH,category=RemoteAccess bytes=1i 5000',
        'host,probe=p1,ifname=eth0,host=10.0.0.5 bytes_sent=1i 5000',
        'host,probe=p1,ifname=eth0,host=fd00::1 bytes_sent=1i 5000',
        'host,probe=p2,ifname=br_lan,host=192.168.1.10 bytes_sent=1i 5000',
      ].join('\n'),
    );
    reader = new InfluxReader({ url: influx.url, database: 'c', timeoutMs: 2_000 });
  });
  afterAll(() => influx.destroy());

  it('reads probes, interfaces and per-interface hosts, protocols and categories', async () => {
    const catalog = new Catalog({ refreshIntervalMs: 60_000, maxValuesPerKey: 1000 }, { reader, logger });
    await catalog.start();
    const snap = catalog.snapshot();
    expect(snap).toMatchObject({
      version: 1,
      probes: ['p1', 'p2'],
      interfaces: ['br_lan', 'eth0'],
      truncated: false,
    });
    expect(Object.fromEntries(snap.hosts)).toEqual({
      eth0: ['10.0.0.5', 'fd00::1'],
      br_lan: ['192.168.1.10'],
    });
    expect(Object.fromEntries(snap.protocols)).toEqual({ eth0: ['HTTP_Proxy', 'TLS'], br_lan: ['SSH'] });
    expect(Object.fromEntries(snap.categories)).toEqual({ eth0: ['Web'], br_lan: ['RemoteAccess'] });
    await catalog.stop();
    await catalog.stop();
  });

  it('with lookbackMs leaves out what was last seen before it (1.x: per shard)', async () => {
    const catalog = new Catalog(
      { refreshIntervalMs: 60_000, maxValuesPerKey: 1000, lookbackMs: 30 * 86_400_000 },
      { reader, logger },
    );
    expect((await catalog.refresh()).interfaces).toEqual([]); // all points are from 1970
  });

  it('caps each list and says so', async () => {
    const catalog = new Catalog({ refreshIntervalMs: 60_000, maxValuesPerKey: 1 }, { reader, logger });
    const snap = await catalog.refresh();
    expect(snap.interfaces).toHaveLength(1);
    expect(snap.truncated).toBe(true);
  });

  it('refreshes in the background, tells listeners only about changes, keeps the old catalog when InfluxDB is down', async () => {
    const catalog = new Catalog({ refreshIntervalMs: 100, maxValuesPerKey: 1000 }, { reader, logger });
    const seen: CatalogSnapshot[] = [];
    catalog.onChange((s) => seen.push(s));
    await catalog.start();
    expect(seen).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(1); // nothing changed
    await write('host,probe=p1,ifname=eth0,host=10.0.0.7 bytes_sent=1i 10000');
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen[1].hosts.get('eth0')).toEqual(['10.0.0.5', '10.0.0.7', 'fd00::1']);
    expect(seen[1].version).toBe(2);

    await influx.stop();
    const before = catalog.snapshot();
    const failuresBefore = catalog.stats.failures;
    expect(await catalog.refreshIfOlderThan(0)).toBe(before);
    await expect(catalog.refresh()).rejects.toThrow(/InfluxDB unavailable/);
    expect(catalog.stats.failures).toBeGreaterThan(failuresBefore);
    await catalog.stop();
    await influx.start();
  });

  it('starts with an empty catalog when InfluxDB is unreachable', async () => {
    const down = new InfluxReader({ url: 'http://127.0.0.1:1', database: 'c', timeoutMs: 500 });
    const catalog = new Catalog({ refreshIntervalMs: 60_000, maxValuesPerKey: 10 }, { reader: down, logger });
    await catalog.start();
    expect(catalog.snapshot()).toMatchObject({ version: 0, refreshedAtMs: null, interfaces: [] });
    await catalog.stop();
  });

  it('validates its config', () => {
    expect(() => new Catalog({ refreshIntervalMs: 0, maxValuesPerKey: 1 }, { reader, logger })).toThrow(
      /refreshIntervalMs/,
    );
    expect(() => new Catalog({ refreshIntervalMs: 1, maxValuesPerKey: 0 }, { reader, logger })).toThrow(
      /maxValuesPerKey/,
    );
  });
});
