package io.p2psync.changes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Events about entries written to {@code sync_log} ({@link EntriesStored}, {@link LocalChangesSealed}) that
 * are published only if what they describe stays in the log. The applier puts each entry in a savepoint and
 * may roll it back after a policy hook sealed a resolution inside it; an event published then would still
 * reach the {@code @TransactionalEventListener}s at commit (the live publisher, chain heads, peer
 * notification), and other devices would receive an entry this device no longer has, under a version it
 * will seal again with other content: a forked chain.
 *
 * <p>So while a savepoint is open on this thread ({@link #open}), events are kept back; when it is released
 * they are published (still inside the transaction, so listeners see them as before), when it is rolled back
 * they are dropped. Outside a savepoint an event is published at once.
 */
final class SavepointEvents {

    private static final ThreadLocal<Deque<List<Runnable>>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private SavepointEvents() {
    }

    /** Publishes {@code event} now, or keeps it until the innermost open savepoint is released. */
    static void publish(ApplicationEventPublisher events, Object event) {
        Deque<List<Runnable>> open = OPEN.get();
        if (open.isEmpty()) {
            events.publishEvent(event);
        } else {
            open.peek().add(() -> events.publishEvent(event));
        }
    }

    /** Marks a savepoint just created on this thread; end it with {@link Scope#released} or {@link Scope#close}. */
    static Scope open() {
        List<Runnable> kept = new ArrayList<>();
        OPEN.get().push(kept);
        return new Scope(kept);
    }

    /** One open savepoint's kept events. */
    static final class Scope implements AutoCloseable {
        private final List<Runnable> kept;
        private boolean ended;

        private Scope(List<Runnable> kept) {
            this.kept = kept;
        }

        /** True if events were kept back in this savepoint. */
        boolean keepsAny() {
            return !kept.isEmpty();
        }

        /** The savepoint was released: its events go on (to the enclosing savepoint, if one is open). */
        void released() {
            end();
            kept.forEach(Runnable::run);
        }

        /** Drops the kept events unless {@link #released} ran: the savepoint was rolled back, or its transaction. */
        @Override
        public void close() {
            end();
        }

        private void end() {
            if (ended) {
                return;
            }
            ended = true;
            Deque<List<Runnable>> open = OPEN.get();
            open.removeIf(list -> list == kept); // by identity: two scopes' lists may be equal
            if (open.isEmpty()) {
                OPEN.remove();
            }
        }
    }
}
