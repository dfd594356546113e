package org.dtkd4j.core.samediff;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a test class with ND4J limited to one thread and restores the previous limits afterwards. SameDiff's tiny
 * golden graphs run several times faster that way on a shared 2-core machine, where worker threads only contend.
 */
final class SingleThreadedNd4j implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SingleThreadedNd4j.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NS);
        store.put("threads", Nd4j.getEnvironment().maxThreads());
        store.put("masterThreads", Nd4j.getEnvironment().maxMasterThreads());
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NS);
        Nd4j.getEnvironment().setMaxThreads(store.get("threads", Integer.class));
        Nd4j.getEnvironment().setMaxMasterThreads(store.get("masterThreads", Integer.class));
    }
}
