// The workflows this worker runs (the bundle's entry point).
export { rotateCertificate } from './rotate-certificate';
export { certificateLock } from './certificate-lock';
export { renewalSweep } from './renewal-sweep';
export { renewalOrgSweep } from './renewal-org-sweep';
