import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSwitchAbandoned, WriteBarrier } from '../../src/salesforce/write-barrier';

describe('WriteBarrier: the switch instant of an at-once switch', () => {
  it('releases once, after the last participant has read, and lets every write start together', async () => {
    const order: string[] = [];
    const barrier = new WriteBarrier(2, () => order.push('instant'));
    const records = barrier.ticket();
    const credential = barrier.ticket();
    const first = records.arrive().then(() => order.push('records write'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(order.length, 0, 'nobody writes before every participant has read');
    const second = credential.arrive().then(() => order.push('credential write'));
    await Promise.all([first, second]);
    assert.deepEqual(order, ['instant', 'records write', 'credential write']);
    await records.arrive(); // a retried call arrives again at once
    assert.equal(order.filter((o) => o === 'instant').length, 1);
  });

  it('a participant with nothing to write does not hold the others', async () => {
    let released = 0;
    const barrier = new WriteBarrier(2, () => (released += 1));
    const done = barrier.ticket();
    const writer = barrier.ticket();
    done.leave();
    await writer.arrive();
    assert.equal(released, 1);
  });

  it('a participant that fails before writing stops every write and the instant is never heard', async () => {
    let released = 0;
    const barrier = new WriteBarrier(2, () => (released += 1));
    const writer = barrier.ticket();
    const waiting = writer.arrive();
    barrier.ticket().fail();
    await assert.rejects(waiting, (error: unknown) => isSwitchAbandoned(error));
    assert.equal(released, 0);
  });

  it('no participant: the instant is at once', () => {
    let released = 0;
    new WriteBarrier(0, () => (released += 1)).ticket();
    assert.equal(released, 1);
  });
});
