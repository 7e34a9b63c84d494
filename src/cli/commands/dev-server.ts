import { InvalidArgumentError, type Command } from 'commander';
import { startDevServer } from '../../temporal/dev-server';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0-65535; 0 picks a free port).`);
  }
  return port;
}

/** `certrot dev-server`: a local Temporal server with the Web UI and certrot's search attributes. */
export function registerDevServerCommand(program: Command): void {
  program
    .command('dev-server')
    .description('start a local Temporal dev server with the Web UI and certrot search attributes')
    .option('--ip <address>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'gRPC port (0 = free port)', parsePort, 7233)
    .option('--ui-port <port>', 'Web UI port (0 = free port)', parsePort, 8233)
    .option('--db-filename <file>', 'SQLite file to keep workflows across restarts (default: in memory)')
    .option('--ui-codec-endpoint <url>', 'remote codec endpoint the Web UI uses to decode payloads')
    .option('--verbose', "show the server's own log")
    .action(
      async (options: { ip: string; port: number; uiPort: number; dbFilename?: string; uiCodecEndpoint?: string; verbose?: boolean }) => {
        const server = await startDevServer({
          ip: options.ip,
          port: options.port,
          uiPort: options.uiPort,
          dbFilename: options.dbFilename,
          uiCodecEndpoint: options.uiCodecEndpoint,
          serverOutput: options.verbose ? 'inherit' : 'ignore',
          log: (line) => console.error(line),
        });
        console.log(`Temporal dev server: ${server.address} (namespace ${server.namespace})`);
        console.log(`Web UI: ${server.uiUrl}`);
        console.log(options.dbFilename ? `Data file: ${options.dbFilename}` : 'Data: in memory (use --db-filename to keep it)');
        console.log('Press Ctrl+C to stop.');
        let stopping = false;
        const stop = (): void => {
          stopping = true;
          void server.stop();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const code = await server.exited;
        if (!stopping) throw new Error(`the Temporal dev server stopped by itself (exit code ${String(code)})`);
      },
    );
}
