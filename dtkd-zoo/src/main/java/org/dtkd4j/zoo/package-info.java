/** dtkd-zoo placeholder package. */
package org.dtkd4j.zoo;
