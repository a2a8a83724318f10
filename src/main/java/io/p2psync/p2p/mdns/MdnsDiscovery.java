package io.p2psync.p2p.mdns;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.p2psync.p2p.core.PeerId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's mDNS discovery: joins the multicast group on one interface, asks for peers at start and then
 * every {@link MdnsConfig#queryInterval()}, answers others' questions, and reports what it hears to a
 * {@link PeerDiscoveryListener}. It never reports itself. Owns one event-loop thread.
 *
 * <pre>{@code
 * MdnsDiscovery mdns = new MdnsDiscovery(MdnsConfig.defaults(), key.peerId(), host::listenAddrs, host::dial);
 * mdns.start();
 * ...
 * mdns.close();
 * }</pre>
 */
public final class MdnsDiscovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MdnsDiscovery.class);
    /** The spec asks for a random lower-case alphanumeric peer name of at least 32 characters. */
    private static final int PEER_NAME_LENGTH = 32;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int MULTICAST_TTL = 255;

    private final MdnsConfig config;
    private final PeerId self;
    private final Supplier<List<String>> listenAddrs;
    private final PeerDiscoveryListener listener;
    private final String peerName = randomPeerName();
    private EventLoopGroup group;
    private DatagramChannel channel;
    private ScheduledFuture<?> queries;

    /**
     * @param self our peer id, appended as {@code /p2p/<self>} to addresses that lack it
     * @param listenAddrs our current listen multiaddrs; read at every question, so it may change
     * @param listener told about every other peer heard
     */
    public MdnsDiscovery(MdnsConfig config, PeerId self, Supplier<List<String>> listenAddrs, PeerDiscoveryListener listener) {
        this.config = config;
        this.self = self;
        this.listenAddrs = listenAddrs;
        this.listener = listener;
    }

    /**
     * Binds the mDNS port (shared with other responders through SO_REUSEADDR), joins the group and sends
     * the first question.
     *
     * @throws UncheckedIOException if no multicast interface is up or the socket cannot be bound or joined
     */
    public synchronized void start() {
        if (channel != null) {
            throw new IllegalStateException("already started");
        }
        NetworkInterface nif = config.networkInterface().orElseGet(MdnsDiscovery::pickInterface);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            channel = (DatagramChannel) new Bootstrap().group(group)
                    .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET))
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.IP_MULTICAST_IF, nif)
                    .option(ChannelOption.IP_MULTICAST_TTL, MULTICAST_TTL)
                    .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, false) // other nodes on this host hear us
                    .handler(new MdnsChannelInitializer(
                            () -> new MdnsHandler(config, peerName, self, this::ownAddrs, listener)))
                    .bind(config.group().getPort()).sync().channel();
            channel.joinGroup(config.group(), nif).sync();
        } catch (Exception e) {
            close();
            throw new UncheckedIOException(new IOException("cannot join mDNS group " + config.group() + " on " + nif.getName(), e));
        }
        queries = channel.eventLoop().scheduleAtFixedRate(this::query, 0, config.queryInterval().toMillis(), TimeUnit.MILLISECONDS);
        log.info("mDNS discovery on {} as {} for {}", nif.getName(), peerName, self);
    }

    /** The random name this node answers under, {@code <peerName>.<service>}. */
    public String peerName() {
        return peerName;
    }

    /** Sends a peers question now, besides the scheduled ones. */
    public void query() {
        DatagramChannel ch = channel;
        if (ch == null) {
            return;
        }
        ch.writeAndFlush(MdnsMessages.query(config.serviceName(), config.group())).addListener(f -> {
            if (!f.isSuccess()) {
                log.debug("could not send mDNS query: {}", f.cause().toString());
            }
        });
    }

    private List<String> ownAddrs() {
        String suffix = "/p2p/" + self;
        return listenAddrs.get().stream().map(a -> a.endsWith(suffix) ? a : a + suffix).toList();
    }

    /** Leaves the group and releases the socket and thread. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (queries != null) {
            queries.cancel(false);
            queries = null;
        }
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
    }

    /** An up, multicast-capable interface with an IPv4 address, preferring one that is not loopback. */
    static NetworkInterface pickInterface() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(MdnsDiscovery::usable)
                    .min(Comparator.comparing(MdnsDiscovery::isLoopback))
                    .orElseThrow(() -> new UncheckedIOException(new SocketException("no multicast-capable IPv4 interface is up")));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean usable(NetworkInterface nif) {
        try {
            return nif.isUp() && nif.supportsMulticast()
                    && nif.inetAddresses().anyMatch(a -> a instanceof Inet4Address);
        } catch (SocketException e) {
            return false;
        }
    }

    private static boolean isLoopback(NetworkInterface nif) {
        try {
            return nif.isLoopback();
        } catch (SocketException e) {
            return true;
        }
    }

    private static String randomPeerName() {
        SecureRandom random = new SecureRandom();
        StringBuilder name = new StringBuilder(PEER_NAME_LENGTH);
        for (int i = 0; i < PEER_NAME_LENGTH; i++) {
            name.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return name.toString();
    }
}
