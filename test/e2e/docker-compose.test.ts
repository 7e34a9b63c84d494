/**
 * The docker compose deployment, checked without a Docker engine: the files are parsed and
 * their wiring asserted (pinned images, health-gated start order, secrets only through
 * env_file/secrets, loopback-only ports, the UI pointed at the codec server, only
 * environment variables the code reads), the example worker configuration is run through
 * the real parser, and the shell the one-shot jobs run is executed against a stub
 * `temporal` CLI. What this cannot show — that the images pull, build and start — needs a
 * real engine (see docs/deployment.md).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildProgram } from '../../src/cli/main';
import { loadKeyRing } from '../../src/codec/encryption-codec';
import { startCodecServer } from '../../src/codec/codec-server';
import { ROTATION_TASK_QUEUE } from '../../src/domain/rotation';
import { freePort } from '../../src/temporal/binaries';
import { cliSearchAttributeType, SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { parseWorkerConfig } from '../../src/workers/config';
import { KNOWN_VARIABLE_NAMES, knownVariable } from '../../src/workers/known-environment';
import { PREBUILT_BUNDLE } from '../../src/workers/workflow-bundle';

const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  env_file?: string[];
  secrets?: (string | { source: string; target?: string })[];
  volumes?: string[];
  ports?: unknown[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: Healthcheck;
  restart?: string;
  read_only?: boolean;
}
interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

// Compose resolves YAML merge keys (`<<: *anchor`), so the test does too.
const composeText = read('docker-compose.yml');
const compose = parseYaml(composeText, { merge: true }) as Compose;
const services = compose.services;

/** Services that run the certrot image (built from the Dockerfile here). */
const certrotServices = Object.entries(services).filter(([, service]) => service.build !== undefined);

function service(name: string): Service {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has no service "${name}"`);
  return found;
}

function env(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  assert.equal(Array.isArray(environment), false, `${name}: write environment as a map`);
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]));
}

function commandOf(name: string): string[] {
  const command = service(name).command;
  assert.ok(Array.isArray(command), `${name}: command must be an exec-form list`);
  return command;
}

function flag(args: string[], name: string): string {
  const index = args.indexOf(name);
  assert.ok(index >= 0 && index + 1 < args.length, `missing ${name} in ${JSON.stringify(args)}`);
  return args[index + 1]!;
}

interface Published {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

function publishedPorts(name: string): Published[] {
  return (service(name).ports ?? []).map((entry) => {
    assert.equal(typeof entry, 'string', `${name}: write ports as "127.0.0.1:HOST:CONTAINER" strings`);
    const match = /^(\d+\.\d+\.\d+\.\d+):(\d+):(\d+)$/.exec(entry as string);
    assert.ok(match, `${name}: port "${String(entry)}" must name the host address, as 127.0.0.1:HOST:CONTAINER`);
    return { hostIp: match[1]!, hostPort: Number(match[2]), containerPort: Number(match[3]) };
  });
}

function dependencies(name: string): Record<string, string> {
  const dependsOn = service(name).depends_on ?? {};
  assert.ok(!Array.isArray(dependsOn), `${name}: depends_on must use the long form with a condition`);
  return Object.fromEntries(Object.entries(dependsOn).map(([target, value]) => [target, value.condition]));
}

/** KEY=value lines of an env file (comments and blanks skipped). */
function envFile(file: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of read(file).split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    assert.ok(match, `${file}: "${trimmed}" is not KEY=value`);
    entries[match[1]!] = match[2]!;
  }
  return entries;
}

/** Compose turns `$$` into `$` before the shell sees it. */
function shellScript(name: string): string {
  const command = commandOf(name);
  assert.deepEqual(service(name).entrypoint, ['/bin/sh', '-c'], `${name}: entrypoint`);
  assert.equal(command.length, 1, `${name}: one script`);
  return command[0]!.replace(/\$\$/g, '$');
}

function gitIgnored(path: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', path], { cwd: root }).status === 0;
}

describe('docker-compose.yml', () => {
  it('pins every image to an exact version, and pins server and admin-tools to the same one', () => {
    const pulled = Object.entries(services).filter(([, s]) => s.build === undefined);
    const images: Record<string, string | undefined> = Object.fromEntries(pulled.map(([name, s]) => [name, s.image]));
    const imageOf = new Map(Object.entries(images));
    assert.deepEqual(images, {
      postgresql: 'postgres:16.4',
      'temporal-schema': 'temporalio/admin-tools:1.25.2-tctl-1.18.1-cli-1.1.1',
      temporal: 'temporalio/server:1.25.2',
      'temporal-bootstrap': 'temporalio/admin-tools:1.25.2-tctl-1.18.1-cli-1.1.1',
      'temporal-ui': 'temporalio/ui:2.31.2',
    });
    for (const [name, image] of Object.entries(images)) {
      const match = /^([a-z0-9./_-]+):([A-Za-z0-9._-]+)$/.exec(image ?? '');
      assert.ok(match, `${name}: image "${String(image)}" has no tag`);
      assert.notEqual(match[2], 'latest', `${name}: "latest" is not a pin`);
      assert.match(match[2]!, /^\d+\.\d+(\.\d+)?(-|$)/, `${name}: tag "${match[2]}" is not an exact version`);
    }
    const serverVersion = (imageOf.get('temporal') ?? '').split(':')[1] ?? '';
    for (const name of ['temporal-schema', 'temporal-bootstrap']) {
      assert.ok((imageOf.get(name) ?? '').startsWith(`temporalio/admin-tools:${serverVersion}-`), `${name}: admin-tools must match server ${serverVersion}`);
    }
    // The built image is one local name for both roles, never pulled.
    assert.deepEqual(
      certrotServices.map(([name, s]) => [name, s.image]),
      [
        ['codec-server', 'certrot:local'],
        ['worker', 'certrot:local'],
        ['renewal-schedule', 'certrot:local'],
      ],
    );
  });

  it('gates every start on health or completion, and every gate has something to wait for', () => {
    const expected: Record<string, Record<string, string>> = {
      postgresql: {},
      'temporal-schema': { postgresql: 'service_healthy' },
      temporal: { postgresql: 'service_healthy', 'temporal-schema': 'service_completed_successfully' },
      'temporal-bootstrap': { temporal: 'service_healthy' },
      'temporal-ui': { temporal: 'service_healthy' },
      'codec-server': {},
      worker: { temporal: 'service_healthy', 'temporal-bootstrap': 'service_completed_successfully' },
      'renewal-schedule': { temporal: 'service_healthy', 'temporal-bootstrap': 'service_completed_successfully' },
    };
    assert.deepEqual(Object.keys(services).sort(), Object.keys(expected).sort());
    for (const name of Object.keys(services)) {
      const deps = dependencies(name);
      assert.deepEqual(deps, expected[name], `${name}: depends_on`);
      for (const [target, condition] of Object.entries(deps)) {
        const dependency = service(target);
        if (condition === 'service_healthy') {
          const test = dependency.healthcheck?.test;
          assert.ok(Array.isArray(test) && test.length > 1 && test[0] !== 'NONE' && !dependency.healthcheck?.disable, `${target}: needs a healthcheck (${name} waits for it)`);
        } else {
          assert.equal(condition, 'service_completed_successfully', `${name} -> ${target}: unexpected condition`);
          assert.equal(dependency.restart, 'no', `${target}: a one-shot job must not restart (${name} waits for it to finish)`);
        }
      }
    }
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'codec-server', 'worker']) {
      assert.ok(Array.isArray(service(name).healthcheck?.test), `${name}: healthcheck`);
    }
  });

  it('publishes only operator ports, and only on 127.0.0.1', () => {
    const published = Object.fromEntries(Object.keys(services).map((name) => [name, publishedPorts(name)]));
    for (const [name, ports] of Object.entries(published)) {
      for (const port of ports) assert.equal(port.hostIp, '127.0.0.1', `${name}: ${JSON.stringify(port)}`);
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(published).filter(([, ports]) => ports.length > 0)),
      {
        temporal: [{ hostIp: '127.0.0.1', hostPort: 7233, containerPort: 7233 }],
        'temporal-ui': [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 8080 }],
        'codec-server': [{ hostIp: '127.0.0.1', hostPort: 8234, containerPort: 8234 }],
        worker: [{ hostIp: '127.0.0.1', hostPort: 9464, containerPort: 9464 }],
      },
    );
  });

  it('points the Web UI at the codec server as the browser reaches it, and the codec server back at the UI', () => {
    const codecArgs = commandOf('codec-server');
    assert.equal(codecArgs[0], 'codec-server');
    const codecPort = Number(flag(codecArgs, '--port'));
    assert.equal(flag(codecArgs, '--host'), '0.0.0.0', 'inside a container the server must listen beyond loopback to be published');
    const codecPublished = publishedPorts('codec-server').find((p) => p.containerPort === codecPort);
    assert.ok(codecPublished, `codec-server: its --port ${codecPort} is not published`);

    const endpoint = new URL(env('temporal-ui').TEMPORAL_CODEC_ENDPOINT ?? '');
    assert.ok(['localhost', '127.0.0.1'].includes(endpoint.hostname), `the browser calls ${endpoint.href}: it must be the published address`);
    assert.equal(Number(endpoint.port), codecPublished.hostPort, 'TEMPORAL_CODEC_ENDPOINT port');
    assert.equal(endpoint.pathname, '/');

    const uiPublished = publishedPorts('temporal-ui')[0]!;
    assert.equal(uiPublished.containerPort, 8080, 'the temporalio/ui image listens on 8080');
    assert.equal(flag(codecArgs, '--ui-origin'), `http://${endpoint.hostname}:${uiPublished.hostPort}`, 'CORS origin = the UI as the browser sees it');
    assert.equal(flag(codecArgs, '--public-url'), endpoint.origin, '--public-url = TEMPORAL_CODEC_ENDPOINT, the address sign-in instructions name');
  });

  it('lets the Web UI send the codec sign-in cookie: credentials included, same site, no token forwarding', () => {
    const ui = env('temporal-ui');
    // temporalio/ui reads it into codec.includeCredentials (its docker config template):
    // /encode and /decode are then fetched with credentials: 'include'.
    assert.equal(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS, 'true');
    assert.equal(ui.TEMPORAL_CODEC_PASS_ACCESS_TOKEN, 'false', 'there is no OIDC here: the session cookie is the credential');
    // The cookie is SameSite=Strict: UI and codec server must be one site (scheme + host; ports do not count).
    const endpoint = new URL(ui.TEMPORAL_CODEC_ENDPOINT ?? '');
    const uiOrigin = new URL(flag(commandOf('codec-server'), '--ui-origin'));
    assert.equal(uiOrigin.protocol, endpoint.protocol, 'UI and codec server on the same scheme');
    assert.equal(uiOrigin.hostname, endpoint.hostname, 'UI and codec server on the same host name');
  });

  it('gives certrot containers no secret as a literal: only known, non-secret variables in environment', () => {
    for (const [name] of certrotServices) {
      // `certrot worker` and `certrot codec-server` have roles of their own; other commands are clients.
      const command = commandOf(name)[0]!;
      const role = command === 'worker' || command === 'codec-server' ? command : 'client';
      for (const [key, value] of Object.entries(env(name))) {
        const known = knownVariable(key);
        assert.ok(known, `${name}: ${key} is not a variable certrot reads (src/workers/known-environment.ts)`);
        assert.equal(known.secret, false, `${name}: ${key} is a secret; put it in an env_file or a secret, not in docker-compose.yml`);
        assert.ok((known.readBy as readonly string[]).includes(role), `${name}: ${key} is not read by \`certrot ${role}\``);
        assert.doesNotMatch(value, /BEGIN [A-Z ]*PRIVATE KEY|^[A-Za-z0-9+/]{40,}={0,2}$/, `${name}: ${key} looks like key material`);
      }
    }
    // And no service anywhere carries a password or token inline.
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (!/PASSWORD|PWD|TOKEN|SECRET/.test(key)) continue;
        const text = String(value);
        assert.ok(text === 'true' || text === 'false' || text.startsWith('/run/secrets/'), `${name}: ${key} must come from a secret, not "${text}"`);
      }
    }
  });

  it('reads certrot secrets from git-ignored env files that have committed, placeholder-only examples', () => {
    assert.deepEqual(service('codec-server').env_file, ['deploy/codec.env']);
    assert.deepEqual(service('worker').env_file, ['deploy/codec.env', 'deploy/worker.env']);
    for (const file of ['deploy/codec.env', 'deploy/worker.env']) {
      assert.ok(gitIgnored(file), `${file} must be git-ignored`);
      assert.ok(existsSync(join(root, `${file}.example`)), `${file}.example is missing`);
      assert.equal(gitIgnored(`${file}.example`), false, `${file}.example must be committed`);
    }

    const codec = envFile('deploy/codec.env.example');
    assert.deepEqual(Object.keys(codec).sort(), ['CERTROT_CODEC_CURRENT_KEY', 'CERTROT_CODEC_KEYS', 'CERTROT_CODEC_TOKEN']);
    for (const key of Object.keys(codec)) {
      assert.ok(knownVariable(key)?.readBy.includes('codec-server'), `${key} is not read by the codec server`);
      if (knownVariable(key)?.secret) assert.match(codec[key]!, /REPLACE/, `${key}: the example must hold a placeholder`);
    }
    // The committed key ring must not be usable: no real key can sit in the example.
    assert.throws(() => loadKeyRing(codec), /not base64|must be 32 bytes/);

    for (const [key, value] of Object.entries(envFile('deploy/worker.env.example'))) {
      if (key.startsWith('CERTROT_')) assert.ok(KNOWN_VARIABLE_NAMES.has(key), `deploy/worker.env.example: ${key} is unknown`);
      if (/TOKEN|PASSWORD|SECRET|PRIVATE/.test(key)) assert.match(value, /REPLACE/, `${key}: the example must hold a placeholder`);
    }
  });

  it('mounts file secrets from the git-ignored deploy/secrets/ and the database password only as a secret', () => {
    const declared = compose.secrets ?? {};
    assert.deepEqual(Object.keys(declared).sort(), ['salesforce_jwt_key', 'temporal_db_password']);
    for (const [name, secret] of Object.entries(declared)) {
      assert.match(secret.file ?? '', /^\.\/deploy\/secrets\/[^/]+$/, `secret ${name}`);
      assert.ok(gitIgnored(secret.file!.replace(/^\.\//, '')), `${secret.file!} must be git-ignored`);
    }
    assert.deepEqual(service('worker').secrets, ['salesforce_jwt_key']);
    assert.equal(service('codec-server').secrets, undefined, 'the codec server needs no file secret');
    assert.equal(env('postgresql').POSTGRES_PASSWORD_FILE, '/run/secrets/temporal_db_password');
    for (const name of ['postgresql', 'temporal-schema', 'temporal']) {
      assert.deepEqual(service(name).secrets, ['temporal_db_password'], `${name}: secrets`);
    }
    assert.match(shellScript('temporal'), /POSTGRES_PWD="\$\(cat \/run\/secrets\/temporal_db_password\)"[\s\S]*exec \/etc\/temporal\/entrypoint\.sh/);
    assert.match(shellScript('temporal-schema'), /SQL_PASSWORD="\$\(cat \/run\/secrets\/temporal_db_password\)"/);
  });

  it('mounts a worker configuration that the real parser accepts, pointed at this stack', () => {
    const worker = env('worker');
    const mount = (service('worker').volumes ?? []).find((volume) => volume.split(':')[1] === worker.CERTROT_CONFIG);
    assert.equal(mount, './deploy/worker.yaml:/etc/certrot/worker.yaml:ro');
    assert.ok(gitIgnored('deploy/worker.yaml'), 'deploy/worker.yaml must be git-ignored');

    const raw: unknown = parseYaml(read('deploy/worker.yaml.example'));
    const placeholders = [...read('deploy/worker.yaml.example').matchAll(/^[^#\n]*\$\{([A-Za-z_][A-Za-z0-9_]*)\}/gm)].map((m) => m[1]!);
    const exampleEnv = envFile('deploy/worker.env.example');
    // Every ${NAME} the active configuration uses has an example value, and nothing extra.
    assert.deepEqual([...new Set(placeholders)].sort(), Object.keys(exampleEnv).sort());

    const config = parseWorkerConfig(raw, { ...exampleEnv, ...worker }, '/etc/certrot');
    assert.equal(config.temporal.address, 'temporal:7233');
    assert.equal(config.temporal.namespace, env('temporal-bootstrap').TEMPORAL_NAMESPACE, 'the worker uses the namespace the bootstrap job creates');
    assert.equal(config.temporal.taskQueue, ROTATION_TASK_QUEUE);
    const org = config.orgs.production;
    assert.ok(org && org.auth.kind === 'jwt', 'orgs.production uses JWT auth');
    assert.equal(org.auth.privateKeyPath, '/run/secrets/salesforce_jwt_key', 'the JWT key is the mounted Docker secret');
    assert.equal(org.auth.consumerKey, exampleEnv.SALESFORCE_CONSUMER_KEY);
    assert.equal(config.vendors.acme?.kind, 'http');

    // The placeholders are real: without the env file the worker refuses to start.
    const { VENDOR_REGISTRY_TOKEN: _omitted, ...missing } = exampleEnv;
    assert.throws(() => parseWorkerConfig(raw, missing, '/etc/certrot'), /VENDOR_REGISTRY_TOKEN/);
  });

  it('registers exactly the search attributes the workflows set, in the worker namespace', () => {
    const bootstrap = env('temporal-bootstrap');
    assert.deepEqual(
      bootstrap.SEARCH_ATTRIBUTES?.split(/\s+/),
      SEARCH_ATTRIBUTES.map((attribute) => `${attribute.name}=${cliSearchAttributeType(attribute.type)}`),
    );
    assert.equal(bootstrap.TEMPORAL_NAMESPACE, env('worker').CERTROT_TEMPORAL_NAMESPACE);
    assert.equal(env('temporal-ui').TEMPORAL_DEFAULT_NAMESPACE, bootstrap.TEMPORAL_NAMESPACE);
  });

  it('has the renewal-schedule job exactly when the CLI has `certrot schedule`', () => {
    const hasScheduleCommand = buildProgram().commands.some((command) => command.name() === 'schedule');
    const scheduleServices = Object.entries(services).filter(([, s]) => Array.isArray(s.command) && s.command[0] === 'schedule');
    if (hasScheduleCommand) {
      assert.equal(scheduleServices.length, 1, '`certrot schedule` exists: enable the renewal-schedule service in docker-compose.yml');
    } else {
      assert.equal(scheduleServices.length, 0, 'a service runs `certrot schedule`, which does not exist');
      assert.match(composeText, /^ {2}# renewal-schedule:$/m, 'keep the commented renewal-schedule service as the placeholder');
    }
  });

  it('hardens the certrot containers', () => {
    for (const [name, s] of certrotServices) {
      assert.equal(s.read_only, true, `${name}: read_only`);
      // Long-running services come back; the one-shot schedule job runs once per `up`.
      assert.equal(s.restart, name === 'renewal-schedule' ? 'no' : 'unless-stopped', `${name}: restart`);
    }
  });
});

describe('the one-shot jobs, run against a stub temporal CLI', () => {
  const work = mkdtempSync(join(tmpdir(), 'certrot-compose-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  // A stand-in for `temporal` that keeps namespace and attributes in files and logs calls.
  const stub = join(work, 'bin', 'temporal');
  mkdirSync(join(work, 'bin'));
  mkdirSync(join(work, 'state'));
  writeFileSync(
    stub,
    [
      '#!/bin/sh',
      'state="$STUB_STATE"',
      'echo "$*" >> "$state/calls"',
      'case "$1 $2 $3" in',
      '  "operator namespace describe") [ -f "$state/namespace" ] ;;',
      '  "operator namespace create") touch "$state/namespace" ;;',
      '  "operator search-attribute list") [ -f "$state/namespace" ] || exit 1; cat "$state/attributes" 2>/dev/null; exit 0 ;;',
      '  "operator search-attribute create")',
      '    name=""; type=""',
      '    while [ $# -gt 0 ]; do case "$1" in --name) name="$2"; shift ;; --type) type="$2"; shift ;; esac; shift; done',
      '    echo "$name  $type" >> "$state/attributes" ;;',
      '  *) echo "unexpected: $*" >&2; exit 2 ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(stub, 0o755);

  function runBootstrap(): { status: number | null; calls: string[]; stderr: string } {
    rmSync(join(work, 'state', 'calls'), { force: true });
    const result = spawnSync('/bin/sh', ['-c', shellScript('temporal-bootstrap')], {
      env: { ...env('temporal-bootstrap'), PATH: `${join(work, 'bin')}:/usr/bin:/bin`, STUB_STATE: join(work, 'state') },
      encoding: 'utf8',
    });
    const calls = existsSync(join(work, 'state', 'calls')) ? readFileSync(join(work, 'state', 'calls'), 'utf8').trim().split('\n') : [];
    return { status: result.status, calls, stderr: result.stderr };
  }

  it('creates the namespace and every search attribute on first run', () => {
    const first = runBootstrap();
    assert.equal(first.status, 0, first.stderr);
    const creates = first.calls.filter((call) => call.includes(' create '));
    assert.deepEqual(creates, [
      'operator namespace create --namespace default --retention 720h',
      'operator search-attribute create --namespace default --name CertificateName --type Keyword',
      'operator search-attribute create --namespace default --name OrgAlias --type Keyword',
      'operator search-attribute create --namespace default --name RotationPhase --type Keyword',
      'operator search-attribute create --namespace default --name RotationOutcome --type Keyword',
      'operator search-attribute create --namespace default --name CertificateExpiry --type Datetime',
    ]);
  });

  it('creates nothing on a second run (every `docker compose up` runs it again)', () => {
    const second = runBootstrap();
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(
      second.calls.filter((call) => call.includes(' create ')),
      [],
    );
  });

  it('writes scripts every job shell can parse', () => {
    for (const name of ['temporal-schema', 'temporal', 'temporal-bootstrap']) {
      const result = spawnSync('/bin/sh', ['-n', '-c', shellScript(name)], { encoding: 'utf8' });
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
    }
  });
});

/** Exit code of `node -e script`, run asynchronously (the server under test shares this event loop). */
function runNode(script: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('the codec server healthcheck', () => {
  it('passes against a running codec server and fails when none listens', async () => {
    const test = service('codec-server').healthcheck?.test;
    assert.ok(Array.isArray(test) && test[0] === 'CMD' && test[1] === 'node' && test[2] === '-e');
    const script = test[3]!;
    const codecPort = flag(commandOf('codec-server'), '--port');
    assert.ok(script.includes(`http://127.0.0.1:${codecPort}/`), 'the check calls the port the server listens on');

    const key = { id: 'k1', key: Buffer.alloc(32, 7) };
    const server = await startCodecServer({ keyRing: { keys: [key], current: 'k1' }, token: 'a-token-of-sixteen+chars', uiOrigin: 'http://localhost:8080' });
    const probe = script.replace(`:${codecPort}/`, `:${server.port}/`);
    try {
      assert.equal(await runNode(probe), 0);
    } finally {
      await server.close();
    }
    assert.equal(await runNode(probe), 1);
  });
});

describe('the worker healthcheck', () => {
  it('probes the metrics endpoint the worker is told to serve, which is published for Prometheus', async () => {
    const test = service('worker').healthcheck?.test;
    assert.ok(Array.isArray(test) && test[0] === 'CMD' && test[1] === 'node' && test[2] === '-e');
    const bind = env('worker').CERTROT_METRICS_ADDRESS ?? '';
    assert.match(bind, /^0\.0\.0\.0:\d+$/, 'inside the container the endpoint listens on every interface, so the published port reaches it');
    const port = Number(bind.split(':')[1]);
    assert.ok(test[3]!.includes(`http://127.0.0.1:${port}/metrics`), 'the check calls the port the worker serves metrics on');
    assert.ok(publishedPorts('worker').some((p) => p.containerPort === port && p.hostIp === '127.0.0.1'));
    // Nothing listening: unhealthy. (test/e2e/topology.test.ts runs the same script against a real worker: healthy.)
    assert.equal(await runNode(test[3]!.replace(`:${port}/`, `:${await freePort()}/`)), 1);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\w+))?$/gm)].map((m) => ({
    image: m[1]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? `unresolved ${name}`),
    name: m[2],
  }));
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds on a pinned, non-Alpine Node 20', () => {
    assert.equal(stages.length, 2);
    for (const stage of stages) {
      assert.match(stage.image, /^node:20\.\d+\.\d+-(bookworm|bullseye)(-slim)?$/, `FROM ${stage.image}`);
      assert.doesNotMatch(stage.image, /alpine/);
    }
  });

  it('bundles the workflows at build time and points the worker at that bundle', () => {
    assert.match(dockerfile, /^RUN .*npm run build:workflows/m);
    const workdir = /^WORKDIR (\S+)$/m.exec(runtime)?.[1];
    const bundleEnv = /^ENV CERTROT_WORKFLOW_BUNDLE=(\S+)$/m.exec(runtime)?.[1];
    assert.equal(bundleEnv, `${workdir}/${relative(root, PREBUILT_BUNDLE)}`);
    assert.match(runtime, /^COPY --from=build \/app\/dist \.\/dist$/m);
  });

  it('runs as a non-root user, without dev dependencies, and bakes in no secret', () => {
    const users = [...runtime.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    assert.equal(users.length, 1);
    assert.ok(!['root', '0', '0:0'].includes(users[0]!), `USER ${users[0]!}`);
    assert.match(runtime, /^RUN npm ci --omit=dev/m);
    assert.match(runtime, /^ENTRYPOINT \["node", "\/app\/dist\/cli\/main\.js"\]$/m);
    for (const [, name] of dockerfile.matchAll(/^ENV (\w+)=/gm)) {
      if (name!.startsWith('CERTROT_')) assert.equal(knownVariable(name!)?.secret, false, `ENV ${name!}`);
      assert.doesNotMatch(name!, /TOKEN|PASSWORD|SECRET|KEYS/);
    }
    assert.doesNotMatch(dockerfile, /^(COPY|ADD) .*(deploy|\.env|secrets)/m);
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['.git', 'node_modules', 'dist', 'deploy', '.env', '.env.*', '.certrot']) {
      assert.ok(ignored.includes(entry), `.dockerignore: ${entry}`);
    }
  });
});
