/**
 * Test infrastructure shared by the modules' test suites (through dtkd-core's test jar):
 * {@link org.dtkd4j.core.testsupport.OutputGate} keeps the output of a test run readable.
 */
package org.dtkd4j.core.testsupport;
