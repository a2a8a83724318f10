package io.p2psync.p2p.mdns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DefaultDnsPtrRecord;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsMessage;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import io.p2psync.p2p.core.PeerId;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds and reads the two mDNS messages of libp2p discovery. Names compare case-insensitively and with
 * or without the root dot, as DNS names do.
 *
 * <ul>
 *   <li>the question {@code <service> PTR} (spec: "Request");</li>
 *   <li>the response with the answer {@code <service> PTR <peer-name>.<service>} and additional records
 *       {@code <peer-name>.<service> TXT "dnsaddr=<multiaddr>/p2p/<id>"}, one per address (spec: "Response").
 *       Reading also accepts the TXT records among the answers, where js-libp2p puts them.</li>
 * </ul>
 */
final class MdnsMessages {

    /** Seconds a receiver may cache our records (RFC 6762 §10 recommends 120 s for host-related records). */
    static final long RECORD_TTL = 120;
    /** One TXT character-string holds at most 255 bytes (RFC 1035 §3.3). */
    static final int MAX_TXT_STRING = 255;
    static final String DNSADDR = "dnsaddr=";
    private static final String P2P = "/p2p/";

    private MdnsMessages() {
    }

    /** The {@code <service> PTR} question, addressed to {@code group}, with id 0 as mDNS wants (RFC 6762 §18.1). */
    static DatagramDnsQuery query(String serviceName, InetSocketAddress group) {
        DatagramDnsQuery query = new DatagramDnsQuery(null, group, 0);
        query.setRecursionDesired(false);
        query.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(serviceName, DnsRecordType.PTR));
        return query;
    }

    /** True if {@code query} asks for all peers of {@code serviceName}. */
    static boolean asksForPeers(DnsMessage query, String serviceName) {
        for (int i = 0; i < query.count(DnsSection.QUESTION); i++) {
            DnsRecord q = query.recordAt(DnsSection.QUESTION, i);
            if (q.type() == DnsRecordType.PTR && sameName(q.name(), serviceName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Our answer to a peers question. Addresses whose TXT string would pass 255 bytes are left out.
     *
     * @param multiaddrs full addresses, each ending in {@code /p2p/<our id>}
     */
    static DatagramDnsResponse response(String serviceName, String peerName, List<String> multiaddrs,
                                        InetSocketAddress group, ByteBufAllocator alloc) {
        String instance = peerName + "." + serviceName;
        DatagramDnsResponse response = new DatagramDnsResponse(null, group, 0);
        response.setAuthoritativeAnswer(true);
        response.addRecord(DnsSection.ANSWER,
                new DefaultDnsPtrRecord(serviceName, DnsRecord.CLASS_IN, RECORD_TTL, instance));
        for (String addr : multiaddrs) {
            byte[] text = (DNSADDR + addr).getBytes(StandardCharsets.UTF_8);
            if (text.length > MAX_TXT_STRING) {
                continue;
            }
            ByteBuf rdata = alloc.buffer(text.length + 1).writeByte(text.length).writeBytes(text);
            response.addRecord(DnsSection.ADDITIONAL,
                    new DefaultDnsRawRecord(instance, DnsRecordType.TXT, DnsRecord.CLASS_IN, RECORD_TTL, rdata));
        }
        return response;
    }

    /**
     * The peers a response announces for {@code serviceName}, except the one named {@code ownPeerName}.
     * An empty list means the response is about something else (another service, or ourselves).
     *
     * @throws MdnsFormatException if it announces a peer of the service but not in the spec's form
     */
    static List<DiscoveredPeer> peersIn(DnsMessage response, String serviceName, String ownPeerName) {
        List<DiscoveredPeer> peers = new ArrayList<>();
        String own = normalize(ownPeerName + "." + serviceName);
        for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
            DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
            if (r instanceof DnsPtrRecord ptr && sameName(ptr.name(), serviceName)
                    && !normalize(ptr.hostname()).equals(own)) {
                peers.add(peer(response, ptr.hostname()));
            }
        }
        return peers;
    }

    private static DiscoveredPeer peer(DnsMessage response, String instance) {
        Set<String> addrs = new LinkedHashSet<>();
        for (DnsSection section : List.of(DnsSection.ANSWER, DnsSection.ADDITIONAL)) {
            for (int i = 0; i < response.count(section); i++) {
                DnsRecord r = response.recordAt(section, i);
                if (r.type() == DnsRecordType.TXT && r instanceof DnsRawRecord txt && sameName(r.name(), instance)) {
                    for (String s : txtStrings(txt.content())) {
                        if (s.startsWith(DNSADDR)) {
                            addrs.add(s.substring(DNSADDR.length()));
                        }
                    }
                }
            }
        }
        if (addrs.isEmpty()) {
            throw new MdnsFormatException("no dnsaddr TXT record for " + instance);
        }
        PeerId id = null;
        for (String addr : addrs) {
            PeerId each = peerIdOf(addr);
            if (id != null && !id.equals(each)) {
                throw new MdnsFormatException(instance + " announces two peer ids: " + id + " and " + each);
            }
            id = each;
        }
        return new DiscoveredPeer(id, List.copyOf(addrs));
    }

    private static PeerId peerIdOf(String multiaddr) {
        int at = multiaddr.lastIndexOf(P2P);
        if (!multiaddr.startsWith("/") || at < 0) {
            throw new MdnsFormatException("dnsaddr without /p2p/<id>: " + multiaddr);
        }
        try {
            return PeerId.parse(multiaddr.substring(at + P2P.length()));
        } catch (IllegalArgumentException e) {
            throw new MdnsFormatException("dnsaddr with a bad peer id: " + multiaddr, e);
        }
    }

    /** The character-strings of TXT rdata: each a length byte and that many bytes (RFC 1035 §3.3.14). */
    static List<String> txtStrings(ByteBuf rdata) {
        List<String> out = new ArrayList<>();
        int i = rdata.readerIndex();
        int end = rdata.writerIndex();
        while (i < end) {
            int len = rdata.getUnsignedByte(i++);
            if (i + len > end) {
                throw new MdnsFormatException("TXT string of " + len + " bytes runs past its record");
            }
            out.add(rdata.toString(i, len, StandardCharsets.UTF_8));
            i += len;
        }
        return out;
    }

    static boolean sameName(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    private static String normalize(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }
}
