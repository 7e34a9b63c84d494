import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { cacheRoot, findCached, resolveBinary, type BinarySpec, type InstallRoute } from '../../src/temporal/binaries';
import { isRotationError } from '../../src/domain/errors';

const scratch = mkdtempSync(join(tmpdir(), 'certrot-binaries-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function freshCache(): string {
  counter += 1;
  return join(scratch, `cache-${counter}`);
}

/** A route that "installs" a shell script printing a version, counting its installs. */
function scriptRoute(id: string, printedVersion: string, expectedVersion = printedVersion): InstallRoute & { installs: number } {
  const route = {
    id,
    version: expectedVersion,
    describe: `fake ${id} route`,
    executable: join('bin', 'tool'),
    installs: 0,
    install(dir: string): Promise<void> {
      route.installs += 1;
      mkdirSync(join(dir, 'bin'), { recursive: true });
      const path = join(dir, 'bin', 'tool');
      writeFileSync(path, `#!/bin/sh\necho "tool version ${printedVersion}"\n`);
      chmodSync(path, 0o755);
      return Promise.resolve();
    },
    verify(path: string): Promise<void> {
      const out = execFileSync(path).toString();
      if (!out.includes(`version ${expectedVersion}`)) throw new Error(`printed "${out.trim()}", expected ${expectedVersion}`);
      return Promise.resolve();
    },
  };
  return route;
}

function failingRoute(id: string, reason: string): InstallRoute {
  return {
    id,
    version: '0',
    describe: `fake ${id} route`,
    executable: 'bin/tool',
    install: () => Promise.reject(new Error(reason)),
    verify: () => Promise.resolve(),
  };
}

function spec(routes: InstallRoute[]): BinarySpec {
  return { kind: 'temporal-cli', envVar: 'FAKE_TOOL_PATH', routes };
}

describe('Temporal binary resolution', () => {
  it('uses the cache under XDG_CACHE_HOME when set, else ~/.cache', () => {
    assert.equal(cacheRoot({ XDG_CACHE_HOME: '/x/cache' }), join('/x/cache', 'certrot'));
    assert.match(cacheRoot({}), /\.cache[/\\]certrot$/);
  });

  it('prefers an existing env override and refuses a missing one, naming the variable', async () => {
    const real = join(scratch, 'override-tool');
    writeFileSync(real, '#!/bin/sh\n');
    const resolved = await resolveBinary(spec([failingRoute('pip', 'must not run')]), { env: { FAKE_TOOL_PATH: real }, cacheRoot: freshCache() });
    assert.equal(resolved.source, 'env');
    assert.equal(resolved.path, real);

    await assert.rejects(
      resolveBinary(spec([]), { env: { FAKE_TOOL_PATH: join(scratch, 'missing') }, cacheRoot: freshCache() }),
      (error: unknown) => isRotationError(error, 'TEMPORAL_BINARY_UNAVAILABLE') && /FAKE_TOOL_PATH/.test(error.message) && /does not exist/.test(error.message),
    );
  });

  it('falls back to the next route, then finds the install in the cache without installing again', async () => {
    const root = freshCache();
    const second = scriptRoute('go', '1.5.1');
    const routes = [failingRoute('pip', 'no matching distribution'), second];
    const first = await resolveBinary(spec(routes), { env: {}, cacheRoot: root });
    assert.equal(first.source, 'installed');
    assert.equal(first.route, 'go');
    assert.equal(second.installs, 1);

    const again = await resolveBinary(spec(routes), { env: {}, cacheRoot: root });
    assert.equal(again.source, 'cache');
    assert.equal(again.path, first.path);
    assert.equal(second.installs, 1, 'a cache hit must not install again');
  });

  it('never publishes an install that fails verification', async () => {
    const root = freshCache();
    const wrongVersion = scriptRoute('pip', '9.9.9', '1.9.1');
    await assert.rejects(resolveBinary(spec([wrongVersion]), { env: {}, cacheRoot: root }), /printed "tool version 9\.9\.9", expected 1\.9\.1/);
    assert.equal(findCached(spec([wrongVersion]), root), null);
    assert.equal(existsSync(join(root, 'temporal-cli', 'pip-1.9.1')), false);
  });

  it('names every route tried and why it failed when all fail', async () => {
    await assert.rejects(
      resolveBinary(spec([failingRoute('pip', 'pip: index unreachable'), failingRoute('go', 'go: module not found')]), {
        env: {},
        cacheRoot: freshCache(),
      }),
      (error: unknown) =>
        isRotationError(error, 'TEMPORAL_BINARY_UNAVAILABLE') &&
        error.message.includes('fake pip route: pip: index unreachable') &&
        error.message.includes('fake go route: go: module not found') &&
        error.message.includes('FAKE_TOOL_PATH'),
    );
  });

  it('with install disabled, says how to install instead of installing', async () => {
    const route = scriptRoute('pip', '1.9.1');
    await assert.rejects(resolveBinary(spec([route]), { env: {}, cacheRoot: freshCache(), install: false }), /npm run temporal:install/);
    assert.equal(route.installs, 0);
  });
});
