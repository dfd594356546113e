/**
 * The {@code dtkd} command line: {@link org.dtkd4j.examples.cli.DtkdCli} and its subcommands ({@code demo}, which
 * runs {@link org.dtkd4j.examples.demo.FashionDemo}).
 */
package org.dtkd4j.examples.cli;
