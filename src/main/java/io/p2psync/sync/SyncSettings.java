package io.p2psync.sync;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of REST sync ({@code p2psync.sync.*}).
 *
 * @param maxBodySize the largest request body {@code /sync/push} and {@code /sync/pull} accept once
 *     decompressed; more gets 413
 * @param maxPushEntries the most entries one push may carry; more gets 413
 * @param pullPageSize entries per page when this device pulls, and the server's default page
 * @param maxPullPageSize the largest page a server answers, whatever the caller asks for
 * @param pushPageSize entries per request when this device pushes (at most {@code maxPushEntries})
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
        @DefaultValue("8KB") DataSize compressAbove,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("60s") Duration readTimeout) {

    public SyncSettings {
        if (maxPushEntries < 1 || pullPageSize < 1 || maxPullPageSize < 1 || pushPageSize < 1) {
            throw new IllegalArgumentException("p2psync.sync entry counts must be positive");
        }
        if (pushPageSize > maxPushEntries) {
            throw new IllegalArgumentException("p2psync.sync.push-page-size must not exceed max-push-entries");
        }
    }
}
