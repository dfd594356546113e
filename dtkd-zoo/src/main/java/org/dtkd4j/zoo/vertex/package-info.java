/**
 * Parameter-free DL4J graph vertices the zoo models need and DL4J 1.0.0-M2.1 lacks:
 * {@link org.dtkd4j.zoo.vertex.ChannelShuffleVertex} (ShuffleNet's channel shuffle, with its exact inverse as the
 * backward pass), {@link org.dtkd4j.zoo.vertex.ChannelRangeVertex} (a channel slice whose output shape DL4J infers
 * correctly) and {@link org.dtkd4j.zoo.vertex.ChannelsLastVertex} (NCHW input to NHWC activations). The first two
 * work in either activation layout, NCHW or NHWC, given at construction. All serialize with the graph
 * configuration, so {@code ModelSerializer} restores them.
 */
package org.dtkd4j.zoo.vertex;
