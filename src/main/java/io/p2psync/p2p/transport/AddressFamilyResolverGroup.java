package io.p2psync.p2p.transport;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Resolves host names with the JDK (as Netty's default resolver does) but keeps only the addresses of
 * one family, so that {@code /dns4/…} dials IPv4 and {@code /dns6/…} dials IPv6 (multiaddr spec).
 */
final class AddressFamilyResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    static final AddressFamilyResolverGroup ANY = new AddressFamilyResolverGroup("any", a -> true);
    static final AddressFamilyResolverGroup IP4 = new AddressFamilyResolverGroup("IPv4", a -> a instanceof Inet4Address);
    static final AddressFamilyResolverGroup IP6 = new AddressFamilyResolverGroup("IPv6", a -> a instanceof Inet6Address);

    private final String family;
    private final Predicate<InetAddress> accepted;

    private AddressFamilyResolverGroup(String family, Predicate<InetAddress> accepted) {
        this.family = family;
        this.accepted = accepted;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                try {
                    promise.setSuccess(lookUp(host).get(0));
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                try {
                    promise.setSuccess(lookUp(host));
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }
        }.asAddressResolver();
    }

    private List<InetAddress> lookUp(String host) throws UnknownHostException {
        List<InetAddress> found = Arrays.stream(InetAddress.getAllByName(host)).filter(accepted).toList();
        if (found.isEmpty()) {
            throw new UnknownHostException(host + " has no " + family + " address");
        }
        return found;
    }
}
