import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideAbort,
  decideApprove,
  decideConfirmManualSteps,
  decideReject,
  decideReschedule,
  decideRollback,
  decideVendorApplied,
  MAX_RESCHEDULES,
  type Decision,
  type RotationView,
} from '../../src/domain/message-rules';
import type { Phase } from '../../src/domain/rotation';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const FP = Array(32).fill('AB').join(':');
const OTHER_FP = Array(32).fill('CD').join(':');
/** A window that has not closed yet (and opens soon). */
const FUTURE = { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' };
/** A window that closed before NOW. */
const PAST = { start: '2026-11-28T02:00:00Z', end: '2026-11-28T04:00:00Z' };

function view(overrides: Partial<RotationView> = {}): RotationView {
  return {
    phase: 'awaiting-approval',
    outcome: null,
    newSpkiFingerprint: FP,
    approvers: [],
    proposedWindow: null,
    windowMissed: false,
    vendorKind: 'team',
    vendorConfirmed: false,
    aborting: false,
    rollingBack: false,
    reschedules: 0,
    manualReferences: 0,
    manualStepsConfirmedBy: null,
    ...overrides,
  };
}

interface Row {
  readonly name: string;
  readonly view: RotationView;
  readonly payload: unknown;
  /** `true`: accepted; a RegExp: refused with a reason it matches. */
  readonly expected: true | RegExp;
}

function check<T>(decision: Decision<T>, expected: true | RegExp): void {
  if (expected === true) {
    assert.equal(decision.accept, true, decision.accept ? '' : `refused: ${decision.reason}`);
  } else {
    assert.equal(decision.accept, false, 'accepted, but a refusal was expected');
    if (!decision.accept) assert.match(decision.reason, expected);
  }
}

describe('decideApprove', () => {
  const approve = (extra: Record<string, unknown> = {}) => ({ approver: 'vendor-team', fingerprint: FP, ...extra });
  const cases: Row[] = [
    { name: 'awaiting approval, anyone may approve', view: view(), payload: approve(), expected: true },
    {
      name: 'fingerprint pasted in lower case without colons',
      view: view(),
      payload: approve({ fingerprint: 'ab'.repeat(32) }),
      expected: true,
    },
    {
      name: 'listed approver whose name differs in case and spacing',
      view: view({ approvers: ['Vendor-Team', 'ops'] }),
      payload: approve({ approver: '  VENDOR-team ' }),
      expected: true,
    },
    {
      name: 'unlisted approver',
      view: view({ approvers: ['vendor-team'] }),
      payload: approve({ approver: 'mallory' }),
      expected: /approver: "mallory" may not approve this rotation \(allowed: vendor-team\)/,
    },
    {
      name: 'wrong fingerprint',
      view: view(),
      payload: approve({ fingerprint: OTHER_FP }),
      expected: /fingerprint: CD:CD:CD:CD…CD:CD:CD:CD is not the new certificate's SPKI fingerprint AB:AB:AB:AB…AB:AB:AB:AB/,
    },
    {
      name: 'the new certificate does not exist yet',
      view: view({ newSpkiFingerprint: null }),
      payload: approve(),
      expected: /the new certificate does not exist yet/,
    },
    { name: 'not awaiting approval (sharing)', view: view({ phase: 'sharing' }), payload: approve(), expected: /not awaiting approval \(phase sharing\)/ },
    { name: 'not awaiting approval (applying)', view: view({ phase: 'applying' }), payload: approve(), expected: /not awaiting approval \(phase applying\)/ },
    {
      name: 'scheduled and the window not missed',
      view: view({ phase: 'scheduled' }),
      payload: approve(),
      expected: /not awaiting approval \(phase scheduled\)/,
    },
    {
      name: 'scheduled, window missed, approved with a new window',
      view: view({ phase: 'scheduled', windowMissed: true }),
      payload: approve({ window: FUTURE }),
      expected: true,
    },
    {
      name: 'window missed, approved without a window',
      view: view({ phase: 'scheduled', windowMissed: true }),
      payload: approve(),
      expected: /the agreed window closed before the switch; approve with a new window/,
    },
    {
      name: 'window missed, a rescheduled window still open',
      view: view({ phase: 'scheduled', windowMissed: true, proposedWindow: FUTURE }),
      payload: approve(),
      expected: true,
    },
    {
      name: 'fixed proposed window still open',
      view: view({ proposedWindow: FUTURE }),
      payload: approve(),
      expected: true,
    },
    {
      name: 'fixed proposed window has closed',
      view: view({ proposedWindow: PAST }),
      payload: approve(),
      expected: /window: the proposed window 2026-11-28T02:00:00Z → 2026-11-28T04:00:00Z has closed; approve with a new window/,
    },
    {
      name: 'fixed proposed window has closed, approved with a new window',
      view: view({ proposedWindow: PAST }),
      payload: approve({ window: FUTURE }),
      expected: true,
    },
    {
      name: 'approved with a window that has closed',
      view: view(),
      payload: approve({ window: PAST }),
      expected: /window: it ends at 2026-11-28T04:00:00.000Z, which is not in the future/,
    },
    {
      name: 'approved with a window more than 400 days ahead',
      view: view(),
      payload: approve({ window: { start: '2028-12-01T00:00:00Z', end: '2028-12-01T02:00:00Z' } }),
      expected: /starts more than 400 days from now/,
    },
    { name: 'being aborted', view: view({ aborting: true }), payload: approve(), expected: /the rotation is being aborted/ },
    {
      name: 'ended',
      view: view({ phase: 'completed', outcome: 'completed' }),
      payload: approve(),
      expected: /the rotation has ended \(completed\)/,
    },
    { name: 'payload without a fingerprint', view: view(), payload: { approver: 'x' }, expected: /fingerprint/ },
    { name: 'payload that is not an object', view: view(), payload: 'yes', expected: /approve: expected a JSON object/ },
  ];
  for (const c of cases) {
    it(c.name, () => check(decideApprove(c.view, c.payload, NOW), c.expected));
  }

  it('hands back the parsed message, fingerprint normalised', () => {
    const decision = decideApprove(view(), approve({ fingerprint: `sha256:${'ab'.repeat(32)}` }), NOW);
    assert.deepEqual(decision, { accept: true, value: { approver: 'vendor-team', fingerprint: FP } });
  });
});

describe('decideReject', () => {
  const reject = (extra: Record<string, unknown> = {}) => ({ approver: 'vendor-team', reason: 'key not installed', ...extra });
  const cases: Row[] = [
    { name: 'awaiting approval', view: view(), payload: reject(), expected: true },
    { name: 'window missed', view: view({ phase: 'scheduled', windowMissed: true }), payload: reject(), expected: true },
    {
      name: 'listed approver in another case',
      view: view({ approvers: ['Vendor-Team'] }),
      payload: reject({ approver: 'vendor-team' }),
      expected: true,
    },
    {
      name: 'unlisted approver',
      view: view({ approvers: ['vendor-team'] }),
      payload: reject({ approver: 'eve' }),
      expected: /approver: "eve" may not reject this rotation/,
    },
    { name: 'scheduled', view: view({ phase: 'scheduled' }), payload: reject(), expected: /not awaiting approval \(phase scheduled\); use abort instead/ },
    { name: 'grace period', view: view({ phase: 'grace-period' }), payload: reject(), expected: /not awaiting approval \(phase grace-period\)/ },
    { name: 'without a reason', view: view(), payload: { approver: 'a' }, expected: /reason/ },
    { name: 'with a blank reason', view: view(), payload: reject({ reason: '   ' }), expected: /reason: say why/ },
    { name: 'ended', view: view({ phase: 'failed', outcome: 'failed' }), payload: reject(), expected: /the rotation has ended \(failed\)/ },
  ];
  for (const c of cases) {
    it(c.name, () => check(decideReject(c.view, c.payload), c.expected));
  }
});

describe('decideReschedule', () => {
  const reschedule = (window: unknown = FUTURE) => ({ window });
  const cases: Row[] = [
    { name: 'awaiting approval', view: view(), payload: reschedule(), expected: true },
    { name: 'scheduled', view: view({ phase: 'scheduled' }), payload: reschedule(), expected: true },
    { name: 'one below the limit', view: view({ phase: 'scheduled', reschedules: MAX_RESCHEDULES - 1 }), payload: reschedule(), expected: true },
    {
      name: 'at the limit',
      view: view({ phase: 'scheduled', reschedules: MAX_RESCHEDULES }),
      payload: reschedule(),
      expected: new RegExp(`moved ${MAX_RESCHEDULES} times already; abort and start a new rotation`),
    },
    { name: 'window open (applying)', view: view({ phase: 'applying' }), payload: reschedule(), expected: /only before it opens \(phase applying\)/ },
    { name: 'grace period', view: view({ phase: 'grace-period' }), payload: reschedule(), expected: /only before it opens \(phase grace-period\)/ },
    { name: 'being aborted', view: view({ aborting: true }), payload: reschedule(), expected: /being aborted/ },
    { name: 'to a window that has closed', view: view(), payload: reschedule(PAST), expected: /not in the future/ },
    {
      name: 'to a window ending before it starts',
      view: view(),
      payload: reschedule({ start: FUTURE.end, end: FUTURE.start }),
      expected: /window: the window must end after it starts/,
    },
    { name: 'without a window', view: view(), payload: {}, expected: /window/ },
    {
      name: 'ended',
      view: view({ phase: 'rolled-back', outcome: 'rolled-back' }),
      payload: reschedule(),
      expected: /the rotation has ended \(rolled-back\)/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => check(decideReschedule(c.view, c.payload, NOW), c.expected));
  }
});

describe('decideVendorApplied', () => {
  const applied = (extra: Record<string, unknown> = {}) => ({ fingerprint: FP, by: 'vendor-team', ...extra });
  const cases: Row[] = [
    { name: 'scheduled', view: view({ phase: 'scheduled' }), payload: applied(), expected: true },
    { name: 'applying', view: view({ phase: 'applying' }), payload: applied(), expected: true },
    { name: 'without saying by whom', view: view({ phase: 'applying' }), payload: { fingerprint: FP }, expected: true },
    {
      name: 'a registry vendor',
      view: view({ phase: 'applying', vendorKind: 'registry' }),
      payload: applied(),
      expected: /this vendor is a key registry: certrot activates the key through its API/,
    },
    {
      name: 'before the window (awaiting approval)',
      view: view(),
      payload: applied(),
      expected: /expected only once the window opens \(phase awaiting-approval\)/,
    },
    { name: 'after the switch (verifying)', view: view({ phase: 'verifying' }), payload: applied(), expected: /phase verifying/ },
    {
      name: 'already confirmed',
      view: view({ phase: 'applying', vendorConfirmed: true }),
      payload: applied(),
      expected: /already confirmed the new key/,
    },
    {
      name: 'wrong fingerprint',
      view: view({ phase: 'applying' }),
      payload: applied({ fingerprint: OTHER_FP }),
      expected: /is not the new certificate's SPKI fingerprint/,
    },
    { name: 'ended', view: view({ phase: 'completed', outcome: 'completed' }), payload: applied(), expected: /has ended/ },
  ];
  for (const c of cases) {
    it(c.name, () => check(decideVendorApplied(c.view, c.payload), c.expected));
  }
});

describe('decideAbort', () => {
  const abort = { reason: 'wrong certificate', by: 'ops' };
  const early: Phase[] = ['backing-up', 'generating', 'sharing', 'awaiting-approval', 'scheduled', 'applying', 'verifying', 'grace-period'];
  const cases: Row[] = [
    ...early.map((phase): Row => ({ name: `in ${phase}`, view: view({ phase }), payload: abort, expected: true })),
    { name: 'in cleaning-up', view: view({ phase: 'cleaning-up' }), payload: abort, expected: /too late to abort in phase cleaning-up/ },
    { name: 'in compensating', view: view({ phase: 'compensating' }), payload: abort, expected: /too late to abort in phase compensating/ },
    { name: 'in failed without an outcome yet', view: view({ phase: 'failed' }), payload: abort, expected: /too late to abort in phase failed/ },
    { name: 'ended', view: view({ phase: 'completed', outcome: 'completed-with-manual-steps' }), payload: abort, expected: /has ended \(completed-with-manual-steps\)/ },
    { name: 'already aborting', view: view({ aborting: true }), payload: abort, expected: /already being stopped/ },
    { name: 'already rolling back', view: view({ phase: 'grace-period', rollingBack: true }), payload: abort, expected: /already being stopped/ },
    { name: 'without a reason', view: view(), payload: { by: 'ops' }, expected: /reason/ },
  ];
  for (const c of cases) {
    it(c.name, () => check(decideAbort(c.view, c.payload), c.expected));
  }
});

describe('decideRollback', () => {
  const rollback = { reason: 'integration errors', by: 'ops' };
  const cases: Row[] = [
    { name: 'in the grace period', view: view({ phase: 'grace-period' }), payload: rollback, expected: true },
    ...(['awaiting-approval', 'scheduled', 'applying', 'verifying', 'cleaning-up', 'compensating'] as Phase[]).map(
      (phase): Row => ({
        name: `in ${phase}`,
        view: view({ phase }),
        payload: rollback,
        expected: new RegExp(`possible only during the grace period \\(phase ${phase}\\)`),
      }),
    ),
    { name: 'already rolling back', view: view({ phase: 'grace-period', rollingBack: true }), payload: rollback, expected: /already rolling back/ },
    { name: 'ended', view: view({ phase: 'completed', outcome: 'completed' }), payload: rollback, expected: /has ended \(completed\)/ },
    { name: 'reason too long', view: view({ phase: 'grace-period' }), payload: { reason: 'x'.repeat(2_001) }, expected: /reason: at most 2000 characters/ },
  ];
  for (const c of cases) {
    it(c.name, () => check(decideRollback(c.view, c.payload), c.expected));
  }
});

describe('an ended rotation refuses everything, saying it has ended', () => {
  const valid: [string, (v: RotationView) => Decision<unknown>][] = [
    ['approve', (v) => decideApprove(v, { approver: 'a', fingerprint: FP, window: FUTURE }, NOW)],
    ['reject', (v) => decideReject(v, { approver: 'a', reason: 'r' })],
    ['reschedule', (v) => decideReschedule(v, { window: FUTURE }, NOW)],
    ['vendorApplied', (v) => decideVendorApplied(v, { fingerprint: FP })],
    ['abort', (v) => decideAbort(v, { reason: 'r' })],
    ['rollback', (v) => decideRollback(v, { reason: 'r' })],
  ];
  // Phases in which each message would be accepted, had the rotation not ended.
  const acceptingPhase: Record<string, Phase> = {
    approve: 'awaiting-approval',
    reject: 'awaiting-approval',
    reschedule: 'scheduled',
    vendorApplied: 'applying',
    abort: 'applying',
    rollback: 'grace-period',
  };
  for (const outcome of ['completed', 'completed-with-manual-steps', 'rolled-back', 'failed'] as const) {
    for (const [message, decide] of valid) {
      it(`${message} after the outcome ${outcome}`, () => {
        const phase = acceptingPhase[message] ?? 'applying';
        check(decide(view({ phase })), true);
        check(decide(view({ phase, outcome })), new RegExp(`^the rotation has ended \\(${outcome}\\)$`));
      });
    }
  }
});

describe('confirmManualSteps: an operator says the acknowledged manual references were switched', () => {
  const ok = { by: 'ops', note: 'deployed the Apex change' };
  const reasonOf = (d: Decision<unknown>): string => (d.accept ? '' : d.reason);

  it('is accepted while there are unconfirmed manual references, in any phase before the end except a rollback', () => {
    for (const phase of ['scheduled', 'applying', 'verifying', 'grace-period', 'cleaning-up'] as Phase[]) {
      assert.equal(decideConfirmManualSteps(view({ phase, manualReferences: 2 }), ok).accept, true, phase);
    }
  });

  it('is refused, with the reason, when there is nothing to confirm, it was confirmed, the rotation rolls back or ended', () => {
    assert.match(reasonOf(decideConfirmManualSteps(view({ phase: 'cleaning-up' }), ok)), /no manual steps to confirm/);
    assert.match(reasonOf(decideConfirmManualSteps(view({ phase: 'cleaning-up', manualReferences: 1, manualStepsConfirmedBy: 'alice' }), ok)), /already confirmed by alice/);
    assert.match(reasonOf(decideConfirmManualSteps(view({ phase: 'compensating', manualReferences: 1 }), ok)), /rolling back/);
    assert.match(reasonOf(decideConfirmManualSteps(view({ phase: 'completed', outcome: 'completed', manualReferences: 1 }), ok)), /has ended/);
  });

  it('names the field when the payload is wrong', () => {
    assert.match(reasonOf(decideConfirmManualSteps(view({ manualReferences: 1 }), { note: 'x' })), /^by: /);
    assert.match(reasonOf(decideConfirmManualSteps(view({ manualReferences: 1 }), { by: 'x'.repeat(201) })), /^by: at most 200/);
    assert.match(reasonOf(decideConfirmManualSteps(view({ manualReferences: 1 }), { by: 'ops', extra: 1 })), /Unrecognized key|unrecognized/i);
  });
});

describe('approval routes in the rules', () => {
  const link = { linkId: 'bGluay0x', sentTo: 'provisioning@acme.test', proof: 'cHJvb2Y' };
  const rows: Row[] = [
    { name: 'an approval with a well-formed link parses (the proof is checked by the worker)', view: view(), payload: { approver: 'ann', fingerprint: FP, link }, expected: true },
    { name: 'a rejection with a well-formed link parses', view: view(), payload: { approver: 'ann', reason: 'no', link }, expected: true },
    { name: 'link.linkId must be base64url', view: view(), payload: { approver: 'ann', fingerprint: FP, link: { ...link, linkId: 'a b' } }, expected: /^link\.linkId: base64url/ },
    { name: 'link.linkId is bounded', view: view(), payload: { approver: 'ann', fingerprint: FP, link: { ...link, linkId: 'a'.repeat(65) } }, expected: /^link\.linkId: at most 64/ },
    { name: 'link.sentTo is bounded', view: view(), payload: { approver: 'ann', fingerprint: FP, link: { ...link, sentTo: 'a'.repeat(321) } }, expected: /^link\.sentTo: at most 320/ },
    { name: 'link.proof is bounded', view: view(), payload: { approver: 'ann', fingerprint: FP, link: { ...link, proof: 'a'.repeat(101) } }, expected: /^link\.proof: at most 100/ },
    { name: 'link.proof must be base64url', view: view(), payload: { approver: 'ann', fingerprint: FP, link: { ...link, proof: 'a+b/c=' } }, expected: /^link\.proof: base64url/ },
    { name: 'link is strict', view: view(), payload: { approver: 'ann', fingerprint: FP, link: { ...link, token: 'x' } }, expected: /^link: /},
    { name: 'link must be an object', view: view(), payload: { approver: 'ann', fingerprint: FP, link: 'forged' }, expected: /^link: / },
    { name: 'link fields are required', view: view(), payload: { approver: 'ann', reason: 'r', link: {} }, expected: /^link\.linkId: / },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const payload = row.payload as { fingerprint?: string };
      if (payload.fingerprint !== undefined) check(decideApprove(row.view, row.payload, NOW), row.expected);
      else check(decideReject(row.view, row.payload), row.expected);
    });
  }

  it('an automatic decision counts only in its own mode, and the approvers list (people) does not apply to it', () => {
    const people = view({ approvers: ['alice'] });
    const registry = view({ approvers: ['alice'], approvalMode: 'registry' });
    check(decideApprove(registry, { approver: 'vendor acme', fingerprint: FP }, NOW, 'registry'), true);
    check(decideReject(registry, { approver: 'vendor acme', reason: 'not installed' }, 'registry'), true);
    check(decideApprove(people, { approver: 'vendor acme', fingerprint: FP }, NOW, 'registry'), /approval\.mode is "manual": a registry decision does not count/);
    check(decideApprove(registry, { approver: 'vendor acme', fingerprint: FP }, NOW, 'continuity'), /approval\.mode is "registry": a continuity decision/);
    // A person still decides in any mode, under the approvers list.
    check(decideApprove(registry, { approver: 'alice', fingerprint: FP }, NOW), true);
    check(decideApprove(registry, { approver: 'vendor acme', fingerprint: FP }, NOW), /may not approve/);
  });

  it('an automatic approval still needs the new key and an open window', () => {
    const continuity = view({ approvalMode: 'continuity' });
    check(decideApprove(continuity, { approver: 'vendor acme', fingerprint: OTHER_FP }, NOW, 'continuity'), /is not the new certificate's SPKI fingerprint/);
    check(decideApprove(continuity, { approver: 'vendor acme', fingerprint: FP, window: PAST }, NOW, 'continuity'), /not in the future/);
    check(decideApprove(view({ approvalMode: 'continuity', phase: 'sharing' }), { approver: 'vendor acme', fingerprint: FP }, NOW, 'continuity'), /not awaiting approval/);
    check(decideApprove(continuity, { approver: 'vendor acme', fingerprint: FP, window: FUTURE }, NOW, 'continuity'), true);
  });
});
