/**
 * The fan-out on its own, with channels that only record: every channel is tried, what was
 * delivered is not asked again, a cancelled activity stops at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRotationError, RotationError } from '../../src/domain/errors';
import { NotificationFanOut, undeliveredError, type Notification, type NotificationChannel } from '../../src/notifications';
import { runInCallContext } from '../../src/runtime/call-context';
import { rejectionOf } from '../vendors/vendor-test-kit';

const NOTE: Notification = { noticeId: 'n-1', subject: 'Subject', text: 'Text', attachments: [] };

class RecordingChannel implements NotificationChannel {
  readonly received: string[] = [];
  closed = 0;
  constructor(
    private readonly name: string,
    public failWith: Error | null = null,
  ) {}
  describe(): string {
    return this.name;
  }
  deliver(notification: Notification): Promise<void> {
    if (this.failWith !== null) return Promise.reject(this.failWith);
    this.received.push(notification.noticeId);
    return Promise.resolve();
  }
  close(): void {
    this.closed += 1;
  }
}

describe('notification fan-out', () => {
  it('a failing channel does not stop the next; a retry asks only the one that failed', async () => {
    const first = new RecordingChannel('first', new RotationError('NOTIFICATION_FAILED', 'first is down.', { retryable: true }));
    const second = new RecordingChannel('second');
    const fanOut = new NotificationFanOut([first, second]);
    assert.equal(fanOut.describe(), 'first and second');

    const outcome = await fanOut.deliver(NOTE);
    assert.deepEqual(outcome.sent, ['second']);
    assert.equal(outcome.failures.length, 1);
    const error = undeliveredError('The note', outcome, { what: 'note' });
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'));
    assert.equal(error.message, 'The note was not delivered: first is down. (already delivered by second; that is not repeated on retry)');
    assert.equal(error.retryable, true);
    assert.deepEqual(error.details, { what: 'note', delivered: 'second' });

    first.failWith = null;
    const retry = await fanOut.deliver(NOTE);
    assert.deepEqual(retry.sent, ['first', 'second'], 'in channel order');
    assert.equal(undeliveredError('The note', retry), null);
    assert.deepEqual([first.received, second.received], [['n-1'], ['n-1']]);

    await fanOut.deliver({ ...NOTE, noticeId: 'n-2' });
    assert.deepEqual(second.received, ['n-1', 'n-2'], 'another notification is delivered anew');
    fanOut.close();
    assert.deepEqual([first.closed, second.closed], [1, 1]);
  });

  it('a foreign error becomes a retryable NOTIFICATION_FAILED naming only the channel; one non-retryable failure makes it final', async () => {
    const outcome = await new NotificationFanOut([new RecordingChannel('odd', new Error('socket said s3cret')), new RecordingChannel('strict', new RotationError('NOTIFICATION_FAILED', 'bad token.', { retryable: false }))]).deliver(NOTE);
    assert.equal(outcome.failures[0]?.message, 'Could not send the notice by odd.');
    assert.equal(outcome.failures[0]?.retryable, true);
    assert.equal(undeliveredError('The note', outcome)?.retryable, false);
  });

  it('a personal notification: each recipient gets their own copy, and a retry repeats only the recipients that failed', async () => {
    const copies: Array<{ recipient: string | undefined; text: string; secrets: readonly string[] }> = [];
    const refuse = new Set(['b@x']);
    const channel: NotificationChannel = {
      describe: () => 'mail',
      recipients: () => ['a@x', 'b@x'],
      deliver: (notification, recipient) => {
        if (recipient !== undefined && refuse.has(recipient)) return Promise.reject(new RotationError('NOTIFICATION_FAILED', `${recipient} is full.`, { retryable: true }));
        copies.push({ recipient, text: notification.text, secrets: notification.secrets ?? [] });
        return Promise.resolve();
      },
      close: () => undefined,
    };
    const plain = new RecordingChannel('plain');
    const fanOut = new NotificationFanOut([channel, plain]);
    const personal: Notification = { ...NOTE, personalize: (recipient) => ({ text: `Text for ${recipient}`, secrets: [`link-${recipient}`] }) };

    const outcome = await fanOut.deliver(personal);
    assert.deepEqual(outcome.sent, ['plain'], 'mail is not complete while b@x lacks it');
    assert.equal(outcome.failures[0]?.message, 'b@x is full.');
    assert.deepEqual(copies, [{ recipient: 'a@x', text: 'Text for a@x', secrets: ['link-a@x'] }]);
    assert.deepEqual(plain.received, ['n-1'], 'a channel without recipients gets the notification once');

    refuse.clear();
    const retry = await fanOut.deliver(personal);
    assert.deepEqual(retry.sent, ['mail', 'plain']);
    assert.deepEqual(copies.map((c) => c.recipient), ['a@x', 'b@x'], 'a@x is not sent again');
    assert.deepEqual(plain.received, ['n-1']);
  });

  it('stops when the activity is cancelled, with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const later = new RecordingChannel('later');
    const fanOut = new NotificationFanOut([new RecordingChannel('first', new Error('aborted')), later]);
    controller.abort(reason);
    const error = await rejectionOf(runInCallContext({ signal: controller.signal, heartbeat: () => undefined }, () => fanOut.deliver(NOTE)));
    assert.equal(error, reason);
    assert.deepEqual(later.received, [], 'nothing more is sent');
  });
});
