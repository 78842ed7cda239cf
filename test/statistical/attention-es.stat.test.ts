// ES and AES on the attention block of test/fixtures/attention-block.ts (position embedding -> linear
// qkv -> 2-head softmax attention -> linear -> mean pooling -> linear head, 3 tokens of 4 features,
// quadratic loss). Each copy perturbs every parameter, theta + sigma eps_k with sigma one scalar in
// weight space (the position table's 12 values and the token linear layers' weights included), and
// runs the clean batch; g = 1/(N K sigma) sum L~ eps_k (AES: sqrt(pi/2) sign(eps_k)). Truth: the exact
// (BP) gradient of the mean clean loss by central differences. ES targets the gradient of the
// smoothed loss E[L(theta + sigma eps)], which differs from it by O(sigma^2); at sigma = 0.01 that is
// far below the test's resolution (measured with this file's seeds at R = 2000: largest |z| 2.59 for
// both ES and AES; at R = 200, 3.47 and 3.44). The shared-position control is es.ts's estimator
// rebuilt from the oracle's pieces: with the sharing taken out it gives the same |z| as es() to 4
// digits, so only the sharing makes it fail (|z| 25.7 and 20.6).
// Calibration as in attention-lr.stat.test.ts: R = 200 independent replications (different seeds);
// for each of the M = 107 coordinates z = (mean - truth) / (sd / sqrt(R)) follows Student's t with
// 199 degrees of freedom under the CLT, P(|t| > 6.1) = 5.4e-9, so a correct estimator fails with
// probability <= 107 x 5.4e-9 = 5.8e-7 < 1e-6 (Bonferroni). Broken estimators (flipped sign; missing
// the 1/sigma factor; the position table's perturbation shared by every position, one draw per
// feature) must fail the same check.
import { es } from '../../src/estimators/es.js';
import { esSharedPositionNoise } from '../fixtures/attention-block.js';
import { attentionCopies, attentionSigma, describeAttentionUnbiased } from '../fixtures/attention-unbiased-suite.js';

describeAttentionUnbiased({
  methods: ['es', 'aes'] as const,
  oracle: es,
  control: {
    name: 'the position table perturbed by one draw per feature, shared by every position',
    estimator: (method) => esSharedPositionNoise(method, attentionCopies, attentionSigma),
  },
  firstSeed: 9000,
});
