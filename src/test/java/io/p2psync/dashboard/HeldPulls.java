package io.p2psync.dashboard;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Test configuration for the node that answers pulls: holds its answers to chosen {@code POST /sync/pull}
 * requests (counted from 1 after {@link #hold}) until the test lets each go, so a running round can be looked at
 * between two pages without racing it.
 */
@Configuration(proxyBeanMethods = false)
class HeldPulls extends OncePerRequestFilter {

    private final AtomicInteger pulls = new AtomicInteger();
    private final Semaphore reached = new Semaphore(0);
    private final Semaphore released = new Semaphore(0);
    private volatile List<Integer> held = List.of();

    /** Holds the answers to these pulls, counted from the next. */
    void hold(Integer... pullNumbers) {
        pulls.set(0);
        held = List.of(pullNumbers);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if ("/sync/pull".equals(request.getRequestURI()) && held.contains(pulls.incrementAndGet())) {
            reached.release();
            try {
                if (!released.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never let the pull go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        chain.doFilter(request, response);
    }

    /** Waits until a held pull has arrived. */
    boolean awaitHeld() throws InterruptedException {
        return reached.tryAcquire(120, TimeUnit.SECONDS);
    }

    void letOneGo() {
        released.release();
    }
}
