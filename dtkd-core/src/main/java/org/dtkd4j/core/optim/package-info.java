/**
 * Optimisation with the reference's PyTorch semantics in DL4J: heavy-ball SGD ({@link org.dtkd4j.core.optim.SgdMomentum}),
 * weight decay on every trainable parameter before momentum ({@link org.dtkd4j.core.optim.TorchWeightDecay}), and the
 * step learning-rate schedule with the reference's epoch numbering ({@link org.dtkd4j.core.optim.LearningRates}).
 */
package org.dtkd4j.core.optim;
