package io.p2psync.peers;

import io.p2psync.devices.AuthorizedDevices;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.sync.Libp2pRoutes;
import io.p2psync.sync.PeerLocator;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The peer list: authorized devices with a url (synced with), the peers named in {@code p2psync.peers}, and
 * the devices of the tailnet when that source is on. A device known from several sources is listed once:
 * by device id, or by url, or by the host of its url (a tailnet address). Only authorized devices are ever
 * synced with; the rest are suggestions to pair.
 */
@Component
public class PeerDirectory {

    private final DeviceRepository devices;
    private final AuthorizedDevices authorized;
    private final PeersSettings configured;
    private final TailscalePeerSource tailnet;
    private final ObjectProvider<Libp2pRoutes> libp2p;
    private final ObjectProvider<PeerLocator> locator;
    private final PeerId self;

    PeerDirectory(DeviceRepository devices, AuthorizedDevices authorized, PeersSettings configured,
                  TailscalePeerSource tailnet, ObjectProvider<Libp2pRoutes> libp2p, ObjectProvider<PeerLocator> locator,
                  DeviceIdentity identity) {
        this.self = identity.deviceId();
        this.devices = devices;
        this.authorized = authorized;
        this.locator = locator;
        this.libp2p = libp2p;
        this.configured = configured;
        this.tailnet = tailnet;
    }

    /**
     * The peers this device syncs with, ordered by device id: authorized devices with a url, and those known
     * only by id while a libp2p connection to them is open (their rounds run over it), or, when a registry is
     * configured ({@link PeerLocator}), always: their rounds ask the registry where they are.
     */
    public List<Peer> syncTargets() {
        List<Peer> targets = new ArrayList<>();
        boolean located = locator.getIfAvailable() != null;
        Libp2pRoutes live = libp2p.getIfAvailable();
        for (Device device : authorized.all()) {
            if (device.deviceId().equals(self)) {
                continue; // a device never syncs with itself, whatever sync_devices says
            }
            URI url = PeerUrls.normalizeOrNull(device.url());
            if (url != null || located || live != null && live.reaches(device.deviceId())) {
                targets.add(new Peer(device.deviceId().toString(), device.deviceId(), device.name(), url,
                        EnumSet.of(PeerSource.DEVICES), true, null));
            }
        }
        targets.sort(Comparator.comparing(Peer::key));
        return targets;
    }

    /**
     * The peer to sync with for an authorized device, at {@code url} if given (a url the live network learned),
     * else at the url in {@code sync_devices}, else without a url (the live network's connection reaches it);
     * empty if the device is not authorized, or is this device itself.
     */
    public Optional<Peer> target(PeerId deviceId, URI url) {
        if (deviceId.equals(self)) {
            return Optional.empty();
        }
        return authorized.find(deviceId).map(device -> {
            URI at = url != null ? PeerUrls.normalizeOrNull(url.toString()) : PeerUrls.normalizeOrNull(device.url());
            return new Peer(deviceId.toString(), deviceId, device.name(), at, EnumSet.of(PeerSource.DEVICES), true, null);
        });
    }

    /** Every peer from every source: paired ones first, then suggestions, each group by key. */
    public List<Peer> all() {
        Map<String, Draft> byKey = new LinkedHashMap<>();
        for (Peer target : syncTargets()) {
            byKey.put(target.key(), new Draft(target));
        }
        for (ConfiguredPeer peer : configured.peers()) {
            if (self.equals(peer.deviceId())) {
                continue; // one list shared by all of a person's devices names this one too
            }
            Draft match = find(byKey, peer.deviceId() == null ? null : peer.deviceId().toString(), peer.url());
            if (match != null) {
                match.sources.add(PeerSource.CONFIG);
            } else if (peer.deviceId() == null || !revoked(peer)) {
                String key = peer.deviceId() == null ? peer.url().toString() : peer.deviceId().toString();
                byKey.put(key, new Draft(new Peer(key, peer.deviceId(), null, peer.url(),
                        Set.of(PeerSource.CONFIG), false, null)));
            }
        }
        for (TailnetDevice device : tailnet.devices()) {
            URI url = device.url(tailnet.port());
            Draft match = find(byKey, null, url);
            if (match == null) {
                match = byKey.values().stream().filter(d -> d.url != null && (d.url.getHost().equals(device.ipv4())
                        || device.dnsName() != null && d.url.getHost().equals(device.dnsName()))).findFirst().orElse(null);
            }
            if (match != null) {
                match.sources.add(PeerSource.TAILSCALE);
                match.online = device.online();
                if (match.name == null) {
                    match.name = device.hostName();
                }
            } else {
                byKey.put(url.toString(), new Draft(new Peer(url.toString(), null, device.hostName(), url,
                        Set.of(PeerSource.TAILSCALE), false, device.online())));
            }
        }
        return byKey.values().stream().map(Draft::toPeer)
                .sorted(Comparator.comparing((Peer p) -> !p.paired()).thenComparing(Peer::key))
                .toList();
    }

    private boolean revoked(ConfiguredPeer peer) {
        return devices.find(peer.deviceId()).map(d -> d.status() == DeviceStatus.REVOKED).orElse(false);
    }

    private static Draft find(Map<String, Draft> byKey, String deviceId, URI url) {
        if (deviceId != null && byKey.containsKey(deviceId)) {
            return byKey.get(deviceId);
        }
        return byKey.values().stream().filter(d -> url.equals(d.url)).findFirst().orElse(null);
    }

    /** A peer being put together from several sources. */
    private static final class Draft {
        private final Peer first;
        private final URI url;
        private final Set<PeerSource> sources;
        private String name;
        private Boolean online;

        Draft(Peer first) {
            this.first = first;
            this.url = first.url();
            this.sources = EnumSet.copyOf(first.sources());
            this.name = first.name();
            this.online = first.online();
        }

        Peer toPeer() {
            return new Peer(first.key(), first.deviceId(), name, url, sources, first.paired(), online);
        }
    }
}
