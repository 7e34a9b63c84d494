import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createSandboxOrg } from '../../sandbox/salesforce';
import { parsePort } from './dev-server';
import { untilStopSignal } from '../stop-signal';

interface SandboxOrgCommandOptions {
  fixture: string;
  port: number;
  host: string;
  save?: string;
  jwtKeyOut: string;
  trustCa: string[];
}

const DEMO_FIXTURE = join(__dirname, '../../sandbox/salesforce/fixtures/demo-org.json');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `certrot sandbox org`: a local Salesforce org speaking the OAuth, REST, Tooling and SOAP
 * Metadata wire protocols jsforce uses, until Ctrl+C. The lead attaches it under `sandbox`.
 */
export function registerSandboxOrgCommand(parent: Command): void {
  parent
    .command('org')
    .description('run a local Salesforce org (OAuth JWT, REST, Tooling, Metadata SOAP) loaded from a fixture')
    .option('--fixture <file>', 'org fixture (JSON; see src/sandbox/salesforce/FIXTURE.md)', DEMO_FIXTURE)
    .option('--port <port>', 'HTTP port (0 = free port)', parsePort, 8470)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--save <file>', 'write the org state (a fixture, private keys included, mode 0600) here on stop')
    .option('--jwt-key-out <file>', 'where to write the generated JWT private key of connected apps without a certificate', '.certrot/sandbox-org/jwt-private-key.pem')
    .option('--trust-ca <file>', 'a CA certificate (PEM) Apex callouts trust; repeatable', collect, [])
    .action(async (options: SandboxOrgCommandOptions) => {
      const trustedCaPems = await Promise.all(options.trustCa.map((file) => readFile(resolve(file), 'utf8')));
      const running = await createSandboxOrg({
        fixture: resolve(options.fixture),
        host: options.host,
        port: options.port,
        connectedAppKeyOut: resolve(options.jwtKeyOut),
        trustedCaPems,
      }).start();
      console.log(`Sandbox Salesforce org: ${running.url}`);
      console.log(`Login URL: ${running.login.loginUrl} (JWT audience: https://login.salesforce.com; https://test.salesforce.com when the fixture sets isSandbox)`);
      console.log(`Usernames: ${running.login.usernames.join(', ')}`);
      console.log(`Connected app consumer keys: ${running.login.consumerKeys.join(', ') || 'none'}`);
      for (const [consumerKey, file] of running.connectedAppKeyFiles) {
        // the path only: the key itself never goes to the terminal
        console.log(`JWT private key for ${consumerKey}: ${file}`);
      }
      console.log(`State: ${running.url}/__sandbox/state   Faults: POST ${running.url}/__sandbox/faults`);
      console.log('Press Ctrl+C to stop.');
      await untilStopSignal();
      if (options.save) {
        await running.save(resolve(options.save));
        console.log(`Org state saved to ${resolve(options.save)}`);
      }
      await running.close();
      console.log('Sandbox org stopped.');
    });
}
