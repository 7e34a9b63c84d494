export { SandboxVendor, startSandboxVendor } from './sandbox-vendor';
export type { AppliedWrite, SandboxVendorHandle, SandboxVendorOptions, SandboxVendorState } from './sandbox-vendor';
export { FaultInjector, faultRuleSchema, SANDBOX_OPERATIONS } from './fault-injector';
export type { FaultRule, SandboxOperation } from './fault-injector';
export { loadSandboxVendorFixture, parseSandboxVendorFixture, sandboxVendorFixtureSchema } from './fixture';
export type { FixtureOrg, SandboxVendorFixture } from './fixture';
export type { OrgMode } from './sandbox-key-registry';
