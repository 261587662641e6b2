import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tsharkTotals } from '../collector/test/support/tshark';
import { Stack } from './support/stack';

const REPO = join(__dirname, '..');
const VLAN = join(REPO, 'collector/testdata/crafted/vlan.pcap');

describe("the plugin's Go backend against the real API filled by a real replay", () => {
  const stack = new Stack();
  beforeAll(async () => {
    await stack.start();
    await stack.replay(VLAN);
    await stack.serveApi(['--api-token', 'backend-test-token']);
  });
  afterAll(() => stack.stop());

  it('QueryData, CheckHealth and CallResource answer with the numbers tshark reads', async () => {
    const { stdout: times } = await promisify(execFile)('tshark', [
      '-r',
      VLAN,
      '-T',
      'fields',
      '-e',
      'frame.time_epoch',
    ]);
    const epochs = times.split('\n').filter(Boolean).map(Number);
    const env = {
      ...process.env,
      CGO_ENABLED: '0',
      PACKETFLUX_API_URL: stack.apiUrl,
      PACKETFLUX_API_TOKEN: 'backend-test-token',
      PACKETFLUX_TEST_INTERFACE: 'vlan',
      PACKETFLUX_TEST_BYTES: String((await tsharkTotals(VLAN)).bytes),
      PACKETFLUX_TEST_FROM: new Date(Math.floor(epochs[0] / 5) * 5000 - 5000).toISOString(),
      PACKETFLUX_TEST_TO: new Date(Math.ceil(epochs[epochs.length - 1] / 5) * 5000 + 5000).toISOString(),
    };
    const { stdout } = await promisify(execFile)(
      'go',
      ['test', '-trimpath', '-count=1', '-run', 'TestAgainstRealAPI', '-v', './pkg/plugin'],
      {
        cwd: join(REPO, 'datasource-plugin'),
        env,
        maxBuffer: 1 << 24,
      },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`go test failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    expect(stdout).toContain('--- PASS: TestAgainstRealAPI');
    expect(stdout).toMatch(/health: ok: PacketFlux API reachable; InfluxDB OK/i);
  });
});
