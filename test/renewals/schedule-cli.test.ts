/**
 * `certrot schedule ...` against a real Temporal dev server (the time-skipping test
 * server has no Schedules): create with the defaults, describe, pause/unpause, trigger,
 * delete — through the same commander program the `certrot` binary runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/main';
import { useTemporalEnv } from '../support/temporal';

const SCHEDULE = 'certrot-renewal-sweep-test';

describe('certrot schedule', () => {
  const env = useTemporalEnv('dev-server');

  async function certrot(...args: string[]): Promise<string> {
    const printed: string[] = [];
    const log = console.log;
    console.log = (...parts: unknown[]) => void printed.push(parts.join(' '));
    try {
      await buildProgram().parseAsync(['node', 'certrot', ...args, '--address', env().address, '--id', SCHEDULE]);
    } finally {
      console.log = log;
    }
    return printed.join('\n');
  }

  it('creates the daily sweep schedule, pauses, unpauses, triggers and deletes it', { timeout: 60_000 }, async () => {
    assert.match(await certrot('schedule', 'create', '--task-queue', 'no-worker-here'), /created schedule .*cron "0 6 \* \* \*" UTC, overlap SKIP, catch-up 1 day/);
    await assert.rejects(certrot('schedule', 'create'), /already exists/);

    const described = JSON.parse(await certrot('schedule', 'describe', '--json')) as {
      action: { workflowType: string; taskQueue: string };
      policies: { overlap: string; catchupWindow: number };
      spec: { calendars?: { hour: unknown[]; minute: unknown[] }[] };
      state: { paused: boolean };
      info: { nextActionTimes: string[] };
    };
    assert.equal(described.action.workflowType, 'renewalSweep');
    assert.equal(described.action.taskQueue, 'no-worker-here');
    assert.equal(described.policies.overlap, 'SKIP');
    assert.equal(described.policies.catchupWindow, 86_400_000);
    assert.equal(described.state.paused, false);
    for (const next of described.info.nextActionTimes) assert.match(next, /T06:00:00/);

    await certrot('schedule', 'pause', '--note', 'change freeze');
    assert.match(await certrot('schedule', 'describe'), /PAUSED — change freeze/);
    await certrot('schedule', 'unpause');
    assert.match(await certrot('schedule', 'describe'), /: active/);

    await certrot('schedule', 'trigger');
    let text = '';
    for (let i = 0; i < 50 && !/running now: +certrot-renewal-sweep-test/.test(text); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      text = await certrot('schedule', 'describe');
    }
    assert.match(text, /running now: +certrot-renewal-sweep-test-/, text);

    assert.match(await certrot('schedule', 'delete'), /deleted/);
    await assert.rejects(certrot('schedule', 'describe'), /no schedule "certrot-renewal-sweep-test"; create it with `certrot schedule create --id certrot-renewal-sweep-test`/);
  });
});
