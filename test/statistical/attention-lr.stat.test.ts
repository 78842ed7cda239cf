// LR and ALR (sign-noise) on an attention block: position embedding -> linear qkv -> 2-head softmax
// attention -> linear -> mean pooling -> linear head, 3 tokens of 4 features, quadratic loss
// L = 1/2 ||z - onehot(y)||^2. Noise sigma eps lies on every (token, feature) value of each
// parametrised layer's output (the position embedding's too), sigma per feature repeated over the
// tokens, as the training runtime injects it; a token linear layer's gradient sums over the tokens.
// Truth: the exact (BP) gradient of the mean clean loss, by central differences (h = 1e-5: the error
// is ~1e-10, far below the test's resolution). LR and ALR target the gradient of the smoothed loss
// E[L(noisy)], which differs from it by O(sigma^2) through the softmax (and the head's noisy input).
// Measured with this file's network and seeds: at sigma = 0.1 and R = 2000 the bias shows (largest
// |z| 5.94 for LR, 4.22 for ALR); at sigma = 0.01 it is 100 times smaller (largest |z| 2.75 and 2.57
// at R = 2000), so at R = 200 it moves z by about 0.02.
// Calibration: R = 200 independent replications (different seeds); for each of the M = 107
// coordinates z = (mean - truth) / (sd / sqrt(R)) follows Student's t with 199 degrees of freedom
// under the CLT, P(|t| > 6.1) = 5.4e-9, so a correct estimator fails with probability
// <= 107 x 5.4e-9 = 5.8e-7 < 1e-6 (Bonferroni). Broken estimators (flipped sign; missing the
// 1/sigma factor; one noise draw per feature shared by every token, test/fixtures/attention-block.ts)
// must fail the same check. The shared-noise control is lr.ts's estimator rebuilt from the oracle's
// pieces: with one draw per (token, feature) it gives lr()'s |z| (2.791, 3.085), so only the sharing
// makes it fail (|z| 54.3 for LR, 49.9 for ALR).
import { lr } from '../../src/estimators/lr.js';
import { lrSharedTokenNoise } from '../fixtures/attention-block.js';
import { attentionCopies, attentionSigma, describeAttentionUnbiased } from '../fixtures/attention-unbiased-suite.js';

describeAttentionUnbiased({
  methods: ['lr', 'alr'] as const,
  oracle: lr,
  control: {
    name: 'one noise draw per feature shared by every token',
    estimator: (method) => lrSharedTokenNoise(method, attentionCopies, attentionSigma),
  },
  firstSeed: 7000,
});
