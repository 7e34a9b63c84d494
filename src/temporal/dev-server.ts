/**
 * Starts the Temporal CLI dev server (with its embedded Web UI) as a child process, bound
 * to loopback, with certrot's search attributes registered — what `npm run temporal`, the
 * demo and the end-to-end tests run against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliSearchAttributeType, SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { freePort, resolveTemporalCli, waitForPort, type Logger } from './binaries';

export interface DevServerOptions {
  /** Address to bind (gRPC and UI). Loopback by default: the dev server has no auth. */
  readonly ip?: string;
  /** gRPC port; 0 or absent = a free port. */
  readonly port?: number;
  /** Web UI port; absent = a free port. */
  readonly uiPort?: number;
  /** SQLite file to keep workflows across restarts; absent = in memory. */
  readonly dbFilename?: string;
  /** Remote codec endpoint the UI uses to decode payloads. */
  readonly uiCodecEndpoint?: string;
  readonly namespace?: string;
  readonly log?: Logger;
  /** Where the server's own log goes; default: discarded. */
  readonly serverOutput?: 'inherit' | 'ignore';
  readonly startTimeoutMs?: number;
}

export interface RunningDevServer {
  /** gRPC address for clients and workers, e.g. 127.0.0.1:7233. */
  readonly address: string;
  readonly uiUrl: string;
  readonly namespace: string;
  readonly pid: number;
  /** Settles when the server process ends, for whatever reason, with its exit code. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function devServerArgs(options: Required<Pick<DevServerOptions, 'ip' | 'port' | 'uiPort' | 'namespace'>> & DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
  ];
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  for (const attribute of SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${attribute.name}=${cliSearchAttributeType(attribute.type)}`);
  }
  return args;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const log = options.log ?? (() => undefined);
  const cli = await resolveTemporalCli({ log });
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port && options.port > 0 ? options.port : await freePort(ip);
  const uiPort = options.uiPort && options.uiPort > 0 ? options.uiPort : await freePort(ip);
  const namespace = options.namespace ?? 'default';
  const args = devServerArgs({ ...options, ip, port, uiPort, namespace });

  const child = spawn(cli.path, args, { stdio: ['ignore', options.serverOutput ?? 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    if (options.serverOutput === 'inherit') process.stderr.write(chunk);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the Temporal dev server exited (code ${String(code)}) while starting: ${stderr.trim() || 'no output'}`)),
    );
  });
  exited.catch(() => undefined); // observed below; after start-up the exit is expected on stop()

  try {
    const timeout = options.startTimeoutMs ?? 60_000;
    await Promise.race([Promise.all([waitForPort(ip, port, timeout), waitForPort(ip, uiPort, timeout)]), exited]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }

  const host = ip.includes(':') ? `[${ip}]` : ip;
  const ended = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    exited: ended,
    address: `${host}:${port}`,
    uiUrl: `http://${host}:${uiPort}`,
    namespace,
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL if the server has not gone within a few seconds. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}
