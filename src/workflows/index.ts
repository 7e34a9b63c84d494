// The workflows this worker runs (the bundle's entry point).
export { rotateCertificate } from './rotate-certificate';
export { renewalSweep } from './renewal-sweep';
