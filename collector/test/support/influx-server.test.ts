import { InfluxServer } from './influx-server';

describe('InfluxServer', () => {
  const server = new InfluxServer();
  afterAll(() => server.destroy());

  it('starts a real influxd, stores a point and survives a restart with its data', async () => {
    await server.start();
    await server.createDatabase('t');
    const res = await fetch(`${server.url}/write?db=t&precision=ms`, {
      method: 'POST',
      body: 'm,tag=a v=3i 1000',
    });
    expect(res.status).toBe(204);
    await server.stop();
    await server.start();
    expect(await server.rows('SELECT v FROM m', 't')).toEqual([{ time: 1000, v: 3 }]);
  });
});
