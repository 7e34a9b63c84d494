/** A decision to stop the runbook and roll back (rejection, timeout, failed check, abort, refusal). */
export class RotationStopped extends Error {}
