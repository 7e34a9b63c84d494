/**
 * In-memory fakes of the org and vendor ports for activity tests: each records what it was
 * asked and implements only what a test configures.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Info } from '@temporalio/activity';
import { createActivities } from '../../src/activities/rotation-activities';
import type { RotationActivities } from '../../src/domain/activity-contract';
import type { CertificateDetails } from '../../src/domain/certificate';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import type { KeyRegistry, ProvisioningTeam, TeamNotice, Vendor, VendorKey } from '../../src/vendors/vendor-port';

/** A mock activity environment that logs only errors (failed activities are expected here). */
export function mockEnv(info?: Partial<Info>): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

export const RUN = { workflowId: 'wf-rotate', runId: 'run-7' } as const;

export function certificate(overrides: Partial<CertificateDetails> & { uniqueName: string }): CertificateDetails {
  return {
    label: overrides.uniqueName,
    keySize: 2048,
    caSigned: false,
    usable: true,
    privateKeyExportable: false,
    expiresAt: '2030-01-01T00:00:00.000Z',
    certificatePem: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
    csrPem: null,
    fingerprintSha256: Array(32).fill('AA').join(':'),
    spkiFingerprintSha256: Array(32).fill('CC').join(':'),
    createdAt: '2025-06-01T10:00:00.000Z',
    ...overrides,
  };
}

/** A partial org: only the methods a test gives exist (calling another one fails the test). */
export function fakeOrg(methods: Partial<SalesforceOrg>): SalesforceOrg {
  // The activity under test calls only the methods listed; the rest of the port is not needed.
  return methods as SalesforceOrg;
}

/** The activities as plain function properties (the contract declares them as methods). */
export type ActivityFunctions = {
  readonly [K in keyof RotationActivities]: (input: Parameters<RotationActivities[K]>[0]) => ReturnType<RotationActivities[K]>;
};

/** `env.run` with the activity's result type kept (its own signature infers `unknown`). */
export function run<P extends unknown[], R>(env: MockActivityEnvironment, fn: (...args: P) => Promise<R>, ...args: P): Promise<R> {
  return env.run<P, R, (...args: P) => Promise<R>>(fn, ...args);
}

export function activitiesWith(
  org: SalesforceOrg,
  vendors: Record<string, Vendor> = {},
  extra: { nonce?: () => string; clock?: () => Date } = {},
): ActivityFunctions {
  return createActivities({
    orgs: new Map([['prod', { org, vendorOrgId: 'v-org' }]]),
    vendors: new Map(Object.entries(vendors)),
    ...extra,
  });
}

export interface Call {
  method: string;
  args: unknown[];
}

/** A key registry holding `keys`, recording every call. */
export function fakeRegistry(options: {
  multipleActiveKeys: boolean;
  keys?: VendorKey[];
  stagedFingerprint?: string;
  verification?: { valid: boolean; matchedFingerprint: string | null };
}): KeyRegistry & { calls: Call[] } {
  const calls: Call[] = [];
  const record = (method: string, args: unknown[]): void => {
    calls.push({ method, args });
  };
  return {
    kind: 'registry',
    name: 'acme-registry',
    calls,
    capabilities(...args) {
      record('capabilities', args);
      return Promise.resolve({ multipleActiveKeys: options.multipleActiveKeys });
    },
    listKeys(...args) {
      record('listKeys', args);
      return Promise.resolve(options.keys ?? []);
    },
    stageKey(...args) {
      record('stageKey', args);
      return Promise.resolve(options.stagedFingerprint ?? '');
    },
    activateKey(...args) {
      record('activateKey', args);
      return Promise.resolve();
    },
    retireKey(...args) {
      record('retireKey', args);
      return Promise.resolve();
    },
    restoreKey(...args) {
      record('restoreKey', args);
      return Promise.resolve();
    },
    verifySignature(...args) {
      record('verifySignature', args);
      return Promise.resolve(options.verification ?? { valid: false, matchedFingerprint: null });
    },
    approvalState(...args) {
      record('approvalState', args);
      return Promise.resolve({ state: 'pending' });
    },
    submitContinuity(...args) {
      record('submitContinuity', args);
      return Promise.resolve({ verified: false, problem: 'fake registry', approval: 'pending', window: null, policy: null });
    },
  };
}

/** A provisioning team that only records notices (it has no way to verify anything). */
export function fakeTeam(multipleActiveKeys: boolean): ProvisioningTeam & { notices: TeamNotice[] } {
  const notices: TeamNotice[] = [];
  return {
    kind: 'team',
    name: 'acme-team',
    multipleActiveKeys,
    notices,
    notify(notice) {
      notices.push(notice);
      return Promise.resolve([`email to keys@acme.example (${notice.kind})`]);
    },
    close() {},
  };
}

export function vendorKey(fingerprint: string, state: VendorKey['state']): VendorKey {
  return { fingerprint, state, stagedAt: '2025-06-01T00:00:00.000Z' };
}

/** For assert.rejects: the error is an ApplicationFailure of `type` (throws a clear message otherwise). */
export function isFailureOfType(type: string): (error: unknown) => boolean {
  return (error: unknown) => {
    if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
    if (error.type !== type) throw new Error(`expected failure type ${type}, got ${error.type ?? 'none'}: ${error.message}`);
    return true;
  };
}
