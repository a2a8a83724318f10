package io.p2psync.p2p.mdns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The mDNS socket's pipeline (Netty's DNS codecs as {@link MdnsPacketCodecs} share them, then
 * {@link MdnsHandler}) fed arbitrary and damaged datagrams: js-libp2p's recorded question and answer, and
 * this node's own answer. Whatever arrives, no exception leaves the pipeline, the socket stays open, every
 * packet is released, and every peer reported is well formed: a peer id other than this node's, and
 * addresses that each end in {@code /p2p/} and that id.
 */
class MdnsFuzzTest {

    private static final InetSocketAddress SENDER = new InetSocketAddress("192.168.1.20", 5353);
    private static final String OWN_NAME = "ownpeernameownpeernameownpeernam";
    private static final PeerId SELF = PrivateKey.fromSeed(new byte[32]).peerId();

    @Property(tries = 1000)
    void anyDatagramIsReadOrDropped(@ForAll("anyBytes") byte[] bytes) {
        receive(bytes);
    }

    @Property(tries = 1000)
    void aDamagedDatagramIsReadOrDropped(@ForAll("damagedPackets") Mutant mutant) {
        receive(mutant.bytes());
    }

    @Property(tries = 1000)
    void txtRdataIsSplitOrRefused(@ForAll("anyBytes") byte[] rdata) {
        List<String> strings;
        try {
            strings = MdnsMessages.txtStrings(Unpooled.wrappedBuffer(rdata));
        } catch (MdnsFormatException refused) {
            return;
        }
        assertThat(strings.size()).as("each string costs at least its length byte").isLessThanOrEqualTo(rdata.length);
    }

    @Property(tries = 500)
    void txtStringsRoundTrip(@ForAll("txtStrings") List<String> strings) {
        ByteBuf rdata = Unpooled.buffer();
        for (String s : strings) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            rdata.writeByte(b.length).writeBytes(b);
        }
        assertThat(MdnsMessages.txtStrings(rdata)).isEqualTo(strings);
    }

    @Provide
    Arbitrary<List<String>> txtStrings() {
        return Arbitraries.strings().ascii().ofMaxLength(MdnsMessages.MAX_TXT_STRING).list().ofMaxSize(4);
    }

    private static void receive(byte[] bytes) {
        List<DiscoveredPeer> discovered = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new MdnsChannelInitializer(() -> new MdnsHandler(
                MdnsConfig.defaults(), OWN_NAME, SELF, () -> List.of("/ip4/192.168.1.10/tcp/4001/p2p/" + SELF),
                discovered::add)));
        ByteBuf buf = Unpooled.buffer(Math.max(1, bytes.length)).writeBytes(bytes); // never the shared empty buffer
        try {
            channel.writeInbound(new DatagramPacket(buf, MdnsConfig.MDNS_GROUP, SENDER));
            channel.checkException();
            assertThat(channel.isOpen()).as("the socket stays open").isTrue();
        } finally {
            channel.finishAndReleaseAll();
        }
        assertThat(buf.refCnt()).as("the packet is released").isZero();
        for (DiscoveredPeer peer : discovered) {
            assertThat(peer.peerId()).isNotEqualTo(SELF);
            assertThat(peer.multiaddrs()).isNotEmpty()
                    .allSatisfy(addr -> assertThat(addr).startsWith("/").endsWith("/p2p/" + peer.peerId()));
        }
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(120);
    }

    @Provide
    Arbitrary<Mutant> damagedPackets() {
        PeerId other = PrivateKey.fromSeed(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                31, 32}).peerId();
        EmbeddedChannel encoder = new EmbeddedChannel(new MdnsPacketCodecs.QueryEncoder(), new MdnsPacketCodecs.ResponseEncoder());
        encoder.writeOutbound(MdnsMessages.response(MdnsConfig.SERVICE_NAME, "someotherpeer",
                List.of("/ip4/192.168.1.11/tcp/4001/p2p/" + other, "/dns4/host.local/tcp/4001/p2p/" + other),
                MdnsConfig.MDNS_GROUP, ByteBufAllocator.DEFAULT));
        DatagramPacket ours = encoder.readOutbound();
        byte[] ourResponse = ByteBufUtil.getBytes(ours.content());
        ours.release();
        encoder.finishAndReleaseAll();
        return Mutations.of(List.of(resource("js-response.hex"), resource("js-query.hex"), ourResponse));
    }

    private static byte[] resource(String name) {
        try (InputStream in = MdnsFuzzTest.class.getResourceAsStream("/p2p/mdns/" + name)) {
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
