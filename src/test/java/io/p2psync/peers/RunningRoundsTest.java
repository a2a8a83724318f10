package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.EntriesHandled;
import io.p2psync.changes.VersionVector;
import io.p2psync.sync.RoundObserver;
import java.net.URI;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunningRoundsTest {

    private final RunningRounds rounds = new RunningRounds(Clock.systemUTC());
    private final Peer peer = new Peer("12D3KooWpeer", null, "phone", URI.create("http://127.0.0.1:1"),
            EnumSet.of(PeerSource.CONFIG), false, null);

    @Test
    void countsPulledPartsAsTheyLandAndPushPagesAsTheyAreAnswered() {
        RoundObserver round = rounds.begin(peer, PeerRunner.Trigger.MANUAL);
        assertThat(rounds.progress(peer.key()).orElseThrow().total()).as("unknown before the peer answers").isNull();

        round.planned(VersionVector.of(Map.of("peer", 5000L)), 5000, 1000);
        rounds.onHandled(new EntriesHandled(peer.key(), 256));
        rounds.onHandled(new EntriesHandled(peer.key(), 256));
        rounds.onHandled(new EntriesHandled("12D3KooWother", 256)); // another device's delivery: not this round
        RoundProgress partway = rounds.progress(peer.key()).orElseThrow();
        assertThat(partway.done()).isEqualTo(512);
        assertThat(partway.total()).isEqualTo(6000);
        assertThat(partway.trigger()).isEqualTo(PeerRunner.Trigger.MANUAL);

        round.pulled(5000); // the page is handled: its parts are counted once
        round.pushed(1000, VersionVector.of(Map.of("me", 1000L)));
        RoundProgress end = rounds.progress(peer.key()).orElseThrow();
        assertThat(end.done()).isEqualTo(6000);
        assertThat(end.secondsLeft()).isZero();
        assertThat(rounds.theirs(peer.key())).contains(VersionVector.of(Map.of("me", 1000L)));

        rounds.end(peer);
        assertThat(rounds.progress(peer.key())).isEmpty();
    }

}
