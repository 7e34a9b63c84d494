/**
 * certificateLock: a child workflow that exists only to hold a workflow id. The rotation
 * starts it as `certificate-lock/<Salesforce org id>/<unique name>` before any side effect;
 * Temporal refuses a second running workflow with that id, so two rotations of one
 * certificate cannot run at once even when started under two org aliases that point at the
 * same org. The rotation releases it (a signal) as it ends; the parent close policy
 * TERMINATE is the backstop when the rotation itself is terminated.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  defineSignal,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { describeFailure } from '../domain/failure-description';
import { certificateLockId } from '../domain/rotation-id';
import { RotationStopped } from './rotation-stopped';

export const releaseLockSignal = defineSignal('release');

export async function certificateLock(_holder: string): Promise<void> {
  let released = false;
  setHandler(releaseLockSignal, () => {
    released = true;
  });
  await condition(() => released);
}

/** The running lock of one rotation; `release()` ends it and waits until it has ended. */
export interface HeldLock {
  release(): Promise<void>;
}

/** Takes the lock, or throws RotationStopped naming the likely other rotation. */
export async function acquireCertificateLock(holder: string, salesforceOrgId: string, certificate: string): Promise<HeldLock> {
  const lockId = certificateLockId(salesforceOrgId, certificate);
  let handle: ChildWorkflowHandle<typeof certificateLock>;
  try {
    handle = await CancellationScope.nonCancellable(() =>
      startChild(certificateLock, {
        workflowId: lockId,
        args: [holder],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      }),
    );
  } catch (error) {
    throw new RotationStopped(
      `another rotation of ${certificate} in this Salesforce org (${salesforceOrgId}) is running, perhaps under another org alias ` +
        `(lock ${lockId} is held: ${describeFailure(error)}); see \`certrot list --certificate ${certificate} --running\``,
    );
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      // Wait for the lock to end, so a rotation started right after this one ends finds it free.
      await CancellationScope.nonCancellable(async () => {
        await handle.signal(releaseLockSignal);
        await handle.result();
      }).catch(() => undefined);
    },
  };
}
