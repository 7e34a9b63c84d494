/**
 * The rotation's undo log (samples-typescript `saga/`): each step with a side effect adds
 * its compensation right after it succeeds; `compensate()` runs them in reverse order,
 * non-cancellably, and reports what an operator must finish by hand when an undo fails.
 */
import { CancellationScope } from '@temporalio/workflow';
import { describeFailure } from '../domain/failure-description';

export interface Compensation {
  readonly what: string;
  /** What an operator must do by hand if this undo cannot be completed. */
  readonly manual: string;
  /** Runs the undo; returns extra manual steps for parts it could not undo safely. */
  readonly run: () => Promise<string[]>;
}

export interface CompensationReport {
  readonly done: string[];
  readonly failed: string[];
  readonly manualSteps: string[];
}

export class Saga {
  private readonly steps: Compensation[] = [];

  add(step: Compensation): void {
    this.steps.push(step);
  }

  get empty(): boolean {
    return this.steps.length === 0;
  }

  /** From here on nothing is undone (the new certificate is verified and kept). */
  clear(): void {
    this.steps.length = 0;
  }

  compensate(): Promise<CompensationReport> {
    const report: CompensationReport = { done: [], failed: [], manualSteps: [] };
    return CancellationScope.nonCancellable(async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          report.manualSteps.push(...(await step.run()));
          report.done.push(step.what);
        } catch (error) {
          report.failed.push(`could not ${step.what}: ${describeFailure(error)}`);
          report.manualSteps.push(step.manual);
        }
      }
      this.clear();
      return report;
    });
  }
}
