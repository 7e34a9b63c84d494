/**
 * certificateLock: a child workflow that exists only to hold a workflow id. The rotation
 * starts it as `certificate-lock/<Salesforce org id>/<unique name>` before any side effect;
 * Temporal refuses a second running workflow with that id, so two rotations of one
 * certificate cannot run at once even when started under two org aliases that point at the
 * same org. The rotation releases it (a signal) as it ends; the parent close policy
 * TERMINATE is the backstop when the rotation itself is terminated.
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const releaseLockSignal = defineSignal('release');

export async function certificateLock(_holder: string): Promise<void> {
  let released = false;
  setHandler(releaseLockSignal, () => {
    released = true;
  });
  await condition(() => released);
}
