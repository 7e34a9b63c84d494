/**
 * The benchmark's figures and goal checks (bench/lib/stats.ts, goals.ts, report.ts,
 * sandbox-logs.ts): pure arithmetic on given numbers. No benchmark runs here and nothing is
 * timed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeEnough, flatCost } from '../../bench/lib/goals';
import { goalWord, renderReport, renderTable, type BenchTable } from '../../bench/lib/report';
import { flipWindow } from '../../bench/lib/sandbox-logs';
import { allMet, formatSpread, meetsAtLeast, meetsAtMost, pairedRatios, span, spread } from '../../bench/lib/stats';

describe('bench stats', () => {
  it('gives min, median and max, the median of an even count being the mean of the middle two', () => {
    assert.deepEqual(spread([5, 1, 3]), { n: 3, min: 1, median: 3, max: 5 });
    assert.deepEqual(spread([4, 1, 3, 2]), { n: 4, min: 1, median: 2.5, max: 4 });
    assert.deepEqual(spread([7]), { n: 1, min: 7, median: 7, max: 7 });
    assert.equal(spread([]), null);
    assert.deepEqual(spread([2, Number.NaN, 4]), { n: 2, min: 2, median: 3, max: 4 }, 'a figure that could not be computed is left out');
  });

  it('writes a spread as min / median / max, one value when they agree', () => {
    assert.equal(formatSpread(spread([1, 2, 1234])), '1 / 2 / 1,234');
    assert.equal(formatSpread(spread([0.5, 0.25]), 2, 's'), '0.25 / 0.38 / 0.50 s');
    assert.equal(formatSpread(spread([3, 3])), '3');
    assert.equal(formatSpread(spread([0.3, 0.5]), 1, '×'), '0.3 / 0.4 / 0.5×');
    assert.equal(formatSpread(null), '-');
  });

  it('checks goals over every repetition, undecided when nothing was measured', () => {
    assert.equal(meetsAtMost([0, 0, 0], 0), true);
    assert.equal(meetsAtMost([0, 1, 0], 0), false);
    assert.equal(meetsAtLeast([1000, 1500], 1000), true);
    assert.equal(meetsAtLeast([999, 1500], 1000), false);
    assert.equal(meetsAtMost([], 0), null);
    assert.equal(allMet([true, null, true]), true);
    assert.equal(allMet([true, false, null]), false);
    assert.equal(allMet([null, null]), null);
    assert.equal(goalWord(true), 'met');
    assert.equal(goalWord(false), 'NOT met');
    assert.equal(goalWord(null), 'not decided');
  });

  it('takes ratios pair by pair within a repetition, and spans of instants', () => {
    assert.deepEqual(pairedRatios([2, 3], [4, 6, 8]), [0.5, 0.5]);
    assert.ok(Number.isNaN(pairedRatios([1], [0])[0]!));
    assert.equal(span([30, 10, 20]), 20);
    assert.equal(span([]), null);
  });

  it('calls a reported window close within 10% or 20 ms, and a cost flat within 1.25×', () => {
    assert.equal(closeEnough(110, 100), true);
    assert.equal(closeEnough(125, 100), false);
    assert.equal(closeEnough(30, 15), true, '20 ms is always close');
    assert.equal(flatCost([{ size: 100, value: 1.2 }, { size: 20, value: 1 }]), true);
    assert.equal(flatCost([{ size: 20, value: 1 }, { size: 100, value: 1.3 }]), false);
    assert.equal(flatCost([{ size: 20, value: 1 }]), null);
  });

  it('measures the failure window from the first flip on either side to the last', () => {
    const switches = [
      { at: '2026-12-01T00:00:00.100Z', object: 'A__c', recordId: 'a1', field: 'F__c', from: 'Old', to: 'New' },
      { at: '2026-12-01T00:00:00.400Z', object: 'NamedCredential', recordId: 'nc', field: 'certificate', from: 'Old', to: 'New' },
      { at: '2026-12-01T00:00:09.000Z', object: 'A__c', recordId: 'a1', field: 'F__c', from: 'x', to: 'y' },
    ];
    const activations = [
      { at: '2026-12-01T00:00:00.150Z', orgId: 'vendor-org', fingerprint: 'AB:CD', replacing: 'EF', action: 'activated' },
      { at: '2026-12-01T00:00:05.000Z', orgId: 'other-org', fingerprint: 'AB:CD', replacing: null, action: 'activated' },
    ];
    const flips = flipWindow(switches, activations, 'New', 'ab:cd', 'vendor-org');
    assert.deepEqual(flips, { windowMs: 300, orgFlips: 2, vendorFlips: 1, orgLeadMs: -50 });
    assert.equal(flipWindow([], [], 'New', 'ab:cd', 'vendor-org').windowMs, null);
  });

  it('renders a table with its goal and verdict, and a report naming the commit and machine', () => {
    const table: BenchTable = { id: 'p1', title: 'overlap | traffic', goal: '0 failed', met: true, header: ['a', 'b'], rows: [['1', '2']], notes: ['a note'] };
    const text = renderTable(table);
    assert.match(text, /### P1 — overlap \| traffic/);
    assert.match(text, /Goal: 0 failed — \*\*met\*\*/);
    assert.match(text, /\| 1 \| 2 \|/);
    const report = renderReport(
      { commit: 'abc1234 (dirty)', date: '2026-12-02T00:00:00.000Z', machine: { cpus: 2, model: 'Test CPU', memoryGiB: 4, node: 'v20.0.0', loadAverage: [1, 2, 3] }, quick: true, repetitions: 1, command: 'npm run bench -- --quick' },
      [table],
    );
    assert.match(report, /commit measured: abc1234 \(dirty\)/);
    assert.match(report, /2 CPU\(s\) Test CPU, 4 GiB memory, node v20\.0\.0, load average at start 1 \/ 2 \/ 3/);
    assert.match(report, /\*\*quick\*\* pass/);
    assert.match(report, /## How to reproduce/);
  });
});
