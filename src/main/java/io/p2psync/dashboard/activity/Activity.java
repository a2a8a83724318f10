package io.p2psync.dashboard.activity;

import java.time.Instant;

/**
 * One line of the activity feed.
 *
 * @param kind what happened
 * @param at   when the node noticed it
 * @param text what happened, for people
 * @param link a dashboard path with more about it, or null
 */
record Activity(Kind kind, Instant at, String text, String link) {

    /** What an activity is about; the page styles each kind. */
    enum Kind {
        CAPTURED, RECEIVED, HELD, CONFLICT, PEER, DEVICE;

        /** The name the page and the event stream use. */
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    Activity {
        if (kind == null || at == null || text == null) {
            throw new IllegalArgumentException("an activity has a kind, a time and a text");
        }
    }
}
