import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { createConnection } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Reads the child's stdout until `pattern` matches, or fails with what it printed. */
function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)), timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before printing ${String(pattern)}; stdout: ${out} stderr: ${err}`));
    });
  });
}

describe('npm run temporal (certrot dev-server)', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  after(async () => {
    if (child && child.exitCode === null) {
      const gone = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  });

  it('serves the Web UI on loopback, prints its URL, and stops its server on SIGTERM', async () => {
    child = spawn(join(root, 'bin', 'certrot'), ['dev-server', '--port', '0', '--ui-port', '0'], { cwd: root });
    const [, grpcPort, uiUrl] = await waitForLine(
      child,
      /Temporal dev server: 127\.0\.0\.1:(\d+)[\s\S]*Web UI: (http:\/\/127\.0\.0\.1:\d+)/,
      60_000,
    );
    assert.ok(grpcPort && uiUrl);
    assert.equal(await portOpen(Number(grpcPort)), true, 'the gRPC port does not listen');

    const response = await fetch(uiUrl);
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /<html/i);

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const uiPort = Number(new URL(uiUrl).port);
    assert.equal(await portOpen(uiPort), false, 'the Web UI still listens after the command stopped');
    assert.equal(await portOpen(Number(grpcPort)), false, 'the gRPC port still listens');
  });
});
