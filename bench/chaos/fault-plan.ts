/**
 * R2's injected faults, set through the sandboxes' own fault endpoints (`POST
 * /__sandbox/faults` on both): on the org, HTTP 503 before ~5% of calls and after ~5% (the
 * change took effect, the answer was lost: src/sandbox/salesforce/faults.ts `after`); on
 * the vendor, 503 before-apply and after-apply at ~5% each
 * (src/sandbox/vendor/fault-injector.ts). The sandboxes draw at most one failure per call,
 * so about 10% of calls fail on each side.
 *
 * The counts come from the sandboxes' own injectors: `countFaults` observes each draw.
 */
import type { FaultRule as OrgFaultRule } from '../../src/sandbox/salesforce/faults';
import type { FaultRule as VendorFaultRule } from '../../src/sandbox/vendor/fault-injector';
import type { ChaosWorld } from './chaos-world';

export interface FaultCounts {
  salesforceBefore: number;
  salesforceAfter: number;
  vendorBefore: number;
  vendorAfter: number;
}

const ORG_FAULTS: OrgFaultRule[] = [
  { operation: '*', kind: 'http-503', fraction: 0.05 },
  { operation: '*', kind: 'http-503', fraction: 0.05, after: true },
];
const VENDOR_FAULTS: VendorFaultRule[] = [
  { operation: '*', status: 503, when: 'before-apply', probability: 0.05 },
  { operation: '*', status: 503, when: 'after-apply', probability: 0.05 },
];

async function send(url: string, method: 'POST' | 'DELETE', body?: unknown): Promise<void> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${await response.text()}`);
}

export async function faultsOn(world: ChaosWorld): Promise<void> {
  await send(`${world.sandbox.org.url}/__sandbox/faults`, 'POST', { faults: ORG_FAULTS, replace: true });
  await send(`${world.sandbox.vendor.url}/__sandbox/faults`, 'DELETE');
  await send(`${world.sandbox.vendor.url}/__sandbox/faults`, 'POST', VENDOR_FAULTS);
}

export async function faultsOff(world: ChaosWorld): Promise<void> {
  await send(`${world.sandbox.org.url}/__sandbox/faults`, 'DELETE');
  await send(`${world.sandbox.vendor.url}/__sandbox/faults`, 'DELETE');
}

/** Counts the failures both sandboxes' injectors hand out from now on. */
export function countFaults(world: ChaosWorld): { counts: FaultCounts } {
  const counts: FaultCounts = { salesforceBefore: 0, salesforceAfter: 0, vendorBefore: 0, vendorAfter: 0 };
  const org = world.sandbox.org.faults;
  const drawOrg = org.draw.bind(org);
  org.draw = (operation) => {
    const hits = drawOrg(operation);
    for (const hit of hits) {
      if (hit.kind === 'latency') continue;
      if (hit.after) counts.salesforceAfter += 1;
      else counts.salesforceBefore += 1;
    }
    return hits;
  };
  const vendor = world.sandbox.vendor.vendor.faults;
  const drawVendor = vendor.draw.bind(vendor);
  vendor.draw = (operation) => {
    const drawn = drawVendor(operation);
    if (drawn.failure?.when === 'after-apply') counts.vendorAfter += 1;
    else if (drawn.failure) counts.vendorBefore += 1;
    return drawn;
  };
  return { counts };
}
