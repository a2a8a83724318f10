package io.p2psync.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answers of each request type, as the kad-dht spec's "RPC messages" section defines them. */
class KadServerTest {

    private final PrivateKey selfKey = PrivateKey.generate();
    private final PeerId self = selfKey.peerId();
    private final PeerId asker = PrivateKey.generate().peerId();
    private final PeerId known = PrivateKey.generate().peerId();
    private final Multiaddr knownAddr = Multiaddr.parse("/ip4/127.0.0.9/tcp/4001");
    private final RoutingTable table = new RoutingTable(self, 20);
    private final AddressBook book = new AddressBook();
    private final RecordStore store = new RecordStore(Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(1), 100);
    private final KadServer server = new KadServer(self, () -> List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1")), table,
            book, store, p -> false, 20);

    KadServerTest() {
        table.add(known);
        book.add(known, List.of(knownAddr, Multiaddr.parse("/ip4/127.0.0.9/tcp/8080/http")));
        table.add(asker);
        book.add(asker, List.of(Multiaddr.parse("/ip4/127.0.0.8/tcp/4001")));
    }

    @Test
    void findNodeNamesKnownPeersWithTheirDialableAddressesButNotTheAsker() throws Exception {
        KadMessage answer = server.answer(asker, KadMessage.findNode(PrivateKey.generate().peerId())).orElseThrow();
        assertThat(answer.closerPeers()).extracting(KadPeer::id).containsExactly(known);
        assertThat(answer.closerPeers().get(0).addrs()).containsExactly(knownAddr);
    }

    @Test
    void findNodeOfThisNodeAnswersItself() throws Exception {
        KadMessage answer = server.answer(asker, KadMessage.findNode(self)).orElseThrow();
        assertThat(answer.closerPeers().get(0).id()).isEqualTo(self);
    }

    @Test
    void putThenGetValueReturnsTheRecordStamped() throws Exception {
        byte[] key = "/p2p-sync/k".getBytes(StandardCharsets.UTF_8);
        KadMessage put = new KadMessage(MessageType.PUT_VALUE, key, new KadRecord(key, new byte[] {9}, null), null, null);
        assertThat(server.answer(asker, put)).contains(put);
        KadRecord got = server.answer(asker, new KadMessage(MessageType.GET_VALUE, key, null, null, null)).orElseThrow()
                .record();
        assertThat(got.value()).containsExactly(9);
        assertThat(got.timeReceived()).isNotEmpty();
    }

    @Test
    void aValueLargerThanARecordTakesIsRefusedAndNotStored() throws Exception {
        byte[] key = "/p2p-sync/large".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] value = new byte[RecordStore.MAX_VALUE_BYTES + 1];
        assertThatThrownBy(() -> server.answer(asker, new KadMessage(MessageType.PUT_VALUE, key,
                new KadRecord(key, value, null), null, null))).isInstanceOf(KadException.class);
        assertThat(server.answer(asker, new KadMessage(MessageType.GET_VALUE, key, null, null, null)).orElseThrow()
                .record()).isNull();
    }

    @Test
    void aPublicKeyRecordMustHoldThatPeersKey() throws Exception {
        PrivateKey owner = PrivateKey.generate();
        byte[] key = concat("/pk/".getBytes(StandardCharsets.US_ASCII), owner.peerId().bytes());
        byte[] good = owner.publicKey().toProtobuf();
        byte[] wrong = PrivateKey.generate().publicKey().toProtobuf();
        assertThat(server.answer(asker, new KadMessage(MessageType.PUT_VALUE, key, new KadRecord(key, good, null), null,
                null))).isPresent();
        assertThatThrownBy(() -> server.answer(asker, new KadMessage(MessageType.PUT_VALUE, key,
                new KadRecord(key, wrong, null), null, null))).isInstanceOf(KadException.class);
    }

    @Test
    void onlyTheSenderIsRecordedAsProvider() throws Exception {
        byte[] key = {1, 2, 3};
        Multiaddr askerAddr = Multiaddr.parse("/ip4/127.0.0.8/tcp/5001");
        KadMessage add = new KadMessage(MessageType.ADD_PROVIDER, key, null, null, List.of(
                new KadPeer(asker, List.of(askerAddr), null), new KadPeer(known, List.of(knownAddr), null)));
        assertThat(server.answer(asker, add)).isEmpty();

        KadMessage providers = server.answer(known, new KadMessage(MessageType.GET_PROVIDERS, key, null, null, null))
                .orElseThrow();
        assertThat(providers.providerPeers()).extracting(KadPeer::id).containsExactly(asker);
        assertThat(providers.providerPeers().get(0).addrs()).containsExactly(askerAddr);
    }

    @Test
    void anEmptyOrHugeKeyIsRefused() {
        assertThatThrownBy(() -> server.answer(asker, new KadMessage(MessageType.GET_VALUE, new byte[0], null, null, null)))
                .isInstanceOf(KadException.class);
        assertThatThrownBy(() -> server.answer(asker, new KadMessage(MessageType.GET_PROVIDERS, new byte[2000], null,
                null, null))).isInstanceOf(KadException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
