package io.p2psync.dashboard.devices;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The urls other devices can reach this node's REST API at: the address it listens on, or, when it listens
 * on every address, each address of this machine's interfaces that are up (IPv4 first, link-local ones left
 * out, loopback last since only this machine reaches it).
 */
@Component
class RestAddresses {

    private final Environment environment;

    RestAddresses(Environment environment) {
        this.environment = environment;
    }

    List<String> urls() {
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        String bound = environment.getProperty("server.address");
        List<InetAddress> addresses = new ArrayList<>();
        try {
            InetAddress address = bound == null || bound.isBlank() ? null : InetAddress.getByName(bound);
            if (address != null && !address.isAnyLocalAddress()) {
                addresses.add(address);
            } else {
                addresses.addAll(interfaceAddresses());
            }
        } catch (UnknownHostException | SocketException e) {
            return List.of();
        }
        return addresses.stream().map(a -> "http://" + host(a) + ":" + port).toList();
    }

    private static List<InetAddress> interfaceAddresses() throws SocketException {
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        List<InetAddress> loopback = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a.isLinkLocalAddress()) {
                    continue;
                }
                (a.isLoopbackAddress() ? loopback : a instanceof Inet4Address ? v4 : v6).add(a);
            }
        }
        List<InetAddress> all = new ArrayList<>(v4);
        all.addAll(v6);
        all.addAll(loopback);
        return all;
    }

    private static String host(InetAddress address) {
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        return address instanceof Inet6Address ? "[" + text + "]" : text;
    }
}
