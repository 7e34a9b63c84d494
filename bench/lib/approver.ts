/**
 * The provisioning team for a fleet: one visibility list per tick finds every workflow of the
 * task queue that asks for approval (its RotationPhase search attribute), and each is
 * approved once. Asking N workflows their status by query every tick would put N query
 * tasks per tick on the very worker being measured — more for a rotation, which waits
 * longer before it asks, than for the no-op — and measure the driver instead.
 */
import type { Client } from '@temporalio/client';

export interface FleetApprover {
  /** Workflow ids approved so far. */
  readonly approved: ReadonlySet<string>;
  stop(): Promise<void>;
}

export function startFleetApprover(client: Client, taskQueue: string, approve: (workflowId: string) => Promise<void>, pollMs: number): FleetApprover {
  const approved = new Set<string>();
  const inFlight = new Set<string>();
  let stopped = false;
  const query = `TaskQueue = '${taskQueue}' AND RotationPhase = 'awaiting-approval' AND ExecutionStatus = 'Running'`;
  const loop = (async () => {
    while (!stopped) {
      try {
        for await (const execution of client.workflow.list({ query })) {
          const id = execution.workflowId;
          if (approved.has(id) || inFlight.has(id)) continue;
          inFlight.add(id);
          // approvals go out side by side; one that fails is tried again on a later tick
          void approve(id)
            .then(() => approved.add(id))
            .catch(() => undefined)
            .finally(() => inFlight.delete(id));
        }
      } catch {
        // visibility not ready yet, or the server is busy: the next tick asks again
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();
  return {
    approved,
    async stop() {
      stopped = true;
      await loop;
      while (inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}
