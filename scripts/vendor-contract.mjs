#!/usr/bin/env node
// Checks a vendor key registry against api/vendor-key-registry.openapi.yaml with schemathesis
// (an OpenAPI fuzzer): every answer must be one the document declares, schema-valid requests
// must be accepted, invalid ones refused, undeclared methods answered 405 with `Allow`.
//
//   node scripts/vendor-contract.mjs install     schemathesis into ${XDG_CACHE_HOME:-~/.cache}/certrot/schemathesis/<version>
//   node scripts/vendor-contract.mjs status      {"version", "installed", "executable"} as JSON
//   node scripts/vendor-contract.mjs check --url https://keys.vendor.example --org <test org id> [options] [-- schemathesis options]
//
// check options: --token T (or CERTROT_CONTRACT_TOKEN), --org ID (repeatable), --fingerprint HEX
// (a key the org knows; repeatable), --certificate FILE (a PEM the vendor would accept;
// repeatable), --client-cert FILE --client-key FILE, --ca FILE, --max-examples N, --seed N,
// --no-install (exit 3 instead of installing). Options after `--` go to `schemathesis run`
// (e.g. `-- --report junit --report-dir out`).
//
// The fuzzer stages, activates, retires and restores keys of the orgs it is given: point it at
// a test org, never at one whose keys matter. Needs python3 (3.9+) with venv and pip, and the
// package index; `install` is idempotent and a second run only checks the marker.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SCHEMATHESIS_VERSION = '4.32.5';
// Everything pip installs with it, pinned, so a CI run next month installs the same tool.
const CONSTRAINTS = `anyio==4.16.0 certifi==2026.10.19.post1 charset-normalizer==3.5.3 click==8.5.1
graphql-core==3.3.2 harfile==0.6.0 hypothesis==6.170.17 hypothesis-graphql==0.13.5 idna==3.20
iniconfig==2.3.1 jsonschema_rs==0.60.3 markdown-it-py==4.3.0 MarkupSafe==3.0.4 mdurl==0.1.2
packaging==26.4 pluggy==1.7.0 Pygments==2.21.0 pyrate-limiter==4.5.1 pytest==9.2.0 PyYAML==6.0.4
requests==2.34.2 rich==15.0.0 sortedcontainers==2.4.0 typing_extensions==4.16.0 urllib3==2.8.0
Werkzeug==3.1.9`.split(/\s+/);

/** The checks a vendor must pass; named, so a newer schemathesis adds none silently. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'positive_data_acceptance',
  'missing_required_header',
  'unsupported_method',
  'allow_header_conformance',
  'ignored_auth',
];

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DOCUMENT = join(root, 'api', 'vendor-key-registry.openapi.yaml');
const NOT_INSTALLED = 3;

function installDir(env = process.env) {
  const cache = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'certrot', 'schemathesis', SCHEMATHESIS_VERSION);
}

function status(env = process.env) {
  const dir = installDir(env);
  const executable = join(dir, 'bin', 'schemathesis');
  // The marker is written last: a half-finished install has none and is done again.
  const installed = existsSync(join(dir, 'installed.json')) && existsSync(executable);
  return { version: SCHEMATHESIS_VERSION, installed, executable };
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

function install() {
  const found = status();
  if (found.installed) {
    console.log(`schemathesis ${SCHEMATHESIS_VERSION} already installed in ${installDir()}`);
    return found;
  }
  const dir = installDir();
  const python = process.env.PYTHON ?? 'python3';
  console.log(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run(python, ['-m', 'venv', dir]);
  const constraints = join(dir, 'constraints.txt');
  writeFileSync(constraints, CONSTRAINTS.join('\n') + '\n');
  run(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-c', constraints, `schemathesis==${SCHEMATHESIS_VERSION}`]);
  run(join(dir, 'bin', 'schemathesis'), ['--version']);
  writeFileSync(join(dir, 'installed.json'), JSON.stringify({ version: SCHEMATHESIS_VERSION, at: new Date().toISOString() }) + '\n');
  return status();
}

/** TOML basic strings accept JSON's escapes, so JSON.stringify quotes a TOML string. */
const toml = (value) => JSON.stringify(value);

function configFile(options) {
  const lines = ['[generation]', 'database = "none"', '', '[parameters]'];
  const dictionaries = [];
  const bind = (parameter, name, values, probability) => {
    if (values.length === 0) return;
    lines.push(`${toml(parameter)} = { dictionary = ${toml(name)}, probability = ${probability} }`);
    dictionaries.push('', `[dictionaries.${name}]`, `values = [${values.map(toml).join(', ')}]`);
  };
  // Mostly the orgs and keys the vendor knows, so requests get past 404; sometimes generated
  // values, so the fuzzer still tries ones it does not.
  bind('path.orgId', 'orgs', options.orgs, 0.9);
  bind('path.fingerprint', 'fingerprints', options.fingerprints.map((f) => f.replace(/[^0-9A-Fa-f]/g, '').toLowerCase()), 0.6);
  bind('body.certificatePem', 'certificates', options.certificates, 0.5);
  lines.push(...dictionaries);
  if (options.token) lines.push('', '[auth.openapi.bearerAuth]', 'bearer = "${CERTROT_CONTRACT_TOKEN}"');
  lines.push(
    '',
    '[checks.positive_data_acceptance]',
    // 422 is the contract's answer to a request no schema can rule out: a well-formed PEM
    // block that is no usable certificate (KEY_REJECTED), or an Idempotency-Key the fuzzer
    // already used with another body (IDEMPOTENCY_KEY_REUSED).
    'expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429", "5xx"]',
  );
  return lines.join('\n') + '\n';
}

function check(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      org: { type: 'string', multiple: true, default: [] },
      fingerprint: { type: 'string', multiple: true, default: [] },
      certificate: { type: 'string', multiple: true, default: [] },
      'client-cert': { type: 'string' },
      'client-key': { type: 'string' },
      ca: { type: 'string' },
      'max-examples': { type: 'string', default: '40' },
      seed: { type: 'string' },
      'no-install': { type: 'boolean', default: false },
    },
  });
  if (!values.url || values.org.length === 0) {
    console.error('usage: node scripts/vendor-contract.mjs check --url <registry base URL> --org <test org id> [--token T] [options] [-- schemathesis options]');
    return Promise.resolve(2);
  }
  let tool = status();
  if (!tool.installed) {
    if (values['no-install']) {
      console.error(`schemathesis ${SCHEMATHESIS_VERSION} is not installed: run "node scripts/vendor-contract.mjs install"`);
      return Promise.resolve(NOT_INSTALLED);
    }
    tool = install();
  }
  const token = values.token ?? process.env.CERTROT_CONTRACT_TOKEN;
  const work = mkdtempSync(join(tmpdir(), 'certrot-contract-'));
  const config = join(work, 'schemathesis.toml');
  const certificates = values.certificate.map((file) => readFileSync(file, 'utf8'));
  writeFileSync(config, configFile({ orgs: values.org, fingerprints: values.fingerprint, certificates, token }));
  const args = ['--config-file', config, '--no-color', 'run', DOCUMENT, '--url', values.url, '--checks', CHECKS.join(','), '--max-examples', values['max-examples']];
  args.push('--seed', values.seed ?? '1');
  if (values['client-cert']) args.push('--request-cert', values['client-cert']);
  if (values['client-key']) args.push('--request-cert-key', values['client-key']);
  if (values.ca) args.push('--tls-verify', values.ca);
  args.push(...positionals);
  // The token travels in the environment, not on a command line others can read.
  const child = spawn(tool.executable, args, { cwd: work, stdio: 'inherit', env: { ...process.env, CERTROT_CONTRACT_TOKEN: token ?? '' } });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolveExit) => {
    child.on('error', (error) => {
      console.error(`could not start schemathesis: ${error.message}`);
      resolveExit(1);
    });
    child.on('exit', (code, signal) => {
      rmSync(work, { recursive: true, force: true });
      resolveExit(code ?? (signal ? 1 : 0));
    });
  });
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'install') {
  try {
    install();
  } catch (error) {
    console.error(`could not install schemathesis ${SCHEMATHESIS_VERSION}: ${error.message}`);
    process.exit(1);
  }
} else if (command === 'status') {
  console.log(JSON.stringify(status()));
} else if (command === 'check') {
  process.exitCode = await check(rest);
} else {
  console.error('usage: node scripts/vendor-contract.mjs install | status | check --url URL --org ID [options]');
  process.exit(2);
}
