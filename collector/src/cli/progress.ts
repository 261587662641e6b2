import { SingleBar } from 'cli-progress';

/** A progress bar over the file's bytes on stderr, only when stderr is a terminal. */
export function fileProgress(enabled: boolean): { update(read: number, total: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'replay |{bar}| {percentage}% {readMB}/{totalMB} MB, {eta_formatted} left',
    hideCursor: true,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(read, total) {
      const payload = { readMB: (read / 1e6).toFixed(1), totalMB: (total / 1e6).toFixed(1) };
      if (!started) {
        bar.start(total, read, payload);
        started = true;
      } else bar.update(read, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
