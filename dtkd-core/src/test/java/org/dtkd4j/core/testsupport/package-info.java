/**
 * Test infrastructure shared by the modules' test suites (through dtkd-core's test jar):
 * {@link org.dtkd4j.core.testsupport.OutputGate} keeps the output of a test run readable;
 * {@link org.dtkd4j.core.testsupport.ChildJvm} runs a main class in a fresh JVM.
 */
package org.dtkd4j.core.testsupport;
