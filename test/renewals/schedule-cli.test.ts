/**
 * `certrot schedule ...` against a real Temporal dev server (the time-skipping test
 * server has no Schedules): create with the defaults, describe, pause/unpause, trigger,
 * update, delete — through the same commander program the `certrot` binary runs (and its
 * `main`, for the exit code and the one-line error).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram, main } from '../../src/cli/main';
import { useTemporalEnv } from '../support/temporal';

const SCHEDULE = 'certrot-renewal-sweep-test';
const UPDATED = 'certrot-renewal-sweep-update-test';

describe('certrot schedule', () => {
  const env = useTemporalEnv('dev-server');

  async function certrotOn(id: string, ...args: string[]): Promise<string> {
    const printed: string[] = [];
    const log = console.log;
    console.log = (...parts: unknown[]) => void printed.push(parts.join(' '));
    try {
      await buildProgram().parseAsync(['node', 'certrot', ...args, '--address', env().address, '--id', id]);
    } finally {
      console.log = log;
    }
    return printed.join('\n');
  }

  const certrot = (...args: string[]): Promise<string> => certrotOn(SCHEDULE, ...args);

  /** The `certrot` binary's way: its exit code and what it printed on stderr. */
  async function certrotExit(id: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
    const printed: string[] = [];
    const error = console.error;
    console.error = (...parts: unknown[]) => void printed.push(parts.join(' '));
    try {
      const code = await main(['node', 'certrot', ...args, '--address', env().address, '--id', id]);
      return { code, stderr: printed.join('\n') };
    } finally {
      console.error = error;
    }
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

  it('updates only the settings given, prints before → after, and describe shows the new spec', { timeout: 60_000 }, async () => {
    await certrotOn(UPDATED, 'schedule', 'create', '--task-queue', 'no-worker-here', '--org', 'prod');
    try {
      const changed = await certrotOn(UPDATED, 'schedule', 'update', '--cron', '30 7 * * 1-5', '--time-zone', 'Europe/London', '--jitter', '10 minutes');
      assert.match(changed, /^updated schedule certrot-renewal-sweep-update-test:$/m);
      assert.match(changed, /^ {2}when: cron "0 6 \* \* \*" → cron "30 7 \* \* 1-5"$/m);
      assert.match(changed, /^ {2}time zone: UTC → Europe\/London$/m);
      assert.match(changed, /^ {2}jitter: none → 10m$/m);
      assert.doesNotMatch(changed, /task queue|orgs|catch-up|state/, 'what was not given is kept, and not listed');

      const described = JSON.parse(await certrotOn(UPDATED, 'schedule', 'describe', '--json')) as {
        action: { taskQueue: string; args: { orgs?: string[] }[] };
        policies: { overlap: string; catchupWindow: number };
        spec: { timezone?: string; jitter?: number; calendars?: { hour: { start: number }[]; minute: { start: number }[] }[] };
        state: { paused: boolean };
      };
      assert.equal(described.spec.timezone, 'Europe/London');
      assert.equal(described.spec.jitter, 600_000);
      assert.equal(described.spec.calendars?.[0]?.hour[0]?.start, 7);
      assert.equal(described.spec.calendars?.[0]?.minute[0]?.start, 30);
      assert.equal(described.action.taskQueue, 'no-worker-here');
      assert.deepEqual(described.action.args[0]?.orgs, ['prod']);
      assert.equal(described.policies.overlap, 'SKIP');
      assert.equal(described.policies.catchupWindow, 86_400_000);
      assert.equal(described.state.paused, false);
      assert.match(await certrotOn(UPDATED, 'schedule', 'describe'), /when: +cron "30 7 \* \* 1-5" \(Europe\/London\), jitter up to 10m/);

      const again = await certrotOn(UPDATED, 'schedule', 'update', '--every', '12 hours', '--all-orgs', '--paused', '--note', 'change freeze');
      assert.match(again, /^ {2}when: cron "30 7 \* \* 1-5" → every 12h$/m);
      assert.match(again, /^ {2}orgs: prod → every inventory org$/m);
      assert.match(again, /^ {2}state: active → paused$/m);
      assert.match(await certrotOn(UPDATED, 'schedule', 'describe'), /PAUSED — change freeze[\s\S]*when: +every 12h \(Europe\/London\)/);
      assert.match(await certrotOn(UPDATED, 'schedule', 'update', '--paused'), /already had these settings; nothing changed/);

      const refused = await certrotExit(UPDATED, 'schedule', 'update', '--cron', '61 * * * *');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /Temporal refused the new settings of schedule "certrot-renewal-sweep-update-test" .*; check --cron/);
    } finally {
      await certrotOn(UPDATED, 'schedule', 'delete');
    }
  });

  it('refuses to update a schedule that does not exist, naming the fix', { timeout: 60_000 }, async () => {
    const { code, stderr } = await certrotExit('certrot-no-such-schedule', 'schedule', 'update', '--cron', '0 7 * * *');
    assert.notEqual(code, 0);
    assert.match(stderr, /^certrot: no schedule "certrot-no-such-schedule"; create it with `certrot schedule create --id certrot-no-such-schedule`$/);
  });

  it('refuses an invalid option before asking Temporal, naming it', { timeout: 60_000 }, async () => {
    const cases: [string[], RegExp][] = [
      [['--time-zone', 'Mars/Olympus'], /--time-zone: "Mars\/Olympus" is not an IANA time zone/],
      [['--every', 'soon'], /--every: "soon" is not a duration/],
      [['--jitter', '5 fortnights'], /--jitter: "5 fortnights" is not a duration/],
      [['--catchup-window', 'forever'], /--catchup-window: "forever" is not a duration/],
      [['--cron', 'every morning'], /--cron: "every morning" is not a cron expression/],
      [['--cron', '0 7 * * *', '--every', '1 day'], /--cron and --every: give one of them/],
      [['--paused', '--unpaused'], /--paused and --unpaused: give one of them/],
      [[], /nothing to update: give at least one of --cron, --every, --time-zone/],
    ];
    for (const [options, message] of cases) {
      const { code, stderr } = await certrotExit('certrot-no-such-schedule', 'schedule', 'update', ...options);
      assert.equal(code, 1, options.join(' '));
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /no schedule/, 'options are checked before the schedule is looked up');
    }
  });
});
