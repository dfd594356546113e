/** dtkd-examples placeholder package. */
package org.dtkd4j.examples;
