import { join } from 'node:path';
import { REPO_DIR, runCli } from '../../test/support/run-cli';

const SAMPLE = join(REPO_DIR, 'collector/testdata/crafted/vlan.pcap');

describe('packetflux command line', () => {
  it('--help names the three subcommands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['capture', 'replay', 'serve'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
  });

  it.each([
    [
      'replay',
      [
        '--interface-name',
        '--json',
        '--influx-url',
        '--influx-db',
        '--influx-rp',
        '--influx-user',
        '--influx-password',
        '--influx-org',
        '--influx-bucket',
        '--influx-token',
        '--step',
        '--probe',
        '--local-networks',
        '--max-hosts',
        '--host-idle',
      ],
    ],
    [
      'capture',
      [
        '--interface',
        '--bpf',
        '--api-port',
        '--influx-url',
        '--influx-db',
        '--influx-org',
        '--step',
        '--probe',
        '--local-networks',
        '--max-hosts',
      ],
    ],
    [
      'serve',
      ['--api-port', '--influx-url', '--influx-db', '--influx-org', '--influx-bucket', '--influx-token'],
    ],
  ])(
    '%s --help explains every option of DESIGN.md, each with its environment variable',
    async (cmd, options) => {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      for (const o of options) expect(r.stdout).toContain(o);
      const described = r.stdout
        .split('\n')
        .filter((l) => /^\s+(-\w, )?--[a-z]/.test(l) && !/--help/.test(l));
      expect(described.length).toBeGreaterThanOrEqual(options.length);
      expect(r.stdout.replace(/\s+/g, ' ')).toContain('(env: PACKETFLUX_INFLUX_URL)');
    },
  );

  it.each([
    [['replay', SAMPLE, '--bogus'], /unknown option '--bogus'/],
    [['replay', SAMPLE, '--step', 'fast'], /--step: 'fast' is not a duration/],
    [['replay', SAMPLE, '--influx-url', 'http://127.0.0.1:8086'], /--influx-url needs --influx-db/],
    [
      ['replay', SAMPLE, '--influx-url', 'http://x', '--influx-db', 'd', '--influx-org', 'o'],
      /either --influx-db .* not both/,
    ],
    [['replay', SAMPLE, '--local-networks', '10.0.0.0/33'], /--local-networks: '10.0.0.0\/33'/],
    [['capture'], /required option '-i, --interface <name>' not specified/],
  ])('bad options exit 2 with a one-line reason: %j', async (args, reason) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(reason);
  });

  it('reads options from PACKETFLUX_* environment variables', async () => {
    const r = await runCli(['replay', SAMPLE, '--json'], {
      PACKETFLUX_INTERFACE_NAME: 'from-env',
      PACKETFLUX_STEP: 'nonsense',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--step: 'nonsense'/);
    const ok = await runCli(['replay', SAMPLE, '--json'], { PACKETFLUX_INTERFACE_NAME: 'from-env' });
    expect(Object.keys(JSON.parse(ok.stdout).interfaces)).toEqual(['from-env']);
  });

  it('replay --json prints exactly the summary of DESIGN.md', async () => {
    const r = await runCli(['replay', SAMPLE, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary).sort()).toEqual(
      ['bytes', 'flows', 'hosts', 'interfaces', 'packets', 'pps', 'protocols', 'seconds'].sort(),
    );
    expect(summary.interfaces.vlan).toEqual({ packets: summary.packets, bytes: summary.bytes });
    for (const p of Object.values(summary.protocols) as { packets: number; bytes: number; flows: number }[]) {
      expect(Object.keys(p).sort()).toEqual(['bytes', 'flows', 'packets']);
    }
  });

  it('a file that is not a capture is a one-line error, exit 1', async () => {
    const r = await runCli(['replay', join(REPO_DIR, 'package.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^packetflux: .*package\.json: not a pcap or pcapng capture/);
    const missing = await runCli(['replay', '/nonexistent.pcap']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('packetflux: cannot open /nonexistent.pcap: no such file');
  });
});
