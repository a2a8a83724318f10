package io.p2psync.p2p.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.p2psync.p2p.autonat.AutoNatMessage.Dial;
import io.p2psync.p2p.autonat.AutoNatMessage.DialResponse;
import io.p2psync.p2p.autonat.pb.AutoNatProto;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.host.RedialPolicy;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.kad.DhtNode;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real hosts on 127.0.0.1: a server that dials back, and clients that ask it, with well-formed requests through
 * {@link AutoNatClient} and hand-made ones (other IPs, closed ports, malformed bytes) on a raw stream.
 */
class AutoNatTest {

    private static final Duration LONG = Duration.ofHours(1);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A host with identify (which takes every peer's word on its observed address) on 127.0.0.1. */
    private record Node(Host host, IdentifyProtocol identify) {
    }

    private Node node() {
        AtomicReference<Host> self = new AtomicReference<>();
        IdentifyProtocol identify = DhtNode.identify(self::get); // the host's addresses and protocols as they are now
        Host host = Host.builder().privateKey(PrivateKey.generate()).listen("/ip4/127.0.0.1/tcp/0").protocol(identify)
                .redialPolicy(RedialPolicy.NEVER).start();
        self.set(host);
        open.add(host);
        return new Node(host, identify);
    }

    /** A server that, on 127.0.0.1 like every host here, must be told to dial back loopback addresses. */
    private Node server(Predicate<PeerId> serves) {
        Node server = node();
        AutoNatServer.install(server.host(), serves, true);
        return server;
    }

    private AutoNatClient client(Node node, java.util.function.Supplier<List<Multiaddr>> listen) {
        AutoNatClient client = AutoNatClient.start(node.host(), node.identify(), p -> true, true, listen, LONG, LONG);
        open.add(client);
        return client;
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static Multiaddr address(Node node) {
        return node.host().listenAddresses().get(0).withPeerId(node.host().peerId());
    }

    @Test
    void serverDialsTheClientBackAtItsListenAddressAndAnswersOk() throws Exception {
        Node server = server(p -> true);
        Node client = node();
        AutoNatClient autoNat = client(client, client.host()::listenAddresses);
        Connection toServer = get(client.host().dial(address(server)));
        List<Connection> connected = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.host().addConnectionListener(new io.p2psync.p2p.host.ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                connected.add(connection);
            }
        });

        ProbeOutcome outcome = get(autoNat.probe(toServer));

        assertThat(outcome.verdict()).isEqualTo(ProbeOutcome.Verdict.REACHABLE);
        // the dial-back came in under a peer id of its own, so it never became the connection to the server that
        // carries the client's new streams
        assertThat(connected).singleElement().satisfies(c -> {
            assertThat(c.outbound()).isFalse();
            assertThat(c.remotePeer()).isNotEqualTo(server.host().peerId());
        });
        assertThat(client.host().connection(server.host().peerId())).contains(toServer);
        // the listen port, which the open connection (from an ephemeral port of the client) is not on
        assertThat(outcome.address()).contains(client.host().listenAddresses().get(0));
        assertThat(toServer.remoteAddress().toTcpSocketAddress().getPort())
                .isNotEqualTo(client.host().listenAddresses().get(0).toTcpSocketAddress().getPort());
        assertThat(toServer.isOpen()).isTrue();
        // the dial-back was a connection of its own, closed again
        await().atMost(Duration.ofSeconds(10)).until(() -> client.host().connections().size() == 1);
        assertThat(server.host().connections()).hasSize(1);
    }

    /**
     * A peer inside the same network (here 127.0.0.1; a LAN alike) could dial the client back whether or not anyone
     * outside its NAT can: by default the server refuses to, and the client does not ask such a peer.
     */
    @Test
    void byDefaultNeitherSideTakesADialBackFromInsideTheSameNetworkAsAnAnswer() throws Exception {
        Node server = node();
        AutoNatServer.install(server.host(), p -> true);
        Node client = node();
        AutoNatClient asksAll = client(client, client.host()::listenAddresses);
        Connection toServer = get(client.host().dial(address(server)));

        ProbeOutcome refused = get(asksAll.probe(toServer));
        assertThat(refused.verdict()).isEqualTo(ProbeOutcome.Verdict.NONE);
        assertThat(refused.reason()).contains("E_DIAL_REFUSED").contains("private address");

        Node other = node();
        AutoNatClient byDefault = AutoNatClient.start(other.host(), other.identify(), p -> true, LONG, LONG);
        open.add(byDefault);
        get(other.host().dial(address(server(p -> true))));
        assertThat(get(byDefault.round())).as("no peer at a public address to ask").isEqualTo(Reachability.UNKNOWN);
    }

    @Test
    void clientTurnsPublicWhenDialledBackAndPrivateWhenNot() throws Exception {
        Node server = server(p -> true);
        Node reachable = node();
        AutoNatClient publicClient = client(reachable, reachable.host()::listenAddresses);
        get(reachable.host().dial(address(server)));
        assertThat(publicClient.reachability()).isEqualTo(Reachability.UNKNOWN);
        assertThat(get(publicClient.round())).isEqualTo(Reachability.PUBLIC);

        // a node whose listen address nobody answers at: a port that is closed
        Node hidden = node();
        int closed = closedPort();
        AutoNatClient privateClient = client(hidden, () -> List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + closed)));
        List<Reachability> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        privateClient.onChange(changes::add);
        get(hidden.host().dial(address(server)));
        assertThat(get(privateClient.round())).isEqualTo(Reachability.PRIVATE);
        assertThat(changes).containsExactly(Reachability.PRIVATE);
    }

    @Test
    void clientStaysUnknownWhenThePeerRefuses() throws Exception {
        Node server = server(p -> false);
        Node client = node();
        AutoNatClient autoNat = client(client, client.host()::listenAddresses);
        Connection toServer = get(client.host().dial(address(server)));

        ProbeOutcome outcome = get(autoNat.probe(toServer));

        assertThat(outcome.verdict()).isEqualTo(ProbeOutcome.Verdict.NONE);
        assertThat(outcome.reason()).contains("E_DIAL_REFUSED");
        assertThat(get(autoNat.round())).isEqualTo(Reachability.UNKNOWN);
    }

    @Test
    void aPeerThatIsNotServedIsRefusedWithoutADial() throws Exception {
        Node client = node();
        Node server = server(p -> !p.equals(client.host().peerId()));
        try (ServerSocketChannel listener = nonBlockingListener("127.0.0.1")) {
            DialResponse response = request(client, server, new Dial(client.host().peerId(),
                    List.of(tcp("127.0.0.1", listener))));

            assertThat(response.status()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
            assertThat(listener.accept()).as("a connection to the listener").isNull();
        }
    }

    @Test
    void anAddressOnAnotherIpThanObservedIsNotDialled() throws Exception {
        Node server = server(p -> true);
        Node client = node();
        try (ServerSocketChannel elsewhere = nonBlockingListener("127.0.0.2")) {
            DialResponse onlyElsewhere = request(client, server, new Dial(client.host().peerId(),
                    List.of(tcp("127.0.0.2", elsewhere))));
            DialResponse both = request(client, server, new Dial(client.host().peerId(),
                    List.of(tcp("127.0.0.2", elsewhere), client.host().listenAddresses().get(0))));

            assertThat(onlyElsewhere.status()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
            assertThat(both.status()).isEqualTo(ResponseStatus.OK);
            assertThat(both.address()).contains(client.host().listenAddresses().get(0));
            assertThat(elsewhere.accept()).as("a connection to 127.0.0.2").isNull();
        }
    }

    @Test
    void aClosedPortGivesDialError() throws Exception {
        Node server = server(p -> true);
        Node client = node();

        DialResponse response = request(client, server, new Dial(client.host().peerId(),
                List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + closedPort()))));

        assertThat(response.status()).isEqualTo(ResponseStatus.E_DIAL_ERROR);
        assertThat(response.address()).isEmpty();
    }

    @Test
    void anAddressWhereAnotherPeerAnswersGivesDialError() throws Exception {
        Node server = server(p -> true);
        Node client = node();
        Node other = node();

        DialResponse response = request(client, server, new Dial(client.host().peerId(),
                List.of(other.host().listenAddresses().get(0))));

        assertThat(response.status()).isEqualTo(ResponseStatus.E_DIAL_ERROR);
    }

    @Test
    void aDialInTheNameOfAnotherPeerOrNoDialAtAllIsABadRequest() throws Exception {
        Node server = server(p -> true);
        Node client = node();
        Node other = node();

        DialResponse otherPeer = request(client, server, new Dial(other.host().peerId(),
                other.host().listenAddresses()));
        DialResponse aResponse = request(client, server, DialResponse.error(ResponseStatus.OK, "hello"));
        DialResponse noType = response(rawExchange(client, server, frame(AutoNatProto.Message.newBuilder()
                .setDial(AutoNatProto.Message.Dial.getDefaultInstance()).build().toByteArray())));

        assertThat(otherPeer.status()).isEqualTo(ResponseStatus.E_BAD_REQUEST);
        assertThat(aResponse.status()).isEqualTo(ResponseStatus.E_BAD_REQUEST);
        assertThat(noType.status()).isEqualTo(ResponseStatus.E_BAD_REQUEST);
    }

    @Test
    void malformedAndOversizedMessagesAreDroppedAndTheServerGoesOn() throws Exception {
        Node server = server(p -> true);
        Node client = node();

        CompletableFuture<byte[]> notProtobuf = rawExchange(client, server, frame(new byte[] {(byte) 0xff, 0x01, 0x02}));
        byte[] huge = new byte[AutoNatMessage.MAX_MESSAGE_SIZE + 1];
        CompletableFuture<byte[]> oversized = rawExchange(client, server, frame(huge));
        CompletableFuture<byte[]> badVarint = rawExchange(client, server, new byte[] {(byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01});

        for (CompletableFuture<byte[]> dropped : List.of(notProtobuf, oversized, badVarint)) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> get(dropped));
            assertThat(e.getCause()).as("no answer, the stream closed").isInstanceOf(EOFException.class);
        }
        assertThat(server.host().isConnected(client.host().peerId())).isTrue();
        DialResponse after = request(client, server, new Dial(client.host().peerId(),
                client.host().listenAddresses()));
        assertThat(after.status()).isEqualTo(ResponseStatus.OK);
    }

    // ---- helpers

    /** Sends {@code message} on a new AutoNAT stream from {@code client} to {@code server} and reads the answer. */
    private DialResponse request(Node client, Node server, AutoNatMessage message) throws Exception {
        return response(rawExchange(client, server, frame(message.toWire())));
    }

    private static DialResponse response(CompletableFuture<byte[]> answer) throws Exception {
        return (DialResponse) AutoNatMessage.fromWire(get(answer));
    }

    /** Writes {@code bytes} as they are on a new AutoNAT stream; completes with the peer's one message. */
    private CompletableFuture<byte[]> rawExchange(Node client, Node server, byte[] bytes) throws Exception {
        Connection connection = get(client.host().dial(address(server)));
        CompletableFuture<AutoNatStream> opened = new CompletableFuture<>();
        ProtocolHandler raw = new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return List.of(AutoNatServer.PROTOCOL_ID);
            }

            @Override
            public void initStream(P2pStream stream) {
                AutoNatStream messages = AutoNatStream.on(stream.channel(), Duration.ofSeconds(30));
                stream.channel().writeAndFlush(Unpooled.wrappedBuffer(bytes));
                opened.complete(messages);
            }
        };
        return get(client.host().newStream(connection, raw).thenCompose(s -> opened)).received();
    }

    private static byte[] frame(byte[] body) {
        byte[] prefix = UnsignedVarint.encode(body.length);
        byte[] out = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** A listener that never accepts by itself: {@code accept()} answers a connection made to it, or null. */
    private static ServerSocketChannel nonBlockingListener(String ip) throws Exception {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(ip, 0));
        listener.configureBlocking(false);
        return listener;
    }

    private static Multiaddr tcp(String ip, ServerSocketChannel listener) throws Exception {
        return Multiaddr.parse("/ip4/" + ip + "/tcp/" + ((InetSocketAddress) listener.getLocalAddress()).getPort());
    }
}
