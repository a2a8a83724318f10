package io.p2psync.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Reading how a future failed, in tests. */
public final class Futures {

    private Futures() {
    }

    /**
     * The cause {@code f} failed with; waits for it.
     *
     * @throws AssertionError if it completed normally
     */
    public static Throwable failure(CompletableFuture<?> f) {
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
