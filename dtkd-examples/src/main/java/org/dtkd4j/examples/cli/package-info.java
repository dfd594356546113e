/**
 * The {@code dtkd} command line: {@link org.dtkd4j.examples.cli.DtkdCli} and its subcommands ({@code demo}, {@code bench}).
 */
package org.dtkd4j.examples.cli;
