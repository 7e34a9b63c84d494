/**
 * The vendor contract (api/vendor-key-registry.openapi.yaml) is a document a vendor can use:
 * it parses as YAML, it is valid OpenAPI, its request rules are the ones the sandbox vendor
 * enforces (src/sandbox/vendor/request-rules.ts), and schemathesis fuzzing the sandbox vendor
 * against it finds nothing — through the same command a vendor runs against their own
 * registry (`node scripts/vendor-contract.mjs check`). A negative control makes sure the
 * fuzzer's failures reach this test: a sandbox that ignores credentials must fail.
 *
 * Without schemathesis installed (`node scripts/vendor-contract.mjs install`) the fuzzing
 * tests skip, unless CERTROT_REQUIRE_SCHEMATHESIS is set (CI sets it), in which case they fail.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import YAML from 'yaml';
import { startSandboxVendor, type SandboxVendor, type SandboxVendorHandle } from '../../src/sandbox/vendor';
import * as rules from '../../src/sandbox/vendor/request-rules';
import { sendHttpRequest } from '../../src/vendors/http-transport';
import { makeOrgKey, type OrgKey } from './vendor-test-kit';

const ROOT = join(__dirname, '..', '..');
const DOCUMENT = join(ROOT, 'api', 'vendor-key-registry.openapi.yaml');
const SCRIPT = join(ROOT, 'scripts', 'vendor-contract.mjs');
const TOKEN = 'contract-test-token-0123456789';

const REQUIRE_SCHEMATHESIS = !['', '0', 'false'].includes(process.env.CERTROT_REQUIRE_SCHEMATHESIS ?? '');
const tool = JSON.parse(spawnSync(process.execPath, [SCRIPT, 'status'], { encoding: 'utf8' }).stdout) as { version: string; installed: boolean };
const SKIP =
  !tool.installed && !REQUIRE_SCHEMATHESIS
    ? `schemathesis ${tool.version} is not installed (node scripts/vendor-contract.mjs install); set CERTROT_REQUIRE_SCHEMATHESIS=1 to fail instead of skipping`
    : false;

type Json = Record<string, unknown>;

async function loadDocument(): Promise<Json> {
  return YAML.parse(await readFile(DOCUMENT, 'utf8'), { strict: true, uniqueKeys: true }) as Json;
}

/** `#/components/...` of the document, or `node` itself when it is not a $ref. */
function deref(document: Json, node: unknown): Json {
  const ref = (node as { $ref?: string }).$ref;
  if (ref === undefined) return node as Json;
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((at, part) => at[part] as Json, document);
}

describe('the vendor key registry contract', () => {
  it('parses as YAML with no warnings and no duplicate keys', async () => {
    const parsed = YAML.parseDocument(await readFile(DOCUMENT, 'utf8'), { strict: true, uniqueKeys: true, prettyErrors: true });
    assert.deepEqual(parsed.errors.map(String), []);
    assert.deepEqual(parsed.warnings.map(String), []);
  });

  it('is a valid OpenAPI 3.1 document (and the validator does reject a broken one)', async () => {
    const document = await loadDocument();
    const validator = new Validator();
    const result = await validator.validate(document);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');

    const broken = structuredClone(document) as { components: { securitySchemes: Record<string, Json> } };
    broken.components.securitySchemes.bearerAuth = { type: 'token' };
    assert.equal((await new Validator().validate(broken)).valid, false, 'negative control: a security scheme of no known type');
  });

  it('declares the request rules the sandbox vendor enforces', async () => {
    const document = await loadDocument();
    const parameter = (name: string) => deref(document, { $ref: `#/components/parameters/${name}` }).schema as Json;
    assert.equal(parameter('OrgId').pattern, rules.ORG_ID_PATTERN.source);
    assert.equal(parameter('Fingerprint').pattern, rules.PATH_FINGERPRINT_PATTERN.source);
    assert.equal(parameter('KeyFingerprint').pattern, rules.KEY_PATH_FINGERPRINT_PATTERN.source);
    assert.equal(parameter('IdempotencyKey').pattern, rules.IDEMPOTENCY_KEY_PATTERN.source);

    const body = (path: string) => {
      const operation = (document.paths as Record<string, Record<string, Json>>)[path]?.post as { requestBody: { content: Record<string, { schema: Json }> } };
      return deref(document, operation.requestBody.content['application/json']?.schema).properties as Record<string, Json>;
    };
    const stage = body('/v1/orgs/{orgId}/keys');
    assert.equal(stage.certificatePem?.pattern, rules.CERTIFICATE_PEM_PATTERN.source);
    assert.equal(stage.certificatePem?.maxLength, rules.CERTIFICATE_PEM_MAX_LENGTH);
    const verify = body('/v1/orgs/{orgId}/signatures:verify');
    assert.deepEqual([verify.nonce?.minLength, verify.nonce?.maxLength], [rules.NONCE_LENGTH.min, rules.NONCE_LENGTH.max]);
    assert.equal(verify.signature?.pattern, rules.SIGNATURE_PATTERN.source);
    assert.deepEqual([verify.signature?.minLength, verify.signature?.maxLength], [rules.SIGNATURE_LENGTH.min, rules.SIGNATURE_LENGTH.max]);
    assert.deepEqual(verify.algorithm?.enum, [...rules.SIGNATURE_ALGORITHMS]);
    const activation = body('/v1/orgs/{orgId}/keys/{fingerprint}:activate');
    assert.equal(activation.replace?.type, 'boolean');
    const continuity = body('/v1/orgs/{orgId}/keys/{fingerprint}:continuity');
    assert.deepEqual([continuity.statement?.minLength, continuity.statement?.maxLength], [rules.STATEMENT_LENGTH.min, rules.STATEMENT_LENGTH.max]);
    for (const field of ['oldSignature', 'newSignature']) {
      assert.equal(continuity[field]?.pattern, rules.SIGNATURE_PATTERN.source);
      assert.deepEqual([continuity[field]?.minLength, continuity[field]?.maxLength], [rules.SIGNATURE_LENGTH.min, rules.SIGNATURE_LENGTH.max]);
    }
  });

  it('lists in its Error schema every code the sandbox vendor and the adapter know', async () => {
    const { REGISTRY_ERROR_CODES } = await import('../../src/vendors/registry-wire');
    const error = deref(await loadDocument(), { $ref: '#/components/schemas/Error' }) as { properties: { code: { enum: string[] } } };
    assert.deepEqual([...error.properties.code.enum].sort(), [...REGISTRY_ERROR_CODES].sort());
  });
});

describe('the sandbox vendor answers paths and methods the contract does not list', () => {
  let sandbox: SandboxVendorHandle & { vendor: SandboxVendor };
  before(async () => {
    sandbox = await startSandboxVendor({ token: TOKEN, fixture: { orgs: [{ orgId: 'contract-org', mode: 'multi-key', keys: [] }] } });
  });
  after(async () => {
    await sandbox?.close();
  });

  const request = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string) =>
    sendHttpRequest({ method, url: new URL(`${sandbox.url}${path}`), headers: { authorization: `Bearer ${TOKEN}` }, timeoutMs: 3_000 });

  it('405 METHOD_NOT_ALLOWED with an Allow header for an undeclared method on a declared path', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/v1/orgs/contract-org/keys', 'GET, POST'],
      ['PUT', '/v1/orgs/contract-org/capabilities', 'GET'],
      ['GET', `/v1/orgs/contract-org/keys/${'ab'.repeat(32)}:retire`, 'POST'],
      ['DELETE', '/v1/orgs/contract-org/signatures:verify', 'POST'],
    ] as const) {
      const response = await request(method, path);
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.allow, allow);
      assert.equal((JSON.parse(response.body) as { code: string }).code, 'METHOD_NOT_ALLOWED');
    }
  });

  it('404 NOT_FOUND for an undeclared path; 400 for a declared path whose parameter breaks its pattern', async () => {
    for (const path of ['/v1/orgs/contract-org', '/v1/orgs/contract-org/keys/abc', '/v2/orgs/contract-org/keys', '/v1/orgs/contract-org/keys/x:delete']) {
      const response = await request('GET', path);
      assert.equal(response.status, 404, path);
      assert.equal((JSON.parse(response.body) as { code: string }).code, 'NOT_FOUND');
    }
    const badFingerprint = await sendHttpRequest({
      method: 'POST',
      url: new URL(`${sandbox.url}/v1/orgs/contract-org/keys/0:activate`),
      headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': 'contract-test-1' },
      timeoutMs: 3_000,
    });
    assert.equal(badFingerprint.status, 400);
    assert.equal((JSON.parse(badFingerprint.body) as { code: string }).code, 'INVALID_REQUEST');
  });
});

/** `node scripts/vendor-contract.mjs check ...`, in a process group of its own so it can always be stopped. */
class ContractCheck {
  private child: ChildProcess | undefined;

  run(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [SCRIPT, 'check', '--no-install', ...args], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CERTROT_CONTRACT_TOKEN: TOKEN },
      });
      this.child = child;
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const timer = setTimeout(() => {
        this.stop();
        reject(new Error(`schemathesis did not finish within ${timeoutMs / 1000} s:\n${output.slice(-4000)}`));
      }, timeoutMs);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        this.child = undefined;
        resolve({ code, output });
      });
    });
  }

  /** Ends the script and the schemathesis it started (their process group). */
  stop(): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe('schemathesis against the sandbox vendor', { skip: SKIP }, () => {
  let sandbox: (SandboxVendorHandle & { vendor: SandboxVendor }) | undefined;
  let careless: (SandboxVendorHandle & { vendor: SandboxVendor }) | undefined;
  let dir = '';
  let keys: OrgKey[] = [];
  const check = new ContractCheck();

  before(async () => {
    if (!tool.installed) {
      throw new Error(`CERTROT_REQUIRE_SCHEMATHESIS is set but schemathesis ${tool.version} is not installed: run "node scripts/vendor-contract.mjs install"`);
    }
    dir = await mkdtemp(join(tmpdir(), 'certrot-contract-test-'));
    keys = await Promise.all(['active', 'retired', 'staged', 'fresh'].map((name) => makeOrgKey(`${name}.contract.example.org`)));
    const [active, retired, staged] = keys as [OrgKey, OrgKey, OrgKey, OrgKey];
    // Keys in every state in both modes, so activate/retire/restore reach their 200s and 409s.
    sandbox = await startSandboxVendor({
      token: TOKEN,
      fixture: {
        orgs: [
          { orgId: 'contract-single', mode: 'single-key', keys: [{ certificatePem: active.certificatePem, state: 'active' }, { certificatePem: retired.certificatePem, state: 'retired' }] },
          { orgId: 'contract-multi', mode: 'multi-key', keys: [{ certificatePem: active.certificatePem, state: 'active' }, { certificatePem: staged.certificatePem, state: 'staged' }] },
        ],
      },
    });
    careless = await startSandboxVendor({ fixture: { orgs: [{ orgId: 'contract-single', mode: 'single-key', keys: [] }] } });
  });

  after(async () => {
    check.stop();
    await Promise.all([sandbox?.close(), careless?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds no failure of the selected checks on any operation', { timeout: 240_000 }, async () => {
    assert.ok(sandbox);
    const fresh = join(dir, 'fresh.pem');
    await writeFile(fresh, keys[3]?.certificatePem ?? '');
    const { code, output } = await check.run(
      [
        '--url', sandbox.url,
        '--org', 'contract-single', '--org', 'contract-multi',
        ...keys.slice(0, 3).flatMap((key) => ['--fingerprint', key.fingerprint]),
        '--certificate', fresh,
        '--max-examples', '30',
      ],
      220_000,
    );
    assert.equal(code, 0, `schemathesis reported failures:\n${output.slice(-12_000)}`);
    assert.match(output, /Operations:\s+9 selected \/ 9 total/);
    // The dictionaries worked: generated requests got past 404 to writes that applied.
    const applied = new Set(sandbox.vendor.state().writes.map((write) => write.operation));
    for (const operation of ['stageKey', 'retireKey'] as const) assert.ok(applied.has(operation), `no ${operation} was applied (applied: ${[...applied].join(', ')})`);
  });

  it('negative control: a registry that ignores credentials fails the run', { timeout: 120_000 }, async () => {
    assert.ok(careless);
    const { code, output } = await check.run(['--url', careless.url, '--org', 'contract-single', '--max-examples', '5', '--', '--include-operation-id', 'getCapabilities'], 100_000);
    assert.notEqual(code, 0, `expected a failure:\n${output.slice(-4000)}`);
    assert.match(output, /ST401/, "the failure is schemathesis' ignored_auth (ST401)");
  });
});
