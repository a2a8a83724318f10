package io.p2psync.p2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * TCP listen and dial on a shared NIO event loop group, which the caller owns and shuts down.
 */
public final class TcpTransport {

    /** How long a dial may take to establish the TCP connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup group;

    public TcpTransport(EventLoopGroup group) {
        this.group = group;
    }

    /**
     * Binds a listener.
     *
     * @param address {@code /ip4|ip6/host/tcp/port}; port 0 picks a free port
     * @param onAccepted called with each accepted connection, on its event loop, before it reads
     * @return the bound server channel (close it to stop listening)
     * @throws MultiaddrException if the address is not an IP and TCP port
     */
    public ChannelFuture listen(Multiaddr address, Consumer<SocketChannel> onAccepted) {
        InetSocketAddress socket = address.toTcpSocketAddress();
        if (socket.isUnresolved()) {
            throw new MultiaddrException("listen on an IP address, not a name: " + address);
        }
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(initializer(onAccepted))
                .bind(socket);
    }

    /**
     * Dials {@code address}; {@code onConnecting} installs the channel's handlers before it connects.
     *
     * @throws MultiaddrException if the address is not a host and a TCP port
     */
    public ChannelFuture dial(Multiaddr address, Consumer<SocketChannel> onConnecting) {
        InetSocketAddress socket = address.toTcpSocketAddress();
        AddressFamilyResolverGroup resolver = switch (address.components().get(0).protocol()) {
            case DNS4 -> AddressFamilyResolverGroup.IP4;
            case DNS6 -> AddressFamilyResolverGroup.IP6;
            default -> AddressFamilyResolverGroup.ANY;
        };
        return new Bootstrap()
                .group(group)
                .resolver(resolver)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(initializer(onConnecting))
                .connect(socket);
    }

    /**
     * Dials {@code address} from local port {@code localPort} of any address, as a hole punch does: the NATs on the
     * way map the port the peer was told about, and two such dials towards each other can meet as one TCP
     * simultaneous open. The port may be bound by other dials at the same time ({@code SO_REUSEADDR}), not by a
     * listener.
     *
     * @throws MultiaddrException if the address is not an IP address and a TCP port
     */
    public ChannelFuture dialFrom(int localPort, Multiaddr address, Consumer<SocketChannel> onConnecting) {
        InetSocketAddress socket = address.toTcpSocketAddress();
        if (socket.isUnresolved()) {
            throw new MultiaddrException("a hole punch dials an IP address, not a name: " + address);
        }
        return new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(initializer(onConnecting))
                .connect(socket, new InetSocketAddress(localPort));
    }

    private static ChannelInitializer<SocketChannel> initializer(Consumer<SocketChannel> init) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                init.accept(ch);
            }
        };
    }
}
