/**
 * End to end as operators run it: the dev server, the sandbox org, the sandbox vendor and
 * the worker are separate processes; the rotation is driven only through the certrot CLI.
 *
 * Every answer the CLI gives is checked against what is true: a refused `rotate` prints the
 * workflow's reason and nothing changed in the org; a second rotation of the certificate (in
 * another case) is refused while the first runs; a closed window is refused; a command on an
 * ended rotation says how and when it ended; text from outside cannot drive the terminal.
 * Finally the worker is killed (SIGKILL) mid-rotation and a new one finishes the job.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RotationStatus } from '../../src/domain/rotation';
import {
  certrotBin,
  processGroup,
  runCommand,
  sandboxOrgState,
  sleep,
  startRotationWorld,
  storedNames,
  type Proc,
  type RotationWorld,
} from '../support/processes';

const { start, stop, stopAll } = processGroup();
const CERTIFICATE = 'Vendor_Signing';
const WORKFLOW_ID = 'rotate/demo/vendor_signing';
const ESC = '\u001b';

describe('certrot CLI, worker and sandboxes as separate processes on the dev server', () => {
  let dir = '';
  let world: RotationWorld;
  let worker: Proc;

  function cli(...args: string[]): Promise<{ code: number; out: string; stdout: string }> {
    return runCommand(certrotBin, args, world.env);
  }

  async function status(certificate = CERTIFICATE): Promise<RotationStatus> {
    const result = await cli('status', '--org', 'demo', '--certificate', certificate, '--json');
    assert.equal(result.code, 0, result.out);
    return JSON.parse(result.stdout) as RotationStatus;
  }

  async function untilPhase(phase: string): Promise<RotationStatus> {
    let current = await status();
    for (let i = 0; i < 240 && current.phase !== phase && current.outcome === null; i++) {
      await sleep(250);
      current = await status();
    }
    assert.equal(current.phase, phase, JSON.stringify(current.timeline));
    return current;
  }

  /** The org's certificates (live and deleted) and where the names are stored: what a refused command must leave alone. */
  async function orgSnapshot(): Promise<{ certificates: string[]; stored: [string, string][] }> {
    const state = await sandboxOrgState(world.orgUrl);
    const certificates = state.certificates.map((c) => `${c.uniqueName} ${c.fingerprintSha256 ?? '-'}${c.deleted ? ' (deleted)' : ''}`).sort();
    const names = state.certificates.map((c) => c.uniqueName);
    return { certificates, stored: [...storedNames(state, names)].sort() };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certrot-e2e-'));
    world = await startRotationWorld({ start, stop, stopAll }, dir);
    worker = start(['worker', '--config', world.workerConfig], world.env);
    await worker.waitFor(/certrot worker polling task queue "certrot-rotations"/);
  });

  after(async () => {
    await stopAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a rotation that cannot start with the workflow\'s reason, and changes nothing in the org', async () => {
    const before = await orgSnapshot();
    assert.ok(before.certificates.some((c) => c.startsWith('Partner_Signing ')), 'the demo org has a second certificate');

    // (a) A certificate that does not exist: the workflow's reason, no "started".
    const missing = await cli('rotate', '--org', 'demo', '--certificate', 'No_Such_Certificate', '--vendor', 'acme', '--strategy', 'simultaneous');
    assert.notEqual(missing.code, 0, missing.out);
    assert.match(missing.out, /^certrot: rotation rotate\/demo\/no_such_certificate did not start: CERT_NOT_FOUND: /m);
    assert.match(missing.out, /No_Such_Certificate/);
    assert.doesNotMatch(missing.out, /started/);

    // (b) A new name that an existing certificate already has (in any case): refused before anything is created.
    // The current certificate's own name, in another case, is refused by the CLI's validation before anything starts.
    const refusals: [string, RegExp][] = [
      ['Partner_Signing', /did not start: CERT_ALREADY_EXISTS: .*already has a certificate named Partner_Signing/],
      ['partner_SIGNING', /did not start: CERT_ALREADY_EXISTS: .*already has a certificate named Partner_Signing/],
      ['VENDOR_SIGNING', /newUniqueName: must differ from the current certificate's Unique Name/],
    ];
    for (const [newName, expected] of refusals) {
      const taken = await cli('rotate', '--org', 'demo', '--certificate', CERTIFICATE, '--vendor', 'acme', '--strategy', 'simultaneous', '--new-name', newName);
      assert.notEqual(taken.code, 0, `--new-name ${newName}: ${taken.out}`);
      assert.match(taken.out, expected, taken.out);
      assert.doesNotMatch(taken.out, /started rotation/);
    }
    assert.deepEqual(await orgSnapshot(), before, 'a refused rotation changes nothing in the org');
  });

  it('refuses a second rotation in another case and a closed window; an aborted rotation says how and when it ended, escaped', async () => {
    const before = await orgSnapshot();
    // A fixed window that closes while the rotation waits for approval.
    const windowStart = new Date(Date.now() - 60_000).toISOString();
    const windowEnd = new Date(Date.now() + 25_000).toISOString();
    const started = await cli('rotate', '--org', 'demo', '--certificate', CERTIFICATE, '--vendor', 'acme', '--strategy', 'simultaneous', '--window-start', windowStart, '--window-end', windowEnd);
    assert.equal(started.code, 0, started.out);
    assert.match(started.out, /^started rotation rotate\/demo\/vendor_signing \(phase /m);

    // (c) The same certificate spelt in another case (and the org alias too) is the same rotation.
    for (const [org, certificate] of [['demo', 'vendor_signing'], ['DEMO', 'VENDOR_SIGNING']] as const) {
      const again = await cli('rotate', '--org', org, '--certificate', certificate, '--vendor', 'acme', '--strategy', 'simultaneous');
      assert.notEqual(again.code, 0, again.out);
      assert.match(again.out, /is already running \(workflow rotate\/demo\/vendor_signing\)/);
      assert.doesNotMatch(again.out, /started rotation/);
    }

    const waiting = await untilPhase('awaiting-approval');
    const fingerprint = waiting.newCertificate!.spkiFingerprint;

    // (d) An approval for a window that has closed is refused, with the reason.
    const pastStart = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const pastEnd = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const stale = await cli('approve', '--org', 'demo', '--certificate', CERTIFICATE, '--approver', 'acme', '--fingerprint', fingerprint, '--window-start', pastStart, '--window-end', pastEnd);
    assert.notEqual(stale.code, 0, stale.out);
    assert.match(stale.out, /^certrot: refused: window/m);
    await sleep(Math.max(0, Date.parse(windowEnd) - Date.now() + 1_000));
    const closed = await cli('approve', '--org', 'demo', '--certificate', CERTIFICATE, '--approver', 'acme', '--fingerprint', fingerprint);
    assert.notEqual(closed.code, 0, closed.out);
    assert.match(closed.out, /^certrot: refused: window: the proposed window .* has closed/m);
    assert.equal((await status()).approval, null, 'a refused approval is not recorded');

    // (f) A reason with terminal control sequences and a forged line.
    const reason = `maintenance${ESC}[2J${ESC}]0;title\u0007\nAPPROVED by security`;
    const aborted = await cli('abort', '--org', 'demo', '--certificate', CERTIFICATE, '--by', 'ops', '--reason', reason);
    assert.equal(aborted.code, 0, aborted.out);
    assert.match(aborted.out, /^abort accepted: /m);
    assert.ok(!aborted.stdout.includes(ESC), `no raw ESC in: ${JSON.stringify(aborted.stdout)}`);

    const watched = await cli('status', '--org', 'demo', '--certificate', CERTIFICATE, '--watch', '--interval', '0.5');
    assert.equal(watched.code, 0, watched.out);
    assert.match(watched.out, /compensating[\s\S]*rolled-back/);
    const shown = await cli('status', '--org', 'demo', '--certificate', CERTIFICATE);
    assert.equal(shown.code, 0, shown.out);
    assert.match(shown.stdout, /phase\s+rolled-back \(rolled-back\)/);
    for (const output of [shown.stdout, watched.stdout]) {
      assert.ok(!output.includes(ESC), `no raw ESC byte in status output: ${JSON.stringify(output)}`);
      assert.ok(!output.includes('\u0007'), 'no raw BEL byte in status output');
      assert.ok(output.includes('maintenance\\x1b[2J\\x1b]0;title\\x07\\nAPPROVED by security'), `the reason shows escaped:\n${output}`);
      assert.doesNotMatch(output, /^APPROVED/m, 'the newline in the reason cannot forge a line');
    }

    // (e) Commands on the ended rotation say it ended, how, and when.
    const ended = /^certrot: rotation rotate\/demo\/vendor_signing already ended: rolled-back at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/m;
    const lateApprove = await cli('approve', '--org', 'demo', '--certificate', CERTIFICATE, '--approver', 'acme', '--fingerprint', fingerprint);
    assert.notEqual(lateApprove.code, 0, lateApprove.out);
    assert.match(lateApprove.out, ended);
    const lateAbort = await cli('abort', '--workflow-id', WORKFLOW_ID, '--reason', 'again');
    assert.notEqual(lateAbort.code, 0, lateAbort.out);
    assert.match(lateAbort.out, ended);
    for (const output of [lateApprove.out, lateAbort.out]) {
      assert.ok(!output.includes(ESC), `no raw ESC byte: ${JSON.stringify(output)}`);
      assert.equal(output.trim().split('\n').length, 1, `an error is one line: ${output}`);
    }

    // Rolled back: the new certificate is gone again, every reference names the old one.
    const afterwards = await orgSnapshot();
    assert.deepEqual(afterwards.stored, before.stored, 'every reference is back on the old certificate');
    assert.deepEqual(
      afterwards.certificates.filter((c) => !c.endsWith('(deleted)')),
      before.certificates.filter((c) => !c.endsWith('(deleted)')),
      'the live certificates are as before',
    );
  });

  it('rotates through the CLI and survives a killed worker', async () => {
    const rotate = ['rotate', '--org', 'demo', '--certificate', CERTIFICATE, '--vendor', 'acme', '--strategy', 'simultaneous', '--grace-period', '5 seconds'];
    const started = await cli(...rotate);
    assert.equal(started.code, 0, started.out);
    assert.match(started.out, /started rotation rotate\/demo\/vendor_signing/);
    const again = await cli(...rotate);
    assert.notEqual(again.code, 0);
    assert.match(again.out, /certrot: a rotation of Vendor_Signing in org demo is already running \(workflow rotate\/demo\/vendor_signing\)/);

    const current = await untilPhase('awaiting-approval');

    // The worker dies hard; a new one takes over the same rotation.
    await stop(worker, 'SIGKILL');
    const replacement = start(['worker', '--config', world.workerConfig], world.env);
    await replacement.waitFor(/certrot worker polling/);

    const wrong = await cli('approve', '--org', 'demo', '--certificate', CERTIFICATE, '--approver', 'acme', '--fingerprint', current.oldCertificate!.spkiFingerprint);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.out, /certrot: refused: fingerprint: .* is not the new certificate's SPKI fingerprint/);
    assert.equal(wrong.out.trim().split('\n').length, 1, 'an error is one line');

    const approved = await cli('approve', '--org', 'demo', '--certificate', CERTIFICATE, '--approver', 'acme', '--fingerprint', current.newCertificate!.spkiFingerprint);
    assert.equal(approved.code, 0, approved.out);
    assert.match(approved.out, /approved; window/);

    const watched = await cli('status', '--org', 'demo', '--certificate', CERTIFICATE, '--watch', '--interval', '0.5');
    assert.equal(watched.code, 0, watched.out);
    assert.match(watched.out, /cleaning-up[\s\S]*completed/);
    assert.match(watched.out, /phase\s+completed \(completed\)/);
    assert.match(watched.out, /\[ok\] signature:/);

    const listed = await cli('list', '--certificate', CERTIFICATE);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /rotate\/demo\/vendor_signing\s+COMPLETED\s+completed/);

    // Once it ended, an approval says so (with the outcome and when) rather than "refused".
    const late = await cli('approve', '--workflow-id', WORKFLOW_ID, '--approver', 'acme', '--fingerprint', current.newCertificate!.spkiFingerprint);
    assert.notEqual(late.code, 0, late.out);
    assert.match(late.out, /already ended: completed at \d{4}-\d{2}-\d{2}T/);

    const final = await status();
    const state = await sandboxOrgState(world.orgUrl);
    const live = state.certificates.filter((c) => !c.deleted).map((c) => c.uniqueName);
    assert.equal(live.filter((name) => name.startsWith('Vendor_Signing')).length, 1, 'exactly one Vendor_Signing certificate: the new one');
    assert.ok(live.includes(final.newCertificate!.uniqueName));
    await stop(replacement);
  });
});
