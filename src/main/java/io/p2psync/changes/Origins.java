package io.p2psync.changes;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code sync_origins}: the number each device id is stored under in {@code sync_log} and {@code sync_row_state}
 * (docs/storage.md, "A compact log"). A device id is 52 characters and stood in every entry and row state; a
 * number takes a byte or two. Numbers are given out in the writing transaction and never cached across
 * transactions, so one that rolls back leaves nothing behind that a later one could trust.
 */
final class Origins {

    /** SQL for the number of the device id bound at that place, NULL if it has none. */
    static final String ID_OF = "(SELECT id FROM sync_origins WHERE device_id = ?)";

    private final JdbcTemplate template;

    Origins(JdbcTemplate template) {
        this.template = template;
    }

    /**
     * The number of each of {@code deviceIds} (nulls left out), giving one to those that have none yet: two
     * statements per device id, whatever the number of entries or states that name it.
     */
    Map<String, Long> numbers(Collection<String> deviceIds) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String id : deviceIds) {
            if (id != null) {
                distinct.add(id);
            }
        }
        Map<String, Long> numbers = new HashMap<>(distinct.size() * 2);
        for (String id : distinct) {
            template.update("INSERT OR IGNORE INTO sync_origins (device_id) VALUES (?)", id);
            numbers.put(id, template.queryForObject("SELECT id FROM sync_origins WHERE device_id = ?", Long.class, id));
        }
        return numbers;
    }
}
