/**
 * The processes a chaos run disrupts: the Temporal dev server (kept on one port and one
 * SQLite file, so a restart loses nothing) and the certrot worker, run as its own process
 * with `bin/certrot worker` and restarted whenever it dies — which the run makes it do,
 * with SIGKILL, at moments drawn from its seeded PRNG. Both are always stopped by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/temporal/binaries';

const repoRoot = join(__dirname, '..', '..');
const certrotBin = join(repoRoot, 'bin', 'certrot');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A dev server that can be restarted on the same address with the same database. */
export class RestartableServer {
  private running: RunningDevServer | undefined;
  restarts = 0;

  private constructor(
    readonly address: string,
    private readonly port: number,
    private readonly uiPort: number,
    private readonly dbFilename: string,
  ) {}

  static async start(dbFilename: string): Promise<RestartableServer> {
    const port = await freePort('127.0.0.1');
    const uiPort = await freePort('127.0.0.1');
    const server = new RestartableServer(`127.0.0.1:${port}`, port, uiPort, dbFilename);
    await server.up();
    return server;
  }

  private async up(): Promise<void> {
    this.running = await startDevServer({ ip: '127.0.0.1', port: this.port, uiPort: this.uiPort, dbFilename: this.dbFilename, startTimeoutMs: 120_000 });
  }

  /** Stops the server (SIGTERM) and starts it again on the same port and database. */
  async restart(downMs: number): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
    await sleep(downMs);
    // The port may linger a moment after the old server went: try again for a while.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.up();
        break;
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(1_000);
      }
    }
    this.restarts += 1;
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}

/** One `certrot worker` process at a time, restarted after it dies unless stopping. */
export class WorkerSupervisor {
  private child: ChildProcess | undefined;
  private output = '';
  private stopping = false;
  /** Bumped at each start: a kill planned for one worker process never hits the next. */
  private generation = 0;
  private ready = false;
  private restarting: Promise<void> | undefined;
  kills = 0;
  starts = 0;
  /** Exits the supervisor did not cause (crashes), with their code. */
  readonly crashes: string[] = [];

  constructor(
    private readonly configFile: string,
    private readonly env: NodeJS.ProcessEnv,
    /** ms to wait before restarting a dead worker (drawn by the caller's PRNG). */
    private readonly restartDelay: () => number,
  ) {}

  start(): void {
    if (this.stopping) return;
    this.starts += 1;
    const child = spawn(certrotBin, ['worker', '--config', this.configFile], { cwd: repoRoot, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.generation += 1;
    this.ready = false;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
      if (this.child === child && /certrot worker polling task queue/.test(chunk.toString())) this.ready = true;
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.stopping) return;
      if (signal !== 'SIGKILL') this.crashes.push(`exit ${String(code ?? signal)}: ${this.output.slice(-600)}`);
      this.restarting = sleep(this.restartDelay()).then(() => this.start());
    });
    this.child = child;
  }

  /** Resolves with the generation of the worker once one is polling (undefined when stopping, or once `wanted` says no). */
  async whenPolling(wanted: () => boolean = () => true): Promise<number | undefined> {
    while (!this.stopping && wanted()) {
      if (this.ready && this.child) return this.generation;
      await sleep(100);
    }
    return undefined;
  }

  /** SIGKILLs the running worker (only if it is still `generation`, when given); false when none is running. */
  kill(generation?: number): boolean {
    if (generation !== undefined && generation !== this.generation) return false;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return false;
    child.kill('SIGKILL');
    this.kills += 1;
    return true;
  }

  /** The latest output of the worker processes (for diagnosing a stuck rotation). */
  recentOutput(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}
