import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, formatUsd } from '@research/contracts';
import type { Cost, Usage } from '@research/contracts';

/**
 * What a pipeline spent on the LLM, call by call, against its budget (`maxCostUsd`). Runs since `research-depth`
 * keep one; its `cost` is the plain object the state query, the memo and the result show.
 */
export class CostLedger {
  readonly cost: Cost;

  constructor(budgetUsd: number | undefined) {
    this.cost = { totalUsd: 0, budgetUsd: budgetUsd ?? null, calls: [] };
  }

  /**
   * Called before each LLM activity. A total that is unknown (a call without a price) cannot be compared, so the
   * budget is not enforced then; the worker says so at start-up.
   *
   * @throws ApplicationFailure of type `BudgetExceeded` (non-retryable) once the total reached the budget.
   */
  checkBefore(step: string): void {
    const { totalUsd, budgetUsd } = this.cost;
    if (budgetUsd === null || totalUsd === null || totalUsd < budgetUsd) return;
    throw ApplicationFailure.create({
      type: FailureType.BudgetExceeded,
      message:
        `The LLM budget is spent: this pipeline has spent ${formatUsd(totalUsd)} of its ${formatUsd(budgetUsd)} ` +
        `(maxCostUsd), so it makes no further LLM call (${step}).`,
      nonRetryable: true,
    });
  }

  /** Adds a finished call; an unpriced call makes the total unknown from then on. */
  record(step: string, call: { model: string; usage: Usage; costUsd: number | null }): void {
    this.cost.calls.push({ step, model: call.model, usage: call.usage, usd: call.costUsd });
    const { totalUsd } = this.cost;
    this.cost.totalUsd = totalUsd === null || call.costUsd === null ? null : totalUsd + call.costUsd;
  }

  /** A copy, for results and the memo (the ledger goes on changing). */
  snapshot(): Cost {
    return { ...this.cost, calls: [...this.cost.calls] };
  }
}
