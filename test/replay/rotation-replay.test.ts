/**
 * Every recorded rotation and renewal-sweep history must replay against the current workflow code: a change
 * to a released workflow that is not guarded by `patched()` fails here. New histories are
 * recorded with `npx tsx scripts/record-rotation-history.ts <label>` (rotations) and
 * `npx tsx scripts/record-sweep-history.ts <label>` (sweeps); old ones are kept.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { buildWorkflowBundle } from '../../src/workers/workflow-bundle';
import { rotationWorkflowId } from '../../src/domain/rotation-id';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';

const folder = join(__dirname, 'histories');
const RECORDED_ID = rotationWorkflowId(WORLD_ORGS.singleKey.alias, DEMO_CERTIFICATE);
/** The id test/replay/recorders/renewal-sweep.recorder.ts records sweeps under. */
const RECORDED_SWEEP_ID = 'renewal-sweep-recorded';
const histories = readdirSync(folder).filter((file) => file.endsWith('.history.pb')).sort();

function load(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.decode(readFileSync(join(folder, file)));
}

describe('replay of recorded rotation histories', () => {
  let code = '';
  before(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // installed already in this process
    }
    code = (await buildWorkflowBundle()).code;
  });

  it('has recorded histories to replay', () => {
    assert.ok(histories.length > 0, `no *.history.pb files in ${folder}`);
  });

  for (const file of histories) {
    it(`replays ${file} with the current workflow code`, async () => {
      // Rotations of the demo certificate (v2 runs only under its canonical id), and renewal sweeps.
      const workflowId = file.startsWith('renewal-sweep-') ? RECORDED_SWEEP_ID : file.startsWith('renewal-org-sweep-') ? `${RECORDED_SWEEP_ID}/alpha` : RECORDED_ID;
      await Worker.runReplayHistory({ workflowBundle: { code }, replayName: file }, load(file), workflowId);
    });
  }

  it('fails the replay when the workflow changes incompatibly', async () => {
    const reordered = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/reordered-workflow'), logger: new DefaultLogger('ERROR') });
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: { code: reordered.code }, replayName: 'reordered' }, load(histories.find((file) => file.startsWith('rotate-'))!)),
      (error: unknown) => error instanceof DeterminismViolationError,
    );
  });
});
