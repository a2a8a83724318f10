package io.p2psync.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** Spring Data JDBC with the SQLite dialect against a real file: derived queries, paging, modifying queries. */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class KvRepositoryTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
    }

    @Autowired
    KvRepository repository;
    @Autowired
    TransactionTemplate tx;

    @Test
    void pagesWithLimitAndOffsetAndSkipsDeletedEntries() {
        tx.executeWithoutResult(s -> {
            for (String k : new String[] {"p1", "p2", "p3", "p4", "p5"}) {
                repository.put(k, "v-" + k, "2026-01-01T00:00:00Z");
            }
            assertThat(repository.softDelete("p2", "2026-01-02T00:00:00Z")).isTrue();
            assertThat(repository.softDelete("p2", "2026-01-02T00:00:00Z")).isFalse();
        });
        assertThat(repository.findByDeletedAtIsNull(PageRequest.of(1, 2, Sort.by("key"))))
                .extracting(KvEntry::key).containsExactly("p4", "p5");
        assertThat(repository.findByDeletedAtIsNull(PageRequest.of(0, 2, Sort.by(Sort.Direction.DESC, "key"))))
                .extracting(KvEntry::key).containsExactly("p5", "p4");
        assertThat(repository.findByKeyAndDeletedAtIsNull("p2")).isEmpty();
        assertThat(repository.findById("p2")).get().extracting(KvEntry::deletedAt).isEqualTo("2026-01-02T00:00:00Z");
        assertThat(repository.findByKeyAndDeletedAtIsNull("p1")).get().extracting(KvEntry::value).isEqualTo("v-p1");
    }

    @Test
    void putRevivesADeletedKey() {
        tx.executeWithoutResult(s -> {
            repository.put("r", "old", "2026-01-01T00:00:00Z");
            repository.softDelete("r", "2026-01-02T00:00:00Z");
            repository.put("r", "new", "2026-01-03T00:00:00Z");
        });
        assertThat(repository.findByKeyAndDeletedAtIsNull("r")).get().extracting(KvEntry::value).isEqualTo("new");
        tx.executeWithoutResult(s -> repository.softDelete("r", "2026-01-04T00:00:00Z")); // leave no live entry behind
    }
}
