/**
 * Resolves with the first SIGINT or SIGTERM, for commands that serve until stopped. The
 * handlers are removed at once, so a second Ctrl+C while closing falls through to node's
 * default: exit immediately.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (received: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(received);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
