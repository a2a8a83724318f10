package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The byte limits of {@link SyncSettings} must agree, or the node does not start. */
class SyncSettingsTest {

    @Test
    void theDefaultsLetAPageAndTheLargestEntryThroughTheBodyLimitAndTheAnswerCap() {
        SyncSettings s = settings("32MB", "8MB", "24MB", "32MB");

        assertThat(s.pageBytes().toBytes() + SyncSettings.ENVELOPE_ROOM).isLessThanOrEqualTo(s.maxBodySize().toBytes());
        assertThat(s.maxEntrySize().toBytes() + SyncSettings.ENVELOPE_ROOM).isLessThanOrEqualTo(s.maxBodySize().toBytes());
    }

    @Test
    void refusesAnEntrySizeThatTheBodyLimitWouldRefuse() {
        assertThatThrownBy(() -> settings("32MB", "8MB", "32MB", "64MB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max-entry-size");
    }

    @Test
    void refusesAPageBudgetThatTheBodyLimitWouldRefuse() {
        assertThatThrownBy(() -> settings("256KB", "8MB", "128KB", "32MB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("page-bytes");
    }

    @Test
    void refusesAnAnswerCapBelowWhatAPeerWithTheSameSettingsAnswers() {
        assertThatThrownBy(() -> settings("32MB", "8MB", "24MB", "16MB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max-answer-size");
    }

    private static SyncSettings settings(String body, String page, String entry, String answer) {
        return new SyncSettings(DataSize.parse(body), 10_000, 5000, 10_000, 5000, DataSize.parse(page),
                DataSize.parse(entry), DataSize.parse(answer), DataSize.ofKilobytes(8), Duration.ofSeconds(5),
                Duration.ofSeconds(60));
    }
}
