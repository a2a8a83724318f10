package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.pubsub.MessageDrop.Reason;
import io.p2psync.p2p.pubsub.MessageValidator.Validation;
import io.p2psync.p2p.pubsub.SimulatedNetwork.Node;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Messages pushed at router b by a peer a: b must drop the bad ones with a reason, and neither deliver them nor
 * forward them to its mesh peer c.
 */
class MessageDropTest {

    private static final String TOPIC = "p2p-sync";
    private static final int MAX = 1024;

    private final SimulatedNetwork net = new SimulatedNetwork();
    private Node a;
    private Node b;
    private Node c;

    @BeforeEach
    void meshOfThree() {
        GossipParams params = GossipParams.defaults().withMaxMessageBytes(MAX);
        a = net.add(params);
        b = net.add(builder -> builder.params(params));
        c = net.add(params);
        a.subscribe(TOPIC);
        b.router.subscribe(TOPIC, (from, m) -> new String(m.data(), StandardCharsets.UTF_8).startsWith("bad")
                ? Validation.<PubsubMessage>reject("not a sync entry") : Validation.accept(m),
                (m, accepted) -> b.delivered.add(accepted));
        c.subscribe(TOPIC);
        net.connect(a, b);
        net.connect(b, c);
        net.heartbeat(Duration.ofSeconds(1));
    }

    @AfterEach
    void close() {
        net.close();
    }

    private void push(PubsubMessage m) {
        b.router.handleRpc(a.id, Rpc.ofMessages(List.of(m)));
        net.pump();
    }

    private PubsubMessage signedByA(String text, long seqno) {
        return new MessageSigner(a.key).sign(TOPIC, text.getBytes(StandardCharsets.UTF_8), seqno);
    }

    private void assertNothingDeliveredOrForwarded() {
        assertThat(b.delivered).isEmpty();
        assertThat(c.delivered).isEmpty();
    }

    @Test
    void forwardsAValidMessage() {
        push(signedByA("good", 1));

        assertThat(b.delivered).hasSize(1);
        assertThat(c.delivered).hasSize(1);
        assertThat(b.drops).isEmpty();
    }

    @Test
    void dropsAnOversizedMessage() {
        push(signedByA("x".repeat(MAX + 1), 1));

        assertThat(b.drops).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(Reason.TOO_LARGE);
            assertThat(d.detail()).contains("1025 bytes").contains("1024");
            assertThat(d.receivedFrom()).isEqualTo(a.id);
        });
        assertNothingDeliveredOrForwarded();
    }

    @Test
    void dropsAnUnsignedMessage() {
        PubsubMessage good = signedByA("good", 1);
        push(new PubsubMessage(good.from(), good.seqno(), TOPIC, good.data(), null, null));

        assertThat(b.drops).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(Reason.INVALID_SIGNATURE);
            assertThat(d.detail()).isEqualTo("unsigned message");
        });
        assertNothingDeliveredOrForwarded();
    }

    @Test
    void dropsAForgeryWithoutLettingItShadowTheGenuineMessage() {
        PubsubMessage genuine = signedByA("good", 1);
        push(new PubsubMessage(genuine.from(), genuine.seqno(), TOPIC, "forged".getBytes(StandardCharsets.UTF_8),
                genuine.signature(), null));
        assertThat(b.drops(Reason.INVALID_SIGNATURE)).singleElement()
                .satisfies(d -> assertThat(d.detail()).isEqualTo("bad signature"));
        assertNothingDeliveredOrForwarded();

        push(genuine); // same id as the forgery

        assertThat(b.delivered).containsExactly(genuine);
        assertThat(c.delivered).containsExactly(genuine);
    }

    @Test
    void dropsWhatTheValidatorRejectsWithItsReason() {
        push(signedByA("bad entry", 1));

        assertThat(b.drops).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(Reason.REJECTED);
            assertThat(d.detail()).isEqualTo("not a sync entry");
        });
        assertNothingDeliveredOrForwarded();
    }

    @Test
    void dropsDuplicatesThroughTheSeenCache() {
        PubsubMessage m = signedByA("good", 1);
        push(m);
        push(m);
        b.router.handleRpc(c.id, Rpc.ofMessages(List.of(m)));
        net.pump();

        assertThat(b.delivered).hasSize(1);
        assertThat(c.delivered).hasSize(1);
        assertThat(b.drops(Reason.DUPLICATE)).hasSize(2);
    }

    @Test
    void dropsAMessageOnATopicNotJoined() {
        push(new MessageSigner(a.key).sign("other", new byte[] {1}, 1));

        assertThat(b.drops).singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.NOT_SUBSCRIBED));
    }

    @Test
    void dropsItsOwnMessageComingBack() {
        PubsubMessage own = new MessageSigner(b.key).sign(TOPIC, new byte[] {1}, 1);
        push(own);

        assertThat(b.drops).singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.OWN_MESSAGE));
        assertNothingDeliveredOrForwarded();
    }

    @Test
    void refusesToPublishAnOversizedMessage() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> b.router.publish(TOPIC, new byte[MAX + 1]))
                .withMessageContaining("exceeds the limit");
    }
}
