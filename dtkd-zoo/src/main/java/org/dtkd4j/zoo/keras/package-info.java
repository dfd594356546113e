/**
 * Keras support: {@link org.dtkd4j.zoo.keras.KerasTeachers} loads Keras 2 {@code .h5} models (Functional or
 * Sequential) through DL4J's Keras import as {@link org.dtkd4j.core.teacher.GraphTeacher}s, which permute the NCHW
 * features to Keras' channels-last layout and return the logits before a final softmax. The test fixtures are
 * written without Keras by {@code src/test/resources/keras/generate_keras_fixtures.py} (h5py and numpy).
 */
package org.dtkd4j.zoo.keras;
