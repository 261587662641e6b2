/** Calls `handler` on the first SIGINT or SIGTERM; a second one exits at once. Returns the remover. */
export function onShutdownSignal(handler: () => void): () => void {
  let seen = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (seen) {
      process.stderr.write(`packetflux: second ${signal}, exiting without flushing\n`);
      process.exit(130);
    }
    seen = true;
    handler();
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
