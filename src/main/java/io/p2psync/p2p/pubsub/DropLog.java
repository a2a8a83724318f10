package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.LogSummary;
import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The router's log lines about dropped messages, kept to a few per peer and reason (the router's
 * {@link MessageDrop.Reason} with the validator's code, e.g. {@code IGNORED} and {@code rate-limited}): the
 * first drop of a kind is
 * logged in full, later ones within {@link #INTERVAL} are only counted and reported in one summary line (with
 * the next drop after the interval, or at a heartbeat). Duplicates and own messages are normal gossip and go to
 * DEBUG one by one; ignored and unsubscribed ones are INFO, the rest WARN. Every drop still reaches the drop
 * listener, so metrics count each one. Guarded by the router's lock.
 */
final class DropLog {

    /** The least time between two lines for one peer and reason. */
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Peer and reason pairs tracked at once; drops of further pairs are summarised together. */
    static final int MAX_TRACKED = 1024;

    // the router's category, so that log settings for the router cover its drops
    private static final Logger log = LoggerFactory.getLogger(GossipRouter.class);

    private record Key(PeerId peer, MessageDrop.Reason reason, String code) {

        String describe() {
            return code.isEmpty() ? reason.toString() : reason + " " + code;
        }
    }

    private final LogSummary<Key> summary;

    DropLog(Clock clock) {
        this.summary = new LogSummary<>(clock, INTERVAL, MAX_TRACKED);
    }

    void dropped(MessageDrop drop) {
        Level level = level(drop.reason());
        if (level == Level.DEBUG) {
            log.debug("dropped a message from {}: {}", drop.receivedFrom(), drop.detail());
            return;
        }
        Key key = new Key(drop.receivedFrom(), drop.reason(), drop.code());
        long count = summary.event(key);
        if (count == 1) {
            log.atLevel(level).log("dropped a message from {} on '{}' ({}): {}", drop.receivedFrom(), drop.topic(),
                    drop.reason(), drop.detail());
        } else if (count > 1) {
            log.atLevel(level).log("dropped {} messages from {} ({}) since the last line about them; the latest on '{}': {}",
                    count, drop.receivedFrom(), key.describe(), drop.topic(), drop.detail());
        }
    }

    /** Logs the counts that waited an interval for a line; called at every heartbeat. */
    void flush() {
        for (LogSummary.Summary<Key> s : summary.flush()) {
            if (s.key() == null) {
                log.warn("dropped {} more messages from peers not listed separately since {}", s.count(), s.since());
            } else {
                log.atLevel(level(s.key().reason())).log("dropped {} more messages from {} ({}) since {}", s.count(),
                        s.key().peer(), s.key().describe(), s.since());
            }
        }
    }

    private static Level level(MessageDrop.Reason reason) {
        return switch (reason) {
            case DUPLICATE, OWN_MESSAGE -> Level.DEBUG;
            case IGNORED, NOT_SUBSCRIBED -> Level.INFO;
            default -> Level.WARN;
        };
    }
}
