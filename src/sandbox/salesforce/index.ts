/** The sandbox Salesforce org: a local server speaking the wire protocols jsforce uses. */
export { createSandboxOrg } from './server';
export type { RunningSandboxOrg, SandboxOrg, SandboxOrgOptions, SandboxOrgSecrets } from './server';
export { loadFixtureFile, parseFixture, sandboxFixtureSchema } from './fixture-schema';
export type { SandboxFixture, SandboxFixtureInput } from './fixture-schema';
export type { FaultRule, FaultKind } from './faults';
