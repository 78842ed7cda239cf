// Typed errors for every failure kind a user can cause. Each carries the process exit code the CLI
// uses (DESIGN.md: 2 bad input, 3 infeasible mapping) and a message that says where, what was found,
// what is allowed, and a hint. Internal bugs stay plain Errors (exit 1).

export abstract class AlrflowError extends Error {
  abstract readonly exitCode: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad configuration or input files (hardware models, SCALE-Sim files, sweep specs, CLI options). */
export class ConfigError extends AlrflowError {
  readonly exitCode = 2;
  /** One line per problem, all reported at once. */
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Numeric input an estimator or kernel cannot handle: shape mismatch, K < 1, sigma <= 0, NaN/Inf. */
export class InvalidInputError extends AlrflowError {
  readonly exitCode = 2;
}

/** A kernel asked of a backend that does not implement it, or a backend that cannot run here. */
export class UnsupportedKernelError extends AlrflowError {
  readonly exitCode = 2;
}

/** The mapping does not fit the hardware: the message names tensor, bytes, level and capacity. */
export class InfeasibleMappingError extends AlrflowError {
  readonly exitCode = 3;
}

/** A run too large for the resources it may use (train --max-memory): the message gives the count and the limit. */
export class ResourceLimitError extends AlrflowError {
  readonly exitCode = 3;
}

/** The simulation cannot make progress (a dependency cycle or the event bound was hit). */
export class SimulationDeadlockError extends AlrflowError {
  readonly exitCode = 3;
}
