package io.p2psync.messaging;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of files sent between devices, under {@code p2psync.files}.
 *
 * @param maxFileSize the largest file sent or received; larger ones are refused (HTTP 413, {@code REFUSED} 413)
 * @param chunkSize bytes per FILE_CHUNK; a chunk's frame (base64, about 4/3 of it, plus the manifest) must fit
 *     {@code p2psync.messaging.max-frame-size}
 * @param relayQuota bytes of files this device holds, whole or in part, for any one other device while it is
 *     offline (store and forward); a file that would pass it is refused (507); {@code 0B} holds none
 */
@ConfigurationProperties("p2psync.files")
public record FileSettings(
        @DefaultValue("1GB") DataSize maxFileSize,
        @DefaultValue("128KB") DataSize chunkSize,
        @DefaultValue("1GB") DataSize relayQuota) {

    public FileSettings {
        if (maxFileSize == null || maxFileSize.toBytes() < 1) {
            throw new IllegalArgumentException("p2psync.files.max-file-size must be positive");
        }
        if (chunkSize == null || chunkSize.toBytes() < 1 || chunkSize.toBytes() > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("p2psync.files.chunk-size must be 1B..16MB");
        }
        if (relayQuota == null || relayQuota.isNegative()) {
            throw new IllegalArgumentException("p2psync.files.relay-quota must be 0B or more");
        }
    }

    /** The frame a chunk of {@code chunkSize} needs: base64 of it and 8KB for the manifest and JSON. */
    long frameNeeded() {
        return (chunkSize.toBytes() + 2) / 3 * 4 + 8 * 1024;
    }
}
