/** dtkd-core placeholder package. */
package org.dtkd4j.core;
