// Input validation shared by the estimators: batch shape and finiteness, parameters, copies, sigma.
// Errors name the layer (or 'input') and the offending value, and say what is allowed.
import { InvalidInputError } from '../errors.js';
import { elementCount, type Network } from '../models/layers.js';
import { inferShapes } from '../models/shapes.js';
import { validateParams } from './params.js';
import type { Batch, Params } from './types.js';

export function validateBatch(network: Network, params: Params, batch: Batch): void {
  inferShapes(network);
  const width = elementCount(network.inputShape);
  if (!Number.isInteger(batch.size) || batch.size < 1) {
    throw new InvalidInputError(`input: batch size ${batch.size}; allowed: an integer >= 1`);
  }
  if (batch.input.length !== batch.size * width) {
    throw new InvalidInputError(
      `input: ${batch.input.length} values for batch ${batch.size} x [${network.inputShape.join(', ')}]; expected ${batch.size * width}. Hint: shape mismatch`,
    );
  }
  const bad = batch.input.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new InvalidInputError(
      `input: value [${bad}] = ${batch.input[bad]}; allowed: finite numbers. Hint: check the data loader`,
    );
  if (batch.labels.length !== batch.size) {
    throw new InvalidInputError(
      `input: ${batch.labels.length} labels for batch ${batch.size}; expected one per sample`,
    );
  }
  const badLabel = batch.labels.findIndex((l) => l < 0 || l >= network.classes);
  if (badLabel >= 0)
    throw new InvalidInputError(
      `input: label [${badLabel}] = ${batch.labels[badLabel]}; allowed: 0..${network.classes - 1}`,
    );
  validateParams(network, params);
}

export function validateCopies(copies: number): void {
  if (!Number.isInteger(copies) || copies < 1) {
    throw new InvalidInputError(
      `estimator: copies K = ${copies}; allowed: an integer >= 1. Hint: K = 64 is a common start`,
    );
  }
}
