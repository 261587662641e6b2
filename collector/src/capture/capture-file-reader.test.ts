import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapngWriter } from '../synth/pcapng-writer';
import { readCaptureFile } from './capture-file-reader';
import type { PacketHandler } from './packet-handler';

function recorder(): PacketHandler & { events: string[] } {
  const names: string[] = [];
  const events: string[] = [];
  return {
    events,
    addInterface: (name) => names.push(name) - 1,
    addDrops: (ifIndex, drops) => events.push(`drops ${names[ifIndex]} ${drops}`),
    onPacket: (ifIndex, _buf, _offset, capLen, wireLen, tsUs) =>
      events.push(`packet ${names[ifIndex]} ${capLen}/${wireLen} @${tsUs}`),
  };
}

describe('readCaptureFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packetflux-reader-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([false, true])(
    'reports pcapng interface statistics drops as increments (big-endian %s)',
    async (bigEndian) => {
      const w = PcapngWriter.inMemory({ bigEndian });
      const eth0 = w.addInterface({ linkType: 1, name: 'eth0' });
      const eth1 = w.addInterface({ linkType: 1, name: 'eth1', tsresolDigits: 9 });
      w.write(eth0, { sec: 10, nsec: 5000 }, Buffer.alloc(60), 70);
      w.writeInterfaceStatistics(eth0, 5);
      w.writeInterfaceStatistics(eth1, 0);
      w.write(eth1, { sec: 11, nsec: 1500 }, Buffer.alloc(42));
      w.writeInterfaceStatistics(eth0, 12);
      w.writeInterfaceStatistics(eth0, 12);
      w.close();
      const file = join(dir, `isb-${bigEndian}.pcapng`);
      await writeFile(file, w.contents());
      const h = recorder();
      await readCaptureFile(file, h);
      expect(h.events).toEqual([
        'packet eth0 60/70 @10000005',
        'drops eth0 5',
        'packet eth1 42/42 @11000001',
        'drops eth0 7',
      ]);
    },
  );

  it('streams a file larger than its buffer, packet records spanning chunk boundaries', async () => {
    const w = PcapngWriter.inMemory({});
    const itf = w.addInterface({ linkType: 1, name: 'eth0' });
    for (let i = 0; i < 1000; i++) w.write(itf, { sec: 1, nsec: i * 1000 }, Buffer.alloc(60 + (i % 900)));
    w.close();
    const file = join(dir, 'many.pcapng');
    await writeFile(file, w.contents());
    const h = recorder();
    const result = await readCaptureFile(file, h, { chunkBytes: 4096 });
    expect(result).toEqual({ packets: 1000, truncatedTailBytes: 0 });
    expect(h.events.filter((e) => e.startsWith('packet'))).toHaveLength(1000);
  });
});
