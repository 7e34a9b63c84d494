/**
 * certrot commands as separate processes for end-to-end tests: started with `bin/certrot`,
 * their output collected, waited on by pattern, and always stopped (SIGTERM, then SIGKILL
 * after 10 s) by `stopAll` in the test file's `after` hook, also when a test fails.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createJsforceOrg } from '../../src/salesforce/jsforce-org';
import type { FaultRule } from '../../src/sandbox/salesforce/faults';
import { DEMO_CONSUMER_KEY, DEMO_USERNAME, DEMO_VENDOR_FIXTURE } from '../../src/sandbox/world';
import { HttpVendorRegistry } from '../../src/vendors/http-registry';

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

// ---- a whole rotation world: dev server, sandbox org and vendor, worker config -------------

export interface RotationWorld {
  /** The dev server's host:port. */
  readonly address: string;
  readonly orgUrl: string;
  readonly vendorUrl: string;
  /** The environment every certrot command (CLI and worker) runs with. */
  readonly env: NodeJS.ProcessEnv;
  /** The worker configuration file (`certrot worker --config`). */
  readonly workerConfig: string;
  readonly vendorToken: string;
}

/**
 * Starts the dev server, the sandbox org and the sandbox vendor as processes of `group`
 * (free loopback ports, state under `dir`), seeds the vendor with the org's current
 * `certificate` (as an admin once did), and writes the worker configuration. Stopping the
 * processes is the caller's `group.stopAll()`.
 */
export async function startRotationWorld(
  group: ProcessGroup,
  dir: string,
  options: { certificate?: string; vendorToken?: string; tokenVariable?: string; extraLines?: string[] } = {},
): Promise<RotationWorld> {
  const vendorToken = options.vendorToken ?? 'e2e-vendor-token-0123456789';
  const tokenVariable = options.tokenVariable ?? 'E2E_VENDOR_TOKEN';
  const server = group.start(['dev-server', '--port', '0', '--ui-port', '0', '--db-filename', join(dir, 'temporal.db')]);
  const [, address = ''] = await server.waitFor(/Temporal dev server: (127\.0\.0\.1:\d+)/);
  const env = { CERTROT_TEMPORAL_ADDRESS: address, [tokenVariable]: vendorToken };
  const org = group.start(['sandbox', 'org', '--port', '0', '--jwt-key-out', join(dir, 'jwt.pem')]);
  const [, orgUrl = ''] = await org.waitFor(/Sandbox Salesforce org: (http:\/\/127\.0\.0\.1:\d+)/);
  const vendor = group.start(['sandbox', 'vendor', '--port', '0', '--tls-port', '0', '--token', vendorToken, '--fixture', DEMO_VENDOR_FIXTURE, '--ca-dir', join(dir, 'ca')]);
  const [, vendorUrl = ''] = await vendor.waitFor(/registry API: (http:\/\/127\.0\.0\.1:\d+)/);

  // Before certrot, the vendor trusts the org's current certificate (an admin set this up once).
  const salesforce = createJsforceOrg({ auth: { kind: 'jwt', loginUrl: orgUrl, consumerKey: DEMO_CONSUMER_KEY, username: DEMO_USERNAME, privateKeyPath: join(dir, 'jwt.pem') } });
  const current = await salesforce.getCertificate(options.certificate ?? 'Vendor_Signing');
  const registry = new HttpVendorRegistry({ baseUrl: vendorUrl, bearerToken: vendorToken });
  const seed = { run: { workflowId: 'test-seed', runId: 'seed' } };
  await registry.activateKey('demo-single-key', await registry.stageKey('demo-single-key', current.certificatePem!, seed), seed);

  const workerConfig = join(dir, 'worker.yaml');
  await writeSandboxWorkerConfig(workerConfig, { orgUrl, vendorUrl, tokenVariable, ...(options.extraLines ? { extraLines: options.extraLines } : {}) });
  return { address, orgUrl, vendorUrl, env, workerConfig, vendorToken };
}

/** What `GET /__sandbox/state` answers, as far as the tests read it. */
export interface SandboxOrgState {
  certificates: { id: string; uniqueName: string; label: string; deleted: boolean; fingerprintSha256: string | null }[];
  namedCredentials: {
    fullName: string;
    certificate?: string | null;
    jwtSigningCertificate?: string | null;
    namedCredentialParameters?: { parameterType?: string; certificate?: string | null }[];
  }[];
  customSettings: { apiName: string; records: Record<string, unknown>[] }[];
  customObjects: { apiName: string; records: Record<string, unknown>[] }[];
}

export async function sandboxOrgState(orgUrl: string): Promise<SandboxOrgState> {
  const response = await fetch(`${orgUrl}/__sandbox/state`);
  if (!response.ok) throw new Error(`GET ${orgUrl}/__sandbox/state: ${response.status}`);
  return (await response.json()) as SandboxOrgState;
}

/** Sets the sandbox org's injected faults (`replace`: instead of the active ones). */
export async function setSandboxFaults(orgUrl: string, faults: FaultRule[], replace = true): Promise<void> {
  const response = await fetch(`${orgUrl}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults, replace }) });
  if (!response.ok) throw new Error(`POST ${orgUrl}/__sandbox/faults: ${response.status} ${await response.text()}`);
}

/** Every place a certificate name is stored in the sandbox org: `object.field record` -> value. */
export function storedNames(state: SandboxOrgState, names: readonly string[]): Map<string, string> {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const found = new Map<string, string>();
  for (const credential of state.namedCredentials) {
    // Both models: the legacy top-level fields, and the current model's ClientCertificate parameter.
    const places: [string, string | null | undefined][] = [
      ['certificate', credential.certificate],
      ['jwtSigningCertificate', credential.jwtSigningCertificate],
      ...(credential.namedCredentialParameters ?? [])
        .filter((p) => p.parameterType === 'ClientCertificate')
        .map((p): [string, string | null | undefined] => ['namedCredentialParameters.ClientCertificate', p.certificate]),
    ];
    for (const [place, value] of places) {
      if (value && wanted.has(value.toLowerCase())) found.set(`NamedCredential.${place} ${credential.fullName}`, value);
    }
  }
  for (const table of [...state.customSettings, ...state.customObjects]) {
    for (const record of table.records) {
      for (const [field, value] of Object.entries(record)) {
        if (typeof value === 'string' && wanted.has(value.toLowerCase())) found.set(`${table.apiName}.${field} ${JSON.stringify(record.Id ?? record.id ?? record)}`, value);
      }
    }
  }
  return found;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
