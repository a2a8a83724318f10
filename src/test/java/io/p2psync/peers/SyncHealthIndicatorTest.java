package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.sync.RejectionReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class SyncHealthIndicatorTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final HealthSettings SETTINGS = new HealthSettings(Duration.ofMinutes(15), Duration.ofHours(1),
            Duration.ofMinutes(15));

    @Test
    void upWithoutPeersAndWhileAnyPeerSyncs() {
        assertThat(judge(List.of()).getStatus()).isEqualTo(Status.UP);
        assertThat(judge(List.of(failingSince(NOW.minus(Duration.ofHours(2))), ok())).getStatus()).isEqualTo(Status.UP);
        assertThat(judge(List.of(neverRan())).getStatus()).as("a newly paired peer").isEqualTo(Status.UP);
    }

    @Test
    void downWithAReasonWhenEveryPeerHasFailedForLongerThanTheThreshold() {
        Health health = judge(List.of(failingSince(NOW.minus(Duration.ofMinutes(20))),
                failingSince(NOW.minus(Duration.ofMinutes(16)))));

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails().get("reason").toString()).contains("every paired peer (2)").contains("PT15M");
        assertThat(health.getDetails()).containsEntry("failingPeers", 2L);
    }

    @Test
    void upWhileTheFailuresAreYoungerThanTheThreshold() {
        assertThat(judge(List.of(failingSince(NOW.minus(Duration.ofMinutes(20))),
                failingSince(NOW.minus(Duration.ofMinutes(5))))).getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void outOfServiceWhenAnEntryIsHeldPastItsThreshold() {
        Health held = SyncHealthIndicator.judge(List.of(ok()), 0, 3, Optional.of(NOW.minus(Duration.ofHours(2))), NOW,
                SETTINGS);
        Health young = SyncHealthIndicator.judge(List.of(ok()), 0, 3, Optional.of(NOW.minus(Duration.ofMinutes(2))),
                NOW, SETTINGS);

        assertThat(held.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(held.getDetails().get("reason").toString()).contains("3 entries are held");
        assertThat(young.getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void outOfServiceWhileAnOriginIsForkedPointingAtTheForks() {
        Health forked = SyncHealthIndicator.judge(List.of(ok()), 2, 0, Optional.empty(), NOW, SETTINGS);
        Health alone = SyncHealthIndicator.judge(List.of(), 1, 0, Optional.empty(), NOW, SETTINGS);

        assertThat(forked.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(forked.getDetails().get("reason").toString()).contains("2 forked origins")
                .contains("GET /sync/forks");
        assertThat(forked.getDetails()).containsEntry("forkedOrigins", 2L);
        assertThat(alone.getStatus()).as("a fork keeps rows apart with no peer paired now too")
                .isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(alone.getDetails().get("reason").toString()).contains("1 forked origin ");
    }

    @Test
    void downBeforeAForkAndAForkBeforeHeldEntries() {
        Health allFailing = SyncHealthIndicator.judge(List.of(failingSince(NOW.minus(Duration.ofMinutes(20)))), 1,
                0, Optional.empty(), NOW, SETTINGS);
        Health forkAndHeld = SyncHealthIndicator.judge(List.of(ok()), 1, 3,
                Optional.of(NOW.minus(Duration.ofHours(2))), NOW, SETTINGS);

        assertThat(allFailing.getStatus()).isEqualTo(Status.DOWN);
        assertThat(allFailing.getDetails()).containsEntry("forkedOrigins", 1L);
        assertThat(forkAndHeld.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(forkAndHeld.getDetails().get("reason").toString()).contains("forked origin")
                .doesNotContain("held");
        assertThat(forkAndHeld.getDetails()).containsEntry("heldEntries", 3L);
    }

    @Test
    void outOfServiceWhenAPeersRoundsHaveKeptRefusingEntriesPastTheThreshold() {
        Health health = judge(List.of(refusingSince(NOW.minus(Duration.ofMinutes(20)),
                        Map.of(RejectionReason.TOO_LARGE, 1)),
                refusingSince(NOW.minus(Duration.ofMinutes(16)),
                        Map.of(RejectionReason.TOO_LARGE, 1, RejectionReason.BAD_SIGNATURE, 2)),
                refusingSince(NOW.minus(Duration.ofMinutes(2)), Map.of(RejectionReason.GAP, 5)),
                ok()));

        assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(health.getDetails().get("reason").toString()).contains("2 paired peers").contains("PT15M")
                .contains("too-large 2").contains("bad-signature 2").doesNotContain("gap");
        assertThat(health.getDetails()).containsEntry("refusingPeers", 3L);
    }

    @Test
    void upWhileRefusalsAreYoungerThanTheThreshold() {
        Health health = judge(List.of(refusingSince(NOW.minus(Duration.ofMinutes(5)),
                Map.of(RejectionReason.TOO_LARGE, 1))));

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("refusingPeers", 1L);
    }

    @Test
    void aForkBeforeLongRefusalsAndLongRefusalsBeforeHeldEntries() {
        List<PeerHealth.Record> refusing = List.of(refusingSince(NOW.minus(Duration.ofHours(1)),
                Map.of(RejectionReason.FORKED_ORIGIN, 1)));
        Optional<Instant> longHeld = Optional.of(NOW.minus(Duration.ofHours(2)));

        Health forked = SyncHealthIndicator.judge(refusing, 1, 3, longHeld, NOW, SETTINGS);
        Health notForked = SyncHealthIndicator.judge(refusing, 0, 3, longHeld, NOW, SETTINGS);

        assertThat(forked.getDetails().get("reason").toString()).contains("forked origin").contains("/sync/forks");
        assertThat(notForked.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(notForked.getDetails().get("reason").toString()).contains("forked-origin 1")
                .doesNotContain("held");
    }

    @Test
    void downBeforeLongRefusals() {
        PeerHealth.Record failingAfterRefusing = new PeerHealth.Record(NOW.minus(Duration.ofHours(1)),
                "connect refused", NOW, 4, NOW.minus(Duration.ofMinutes(20)), 1, Map.of(RejectionReason.TOO_LARGE, 1),
                NOW.minus(Duration.ofHours(1)));

        assertThat(judge(List.of(failingAfterRefusing)).getStatus()).isEqualTo(Status.DOWN);
    }

    private static Health judge(List<PeerHealth.Record> peers) {
        return SyncHealthIndicator.judge(peers, 0, 0, Optional.empty(), NOW, SETTINGS);
    }

    private static PeerHealth.Record failingSince(Instant since) {
        return new PeerHealth.Record(null, "connect refused", NOW, 4, since, 0, Map.of(), null);
    }

    private static PeerHealth.Record refusingSince(Instant since, Map<RejectionReason, Integer> refusals) {
        int refused = refusals.values().stream().mapToInt(Integer::intValue).sum();
        return new PeerHealth.Record(NOW, null, null, 0, null, refused, refusals, since);
    }

    private static PeerHealth.Record ok() {
        return new PeerHealth.Record(NOW, null, null, 0, null, 0, Map.of(), null);
    }

    private static PeerHealth.Record neverRan() {
        return new PeerHealth.Record(null, null, null, 0, null, 0, Map.of(), null);
    }
}
