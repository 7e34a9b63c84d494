/**
 * certrot commands as separate processes for end-to-end tests: started with `bin/certrot`,
 * their output collected, waited on by pattern, and always stopped (SIGTERM, then SIGKILL
 * after 10 s) by `stopAll` in the test file's `after` hook, also when a test fails.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_CONSUMER_KEY, DEMO_USERNAME } from '../../src/sandbox/world';

export const repoRoot = join(__dirname, '..', '..');
export const certrotBin = join(repoRoot, 'bin', 'certrot');
const run = promisify(execFile);

export interface Proc {
  child: ChildProcessWithoutNullStreams;
  out(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export interface ProcessGroup {
  /** Starts `certrot <args>` (or `command` when given) with the test's environment plus `env`. */
  start(this: void, args: string[], env?: NodeJS.ProcessEnv, command?: string): Proc;
  stop(this: void, proc: Proc, signal?: NodeJS.Signals): Promise<void>;
  /** Stops every process started, newest first. */
  stopAll(this: void): Promise<void>;
}

export function processGroup(): ProcessGroup {
  const processes: Proc[] = [];
  const stop = async (proc: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.child.once('exit', resolve));
    proc.child.kill(signal);
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  return {
    start(args, env = {}, command = certrotBin) {
      const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env } });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const name = `${command === certrotBin ? 'certrot' : command} ${args.join(' ')}`;
      const proc: Proc = {
        child,
        out: () => out,
        waitFor: async (pattern, timeoutMs = 90_000) => {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const match = out.match(pattern);
            if (match) return match;
            if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before printing ${String(pattern)}:\n${out}`);
            if (Date.now() > deadline) throw new Error(`${name} did not print ${String(pattern)}:\n${out}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        },
      };
      processes.push(proc);
      return proc;
    },
    stop,
    async stopAll() {
      for (const proc of processes.reverse()) await stop(proc);
      processes.length = 0;
    },
  };
}

/** Runs a command to its end: exit code and combined output, never a throw for a non-zero exit. */
export async function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ code: number; out: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}`, stdout: failed.stdout ?? '' };
  }
}

/**
 * A worker configuration file for the sandbox org (alias `demo`, JWT login with the key at
 * `jwt.pem` beside the file) and the sandbox vendor (`acme`), as `certrot worker --config`
 * reads it. The vendor token is a `${NAME}` placeholder: the secret comes from the environment.
 */
export async function writeSandboxWorkerConfig(
  file: string,
  options: { orgUrl: string; vendorUrl: string; tokenVariable: string; extraLines?: string[] },
): Promise<void> {
  const lines = [
    'orgs:',
    '  demo:',
    '    vendorOrgId: demo-single-key',
    "    apiVersion: '62.0'",
    '    auth:',
    '      kind: jwt',
    `      loginUrl: ${options.orgUrl}`,
    `      consumerKey: ${DEMO_CONSUMER_KEY}`,
    `      username: ${DEMO_USERNAME}`,
    '      privateKeyPath: jwt.pem',
    'vendors:',
    '  acme:',
    '    kind: http',
    '    registry:',
    `      baseUrl: ${options.vendorUrl}`,
    `      bearerToken: \${${options.tokenVariable}}`,
    ...(options.extraLines ?? []),
    '',
  ];
  await writeFile(file, lines.join('\n'));
}
