// Short training runs on Iris and the synthetic teacher-student set with every method on the float64
// reference backend reach a stated test accuracy (and beat the majority class by 10 points).
import { describe } from 'vitest';
import { shortRunTests } from '../fixtures/train-short-runs.js';

describe('short runs on the reference backend', () => {
  shortRunTests('reference', [
    { dataset: 'iris', method: 'bp', epochs: 15, accuracy: 0.85 },
    { dataset: 'iris', method: 'lr', epochs: 15, accuracy: 0.85 },
    { dataset: 'iris', method: 'alr', epochs: 15, accuracy: 0.85 },
    { dataset: 'iris', method: 'es', epochs: 15, accuracy: 0.8 },
    { dataset: 'iris', method: 'aes', epochs: 15, accuracy: 0.8 },
    { dataset: 'synthetic', method: 'bp', epochs: 3, accuracy: 0.65 },
    { dataset: 'synthetic', method: 'lr', epochs: 3, accuracy: 0.6 },
    { dataset: 'synthetic', method: 'alr', epochs: 3, accuracy: 0.6 },
    { dataset: 'synthetic', method: 'es', epochs: 3, accuracy: 0.45 },
    { dataset: 'synthetic', method: 'aes', epochs: 3, accuracy: 0.45 },
  ]);
});
