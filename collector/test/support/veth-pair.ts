import { execFileSync } from 'node:child_process';

/**
 * A veth pair with one end in a network namespace the test creates: real packets between
 * `hostAddress` (root namespace, on `hostIf`) and `peerAddress` (inside `ns`). Removed by `destroy`.
 */
export class VethPair {
  readonly ns: string;
  readonly hostIf: string;
  readonly peerIf: string;

  constructor(
    readonly subnet: number,
    readonly hostAddress = `10.213.${subnet}.1`,
    readonly peerAddress = `10.213.${subnet}.2`,
  ) {
    const id = `${process.pid % 100000}${subnet}`;
    this.ns = `pfns${id}`;
    this.hostIf = `pfh${id}`;
    this.peerIf = `pfn${id}`;
  }

  static available(): boolean {
    return process.getuid?.() === 0;
  }

  create(): void {
    const ip = (...args: string[]): void => {
      execFileSync('ip', args, { stdio: 'pipe' });
    };
    this.destroy();
    ip('netns', 'add', this.ns);
    ip('link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.peerIf);
    ip('link', 'set', this.peerIf, 'netns', this.ns);
    // No IPv6 on the pair: router solicitations and DAD would add packets at random times.
    execFileSync('sysctl', ['-qw', `net.ipv6.conf.${this.hostIf}.disable_ipv6=1`]);
    ip('netns', 'exec', this.ns, 'sysctl', '-qw', `net.ipv6.conf.${this.peerIf}.disable_ipv6=1`);
    // Room for the largest frames of real captures (recorded with offloads on), so tcpreplay sends them all.
    ip('link', 'set', this.hostIf, 'mtu', '65535');
    ip('-n', this.ns, 'link', 'set', this.peerIf, 'mtu', '65535');
    ip('addr', 'add', `${this.hostAddress}/24`, 'dev', this.hostIf);
    ip('link', 'set', this.hostIf, 'up');
    ip('-n', this.ns, 'addr', 'add', `${this.peerAddress}/24`, 'dev', this.peerIf);
    ip('-n', this.ns, 'link', 'set', this.peerIf, 'up');
    ip('-n', this.ns, 'link', 'set', 'lo', 'up');
  }

  /** Runs a command inside the namespace. */
  exec(command: string, args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.ns, command, ...args], { encoding: 'utf8' });
  }

  /** Removes the pair and the namespace; absent ones are fine. */
  destroy(): void {
    for (const args of [
      ['link', 'del', this.hostIf],
      ['netns', 'del', this.ns],
    ]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }
}
