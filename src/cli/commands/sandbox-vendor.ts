import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSandboxVendorFixture, SandboxVendor } from '../../sandbox/vendor';
import { loadOrCreateTestCa } from '../../sandbox/test-ca';
import { parsePort } from './dev-server';
import { untilStopSignal } from '../stop-signal';

interface SandboxVendorCommandOptions {
  port: number;
  tlsPort: number;
  host: string;
  fixture?: string;
  token?: string;
  caDir: string;
}

/**
 * `certrot sandbox vendor`: the local vendor key registry (REST API) and its two-way-TLS
 * endpoint, until Ctrl+C. The lead attaches it under the `sandbox` command.
 */
export function registerSandboxVendorCommand(parent: Command): void {
  parent
    .command('vendor')
    .description('run a local vendor: key-registry API over HTTP and a two-way-TLS endpoint trusting the active keys')
    .option('--port <port>', 'HTTP port of the registry API (0 = free port)', parsePort, 8480)
    .option('--tls-port <port>', 'HTTPS port demanding a client certificate (0 = free port)', parsePort, 8443)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--fixture <file>', 'orgs and initial keys (JSON; see src/sandbox/vendor/FIXTURE.md)')
    .option('--token <token>', 'require "Authorization: Bearer <token>" on the registry API (default: no auth; env CERTROT_SANDBOX_VENDOR_TOKEN)')
    .option('--ca-dir <dir>', 'where the sandbox test CA is kept', '.certrot/sandbox-ca')
    .action(async (options: SandboxVendorCommandOptions) => {
      const fixture = options.fixture ? await loadSandboxVendorFixture(options.fixture) : undefined;
      const ca = await loadOrCreateTestCa(resolve(options.caDir));
      const token = options.token ?? process.env.CERTROT_SANDBOX_VENDOR_TOKEN;
      const vendor = new SandboxVendor({ host: options.host, port: options.port, tlsPort: options.tlsPort, token, fixture, ca });
      const running = await vendor.start();
      console.log(`Sandbox vendor registry API: ${running.url}`);
      console.log(`Two-way TLS endpoint:        ${running.tlsUrl}  (GET / with a client certificate)`);
      console.log(`Test CA to trust (PEM):      ${ca.caFile}`);
      console.log(`Orgs: ${vendor.registry.snapshot().map((o) => `${o.orgId} (${o.mode}, ${o.keys.length} keys)`).join(', ') || 'none (add with PUT /__sandbox/orgs/<id>)'}`);
      // The token is a secret: say whether one is required, never what it is.
      console.log(token ? 'Auth: bearer token required' : 'Auth: none');
      console.log(`State: ${running.url}/__sandbox/state   Faults: POST ${running.url}/__sandbox/faults`);
      console.log('Press Ctrl+C to stop.');
      await untilStopSignal();
      await running.close();
      console.log('Sandbox vendor stopped.');
    });
}
