package io.p2psync.kv;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A row of {@code sync_kv}.
 *
 * @param timestamp ISO-8601 UTC instant of the last put or delete
 * @param deletedAt ISO-8601 UTC instant of the delete, null while the entry is live
 */
@Table("sync_kv")
public record KvEntry(@Id String key, String value, String timestamp, String deletedAt) {
}
