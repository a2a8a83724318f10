package io.p2psync.sync;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of REST sync ({@code p2psync.sync.*}). The byte limits agree with each other: a page budget and
 * the largest entry, each with {@link #ENVELOPE_ROOM} for the rest of the body, fit in the body limit a
 * receiver with the same settings accepts and in the answer cap a caller reads (docs/security.md, "Entries
 * from other devices").
 *
 * @param maxBodySize the largest request body {@code /sync/push} and {@code /sync/pull} accept once
 *     decompressed; more gets 413
 * @param maxPushEntries the most entries one push may carry; more gets 413
 * @param pullPageSize entries per page when this device pulls, and the server's default page
 * @param maxPullPageSize the largest page a server answers, whatever the caller asks for
 * @param pushPageSize entries per request when this device pushes (at most {@code maxPushEntries})
 * @param pageBytes the byte budget of one pull answer this device serves and of one push it sends (JSON,
 *     before compression): entries are added while the next fits, but a page always carries at least one
 * @param maxEntrySize the largest entry (its JSON in a body) this device sends or serves; a larger one is
 *     kept back and reported as refused ({@code too-large}), and later entries of its origin wait behind it
 * @param maxAnswerSize the largest answer (decompressed) this device reads from a peer; a larger one fails
 *     the call
 * @param compressAbove request and response bodies at least this large are sent gzip-compressed
 * @param connectTimeout how long the client waits to connect to a peer
 * @param readTimeout how long the client waits for a peer's answer
 */
@ConfigurationProperties("p2psync.sync")
public record SyncSettings(
        @DefaultValue("32MB") DataSize maxBodySize,
        @DefaultValue("10000") int maxPushEntries,
        @DefaultValue("5000") int pullPageSize,
        @DefaultValue("10000") int maxPullPageSize,
        @DefaultValue("5000") int pushPageSize,
        @DefaultValue("8MB") DataSize pageBytes,
        @DefaultValue("24MB") DataSize maxEntrySize,
        @DefaultValue("32MB") DataSize maxAnswerSize,
        @DefaultValue("8KB") DataSize compressAbove,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("60s") Duration readTimeout) {

    /**
     * Room in a body for what is not an entry (the format, a pull answer's vector of hundreds of
     * origins, brackets and commas) when a page or a single entry is checked against a body limit.
     */
    public static final long ENVELOPE_ROOM = 64 * 1024;

    public SyncSettings {
        if (maxPushEntries < 1 || pullPageSize < 1 || maxPullPageSize < 1 || pushPageSize < 1) {
            throw new IllegalArgumentException("p2psync.sync entry counts must be positive");
        }
        if (pushPageSize > maxPushEntries) {
            throw new IllegalArgumentException("p2psync.sync.push-page-size must not exceed max-push-entries");
        }
        if (pageBytes.toBytes() < 1 || maxEntrySize.toBytes() < 1) {
            throw new IllegalArgumentException("p2psync.sync.page-bytes and max-entry-size must be positive");
        }
        long room = maxBodySize.toBytes() - ENVELOPE_ROOM;
        if (pageBytes.toBytes() > room || maxEntrySize.toBytes() > room) {
            throw new IllegalArgumentException("p2psync.sync.page-bytes (" + pageBytes + ") and max-entry-size ("
                    + maxEntrySize + ") must each leave " + ENVELOPE_ROOM / 1024 + " KB of max-body-size ("
                    + maxBodySize + "), so that what this device sends is accepted by a device with the same "
                    + "settings");
        }
        if (maxAnswerSize.toBytes() < Math.max(pageBytes.toBytes(), maxEntrySize.toBytes()) + ENVELOPE_ROOM) {
            throw new IllegalArgumentException("p2psync.sync.max-answer-size (" + maxAnswerSize + ") must hold a "
                    + "page (page-bytes " + pageBytes + ") or an entry (max-entry-size " + maxEntrySize + ") and "
                    + ENVELOPE_ROOM / 1024 + " KB more, or answers of a peer with the same settings are refused");
        }
    }
}
