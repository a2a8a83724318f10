package io.p2psync.p2p.mdns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsPtrRecord;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mDNS pipeline at the byte level: what it answers, what it reports, what it drops. */
class MdnsChannelTest {

    private static final String SERVICE = MdnsConfig.SERVICE_NAME;
    private static final InetSocketAddress GROUP = MdnsConfig.MDNS_GROUP;
    private static final InetSocketAddress SENDER = new InetSocketAddress("192.168.1.20", 5353);
    private static final String OWN_NAME = "ownpeernameownpeernameownpeernam";
    private static final PeerId JS_PEER = PeerId.parse("12D3KooWAXBG2iCytSoiCCyisLNnRygM5F9xfzm3fx6E4LMt3uiq");

    private final PeerId self = PrivateKey.generate().peerId();
    private final List<String> ownAddrs = new ArrayList<>(List.of("/ip4/192.168.1.10/tcp/4001/p2p/" + self));
    private final List<DiscoveredPeer> discovered = new ArrayList<>();
    private final List<ByteBuf> sent = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final EmbeddedChannel channel = new EmbeddedChannel(new MdnsChannelInitializer(() -> new MdnsHandler(
            MdnsConfig.defaults(), OWN_NAME, self, () -> List.copyOf(ownAddrs), discovered::add, nanos::get)));

    @AfterEach
    void allBuffersReleased() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
        sent.forEach(b -> assertThat(b.refCnt()).as("inbound packet released").isZero());
    }

    @Test
    void answersAPeersQuestionWithPtrAndOneDnsaddrTxtPerAddress() {
        ownAddrs.add("/ip6/fe80::1/tcp/4001/p2p/" + self);

        receive(resource("js-query.hex"));

        DatagramPacket out = channel.readOutbound();
        assertThat(out.recipient()).isEqualTo(GROUP);
        readResponse(out, response -> {
            assertThat(response.isAuthoritativeAnswer()).isTrue();
            assertThat(response.count(DnsSection.ANSWER)).isEqualTo(1);
            DnsPtrRecord ptr = response.recordAt(DnsSection.ANSWER, 0);
            assertThat(ptr.name()).isEqualTo(SERVICE + ".");
            assertThat(ptr.hostname()).isEqualTo(OWN_NAME + "." + SERVICE + ".");
            List<String> txt = new ArrayList<>();
            for (int i = 0; i < response.count(DnsSection.ADDITIONAL); i++) {
                DnsRawRecord r = response.recordAt(DnsSection.ADDITIONAL, i);
                assertThat(r.type()).isEqualTo(DnsRecordType.TXT);
                assertThat(r.name()).isEqualTo(OWN_NAME + "." + SERVICE + ".");
                txt.addAll(MdnsMessages.txtStrings(r.content()));
            }
            assertThat(txt).containsExactly("dnsaddr=" + ownAddrs.get(0), "dnsaddr=" + ownAddrs.get(1));
        });
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    @Test
    void answersAtMostOnceASecondHoweverOftenItIsAsked() {
        for (int i = 0; i < 5; i++) {
            receive(resource("js-query.hex"));
        }
        assertThat(drainOutbound()).isEqualTo(1);

        nanos.addAndGet(MdnsHandler.MIN_RESPONSE_INTERVAL_NANOS - 1);
        receive(resource("js-query.hex"));
        assertThat(drainOutbound()).isZero();

        nanos.addAndGet(1);
        receive(resource("js-query.hex"));
        assertThat(drainOutbound()).isEqualTo(1);
    }

    private int drainOutbound() {
        int count = 0;
        DatagramPacket out;
        while ((out = channel.readOutbound()) != null) {
            out.release();
            count++;
        }
        return count;
    }

    @Test
    void staysSilentWithoutListenAddresses() {
        ownAddrs.clear();

        receive(resource("js-query.hex"));

        assertThat(channel.<Object>readOutbound()).isNull();
    }

    @Test
    void ignoresQuestionsForOtherServices() {
        DatagramDnsQuery q = new DatagramDnsQuery(null, GROUP, 0);
        q.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion("_ipp._tcp.local", DnsRecordType.PTR));

        receive(encode(q));

        assertThat(channel.<Object>readOutbound()).isNull();
    }

    @Test
    void queryAsksForPeersOfTheService() {
        EmbeddedChannel encoder = new EmbeddedChannel(new DatagramDnsQueryEncoder());
        encoder.writeOutbound(MdnsMessages.query(SERVICE, GROUP));
        DatagramPacket packet = encoder.readOutbound();
        try {
            assertThat(HexFormat.of().formatHex(ByteBufUtilBytes.of(packet.content()))).isEqualTo(resource("js-query.hex"));
            assertThat(packet.recipient()).isEqualTo(GROUP);
        } finally {
            packet.release();
            encoder.finishAndReleaseAll();
        }
    }

    @Test
    void reportsThePeerInAJsLibp2pResponse() {
        receive(resource("js-response.hex"));

        assertThat(discovered).containsExactly(new DiscoveredPeer(JS_PEER, List.of(
                "/ip4/127.0.0.1/tcp/35215/p2p/" + JS_PEER, "/ip4/192.168.1.20/tcp/35215/p2p/" + JS_PEER)));
    }

    @Test
    void readsItsOwnResponseFormatBackFromAnotherNode() {
        PeerId other = PrivateKey.generate().peerId();
        String addr = "/ip4/192.168.1.30/tcp/4001/p2p/" + other;
        receive(encode(MdnsMessages.response(SERVICE, "othernameothernameothernameother", List.of(addr), GROUP,
                io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)));

        assertThat(discovered).containsExactly(new DiscoveredPeer(other, List.of(addr)));
    }

    @Test
    void ignoresItsOwnResponse() {
        receive(encode(MdnsMessages.response(SERVICE, OWN_NAME, ownAddrs, GROUP, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)));

        assertThat(discovered).isEmpty();
    }

    @Test
    void ignoresAnotherNameAnnouncingOurPeerId() {
        receive(encode(MdnsMessages.response(SERVICE, "impostorimpostorimpostorimpostor", ownAddrs, GROUP,
                io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)));

        assertThat(discovered).isEmpty();
    }

    @Test
    void ignoresResponsesAboutOtherServices() {
        DatagramDnsResponse r = new DatagramDnsResponse(null, GROUP, 0);
        r.addRecord(DnsSection.ANSWER, new DefaultDnsPtrRecord("_ipp._tcp.local", DnsRecord.CLASS_IN, 120, "printer._ipp._tcp.local"));

        receive(encode(r));

        assertThat(discovered).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void dropsGarbageAndKeepsListening() {
        receive("00");
        receive("0000840000010000");
        receive("ffffffffffffffffffffffffffffffffffff");

        assertThat(channel.isOpen()).isTrue();
        receive(resource("js-response.hex"));
        assertThat(discovered).hasSize(1);
    }

    @Test
    void dropsAPeerWithoutDnsaddr() {
        receive(encode(responseWithTxt("peerpeerpeerpeerpeerpeerpeerpeer", txt("path=/"))));

        assertThat(discovered).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void dropsADnsaddrWithoutPeerId() {
        receive(encode(responseWithTxt("peerpeerpeerpeerpeerpeerpeerpeer", txt("dnsaddr=/ip4/10.0.0.1/tcp/4001"))));

        assertThat(discovered).isEmpty();
    }

    @Test
    void dropsAPeerNameAnnouncingTwoPeerIds() {
        PeerId a = PrivateKey.generate().peerId();
        PeerId b = PrivateKey.generate().peerId();
        receive(encode(responseWithTxt("peerpeerpeerpeerpeerpeerpeerpeer",
                txt("dnsaddr=/ip4/10.0.0.1/tcp/4001/p2p/" + a, "dnsaddr=/ip4/10.0.0.2/tcp/4001/p2p/" + b))));

        assertThat(discovered).isEmpty();
    }

    @Test
    void dropsATxtStringThatRunsPastItsRecord() {
        ByteBuf rdata = Unpooled.buffer().writeByte(200).writeBytes("dnsaddr=/ip4/1.2.3.4".getBytes(StandardCharsets.US_ASCII));
        receive(encode(responseWithTxt("peerpeerpeerpeerpeerpeerpeerpeer", rdata)));

        assertThat(discovered).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void keepsListeningWhenTheListenerThrows() {
        EmbeddedChannel failing = new EmbeddedChannel(new MdnsChannelInitializer(() -> new MdnsHandler(MdnsConfig.defaults(),
                OWN_NAME, self, List::of, peer -> {
                    throw new IllegalStateException("boom");
                })));
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(resource("js-response.hex")));
        failing.writeInbound(new DatagramPacket(in, GROUP, SENDER));

        assertThat(failing.isOpen()).isTrue();
        assertThat(in.refCnt()).isZero();
        assertThat(failing.finishAndReleaseAll()).isFalse();
    }

    private static DatagramDnsResponse responseWithTxt(String peerName, ByteBuf rdata) {
        String instance = peerName + "." + SERVICE;
        DatagramDnsResponse r = new DatagramDnsResponse(null, GROUP, 0);
        r.addRecord(DnsSection.ANSWER, new DefaultDnsPtrRecord(SERVICE, DnsRecord.CLASS_IN, 120, instance));
        r.addRecord(DnsSection.ADDITIONAL, new DefaultDnsRawRecord(instance, DnsRecordType.TXT, 120, rdata));
        return r;
    }

    private static ByteBuf txt(String... strings) {
        ByteBuf buf = Unpooled.buffer();
        for (String s : strings) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            buf.writeByte(b.length).writeBytes(b);
        }
        return buf;
    }

    private void receive(String hex) {
        ByteBuf buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
        sent.add(buf);
        channel.writeInbound(new DatagramPacket(buf, GROUP, SENDER));
    }

    /** Encodes with Netty's own encoders, as another node would send it. */
    private static String encode(Object dnsMessage) {
        EmbeddedChannel encoder = new EmbeddedChannel(new MdnsPacketCodecs.QueryEncoder(), new MdnsPacketCodecs.ResponseEncoder());
        encoder.writeOutbound(dnsMessage);
        DatagramPacket packet = encoder.readOutbound();
        try {
            return HexFormat.of().formatHex(ByteBufUtilBytes.of(packet.content()));
        } finally {
            packet.release();
            encoder.finishAndReleaseAll();
        }
    }

    private static void readResponse(DatagramPacket packet, Consumer<DatagramDnsResponse> check) {
        EmbeddedChannel decoder = new EmbeddedChannel(new DatagramDnsResponseDecoder());
        decoder.writeInbound(new DatagramPacket(packet.content(), packet.recipient(), SENDER));
        DatagramDnsResponse response = decoder.readInbound();
        try {
            check.accept(response);
        } finally {
            response.release();
            decoder.finishAndReleaseAll();
        }
    }

    private static String resource(String name) {
        try (InputStream in = MdnsChannelTest.class.getResourceAsStream("/p2p/mdns/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class ByteBufUtilBytes {
        static byte[] of(ByteBuf buf) {
            return io.netty.buffer.ByteBufUtil.getBytes(buf);
        }
    }
}
