package io.p2psync.changes;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@code sync_origins}: the number each device id is stored under in {@code sync_log} and {@code sync_row_state}
 * (docs/storage.md, "A compact log"). A device id is 52 characters and stood in every entry and row state; a
 * number takes a byte or two.
 *
 * <p>Numbers are given out in the writing transaction. A number is remembered only once the transaction that
 * read or gave it has committed: one given out in a transaction that rolls back may go to another device next
 * time, so it must never be taken from memory. A committed number never changes (rows of {@code sync_origins}
 * are never updated or deleted), so every instance may remember what it saw; looking a number up costs two
 * statements, which a single captured write paid twice before this remembered them.
 */
final class Origins {

    /** SQL for the number of the device id bound at that place, NULL if it has none. */
    static final String ID_OF = "(SELECT id FROM sync_origins WHERE device_id = ?)";

    private final JdbcTemplate template;
    private final Map<String, Long> committed = new ConcurrentHashMap<>();

    Origins(JdbcTemplate template) {
        this.template = template;
    }

    /**
     * The number of each of {@code deviceIds} (nulls left out), giving one to those that have none yet: two
     * statements for each device id not seen in a committed transaction before, none for the others.
     */
    Map<String, Long> numbers(Collection<String> deviceIds) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String id : deviceIds) {
            if (id != null) {
                distinct.add(id);
            }
        }
        Map<String, Long> numbers = new HashMap<>(distinct.size() * 2);
        Map<String, Long> looked = new HashMap<>();
        for (String id : distinct) {
            Long known = committed.get(id);
            if (known != null) {
                numbers.put(id, known);
                continue;
            }
            template.update("INSERT OR IGNORE INTO sync_origins (device_id) VALUES (?)", id);
            Long number = template.queryForObject("SELECT id FROM sync_origins WHERE device_id = ?", Long.class, id);
            numbers.put(id, number);
            looked.put(id, number);
        }
        if (!looked.isEmpty()) {
            rememberOnCommit(looked);
        }
        return numbers;
    }

    /**
     * Remembers {@code looked} once the transaction commits. One synchronization per transaction, whatever the
     * number of calls: a group of 60,000 entries from a device not seen before looks its number up once per entry
     * in one transaction, and one synchronization each made every savepoint of that transaction copy and sort all
     * of them (Spring does so in {@code createSavepoint}), so placing the group took minutes under the write lock.
     */
    private void rememberOnCommit(Map<String, Long> looked) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            committed.putAll(looked); // no transaction: each statement committed as it ran
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Long> pending = (Map<String, Long>) TransactionSynchronizationManager.getResource(this);
        if (pending == null) {
            Map<String, Long> forThisTransaction = new HashMap<>();
            TransactionSynchronizationManager.bindResource(this, forThisTransaction);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    committed.putAll(forThisTransaction);
                }

                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(Origins.this);
                }
            });
            pending = forThisTransaction;
        }
        pending.putAll(looked);
    }
}
