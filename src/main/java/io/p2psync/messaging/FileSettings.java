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
 */
@ConfigurationProperties("p2psync.files")
public record FileSettings(
        @DefaultValue("1GB") DataSize maxFileSize,
        @DefaultValue("128KB") DataSize chunkSize) {

    public FileSettings {
        if (maxFileSize == null || maxFileSize.toBytes() < 1) {
            throw new IllegalArgumentException("p2psync.files.max-file-size must be positive");
        }
        if (chunkSize == null || chunkSize.toBytes() < 1 || chunkSize.toBytes() > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("p2psync.files.chunk-size must be 1B..16MB");
        }
    }

    /** The frame a chunk of {@code chunkSize} needs: base64 of it and 8KB for the manifest and JSON. */
    long frameNeeded() {
        return (chunkSize.toBytes() + 2) / 3 * 4 + 8 * 1024;
    }
}
