package io.p2psync.kv;

import io.p2psync.changes.RowLimits;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The key-value store's size limits ({@link KvSettings}) for rows that come from other devices: the same
 * limits {@code /kv} answers 400 and 413 for, so a row this device would refuse to write is never written
 * because another device sent it. The applier holds such an entry with reason {@code limit}.
 */
@Component
class KvRowLimits implements RowLimits {

    private final KvSettings settings;

    KvRowLimits(KvSettings settings) {
        this.settings = settings;
    }

    @Override
    public String table() {
        return "sync_kv";
    }

    @Override
    public Optional<String> refusal(Map<String, Object> row) {
        long key = size(row.get("key"));
        if (key > settings.maxKeySize().toBytes()) {
            return Optional.of("key is " + key + " bytes; p2psync.kv.max-key-size allows "
                    + settings.maxKeySize().toBytes());
        }
        long value = size(row.get("value"));
        if (value > settings.maxValueSize().toBytes()) {
            return Optional.of("value is " + value + " bytes; p2psync.kv.max-value-size allows "
                    + settings.maxValueSize().toBytes());
        }
        return Optional.empty();
    }

    private static long size(Object value) {
        if (value instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8).length;
        }
        if (value instanceof io.p2psync.changes.NonUtf8Text text) {
            return text.bytes().length;
        }
        return value instanceof byte[] bytes ? bytes.length : 0;
    }
}
