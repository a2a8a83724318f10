package io.p2psync.registry.server;

import io.p2psync.devices.AdminCallers;
import io.p2psync.devices.AdminToken;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.registry.Announcement;
import io.p2psync.registry.CoordinatorHeartbeat;
import io.p2psync.registry.Presence;
import io.p2psync.registry.RegistrySignature;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The registry's REST API: {@code POST /network} (admin), {@code POST /network/{networkId}/announce},
 * {@code GET /network/{networkId}/active-peers}, {@code GET /network/{networkId}/peer/{userId}} and
 * {@code POST /coordinator/heartbeat}, each with the network's bearer token. A signed body is read up to the limit
 * before anything else looks at it, then checked in this order: well-formed, within the limits, signed by the
 * device it names, recent, within the device's rate, later than the device's last one.
 */
@RestController
@ConditionalOnProperty(name = "p2psync.registry.server.enabled", havingValue = "true")
class RegistryController {

    /** Longest name bound to a device. */
    static final int MAX_NAME = 200;
    /** Longest REST url or multiaddr taken. */
    static final int MAX_ADDRESS = 2048;

    private final RegistryStore store;
    private final RegistryServerSettings settings;
    private final AdminToken admin;
    private final Clock clock;
    private final JsonMapper json;

    RegistryController(RegistryStore store, RegistryServerSettings settings, AdminToken admin, JsonMapper json,
                       ObjectProvider<RegistryClock> clock) {
        this.store = store;
        this.settings = settings;
        this.admin = admin;
        RegistryClock own = clock.getIfAvailable();
        this.clock = own == null ? Clock.systemUTC() : own.clock();
        // an unknown field is a mistake worth a 400, not something to drop silently
        this.json = json.rebuild().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    }

    /** What {@code POST /network} takes: a name for people, optional. */
    record CreateNetwork(String name) {
    }

    @PostMapping("/network")
    ResponseEntity<RegistryStore.NewNetwork> createNetwork(@RequestBody(required = false) CreateNetwork body,
                                                           HttpServletRequest request) {
        if (!AdminCallers.isAdmin(request, admin)) {
            throw new RegistryProblem(RegistryProblem.Kind.ADMIN_REQUIRED,
                    "networks are made by the registry's admin: from this machine, or with Authorization: Bearer <admin token>");
        }
        String name = body == null ? null : body.name();
        if (name != null && name.length() > MAX_NAME) {
            throw new RegistryProblem(RegistryProblem.Kind.MALFORMED, "a network name has at most " + MAX_NAME + " characters");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(store.createNetwork(name, clock.millis()));
    }

    @PostMapping("/network/{networkId}/announce")
    Presence announce(@PathVariable String networkId, HttpServletRequest request) {
        open(networkId, request);
        limit("token:" + networkId, settings.tokenRate(), "this network's token");
        byte[] body = readBody(request);
        Announcement a = parse(body, Announcement.class);
        if (a.version() != Announcement.VERSION) {
            throw malformed("unknown announcement version " + a.version() + "; this registry reads " + Announcement.VERSION);
        }
        PeerId device = deviceId(a.deviceId());
        checkAddresses(a.multiaddrs());
        if (a.coordinators().size() > settings.maxCoordinators()) {
            throw new RegistryProblem(RegistryProblem.Kind.TOO_MANY_ADDRESSES, "at most " + settings.maxCoordinators()
                    + " coordinators per announcement, got " + a.coordinators().size());
        }
        a.coordinators().forEach(this::deviceId);
        if (a.restUrl() != null) {
            checkUrl(a.restUrl());
        }
        if (a.name() != null) {
            checkName(a.name());
        }
        verify(device, RegistrySignature.Purpose.ANNOUNCE, networkId, body, request, a.timestamp());
        limit("device:" + networkId + ":" + a.deviceId(), settings.deviceRate(), "this device");
        try {
            if (!store.announce(networkId, a, clock.millis())) {
                throw new RegistryProblem(RegistryProblem.Kind.REPLAYED,
                        "the registry holds an announcement of this device signed at or after " + a.timestamp());
            }
        } catch (DuplicateKeyException taken) {
            throw new RegistryProblem(RegistryProblem.Kind.NAME_TAKEN,
                    "the name '" + a.name() + "' is bound to another device of this network");
        }
        return store.find(networkId, a.deviceId(), true, onlineSince()).orElseThrow();
    }

    /** {@code active-peers}' answer. */
    record ActivePeers(String networkId, List<Presence> peers) {
    }

    @GetMapping("/network/{networkId}/active-peers")
    ActivePeers activePeers(@PathVariable String networkId, HttpServletRequest request) {
        open(networkId, request);
        return new ActivePeers(networkId, store.active(networkId, onlineSince(), settings.maxActivePeers()));
    }

    @GetMapping("/network/{networkId}/peer/{userId}")
    Presence peer(@PathVariable String networkId, @PathVariable String userId, HttpServletRequest request) {
        open(networkId, request);
        boolean byId = looksLikeDeviceId(userId);
        return store.find(networkId, userId, byId, onlineSince()).orElseThrow(() -> new RegistryProblem(
                RegistryProblem.Kind.UNKNOWN_PEER, "no device " + (byId ? "" : "named ") + "'" + userId
                + "' has announced itself in this network"));
    }

    /** {@code heartbeat}'s answer. */
    record HeartbeatTaken(String networkId, String deviceId, int load) {
    }

    @PostMapping("/coordinator/heartbeat")
    HeartbeatTaken heartbeat(HttpServletRequest request) {
        String token = bearer(request);
        String networkId = store.networkOf(token).orElseThrow(() -> new RegistryProblem(
                RegistryProblem.Kind.WRONG_TOKEN, "the bearer token is not the token of any network here"));
        limit("token:" + networkId, settings.tokenRate(), "this network's token");
        byte[] body = readBody(request);
        CoordinatorHeartbeat h = parse(body, CoordinatorHeartbeat.class);
        if (h.version() != Announcement.VERSION) {
            throw malformed("unknown heartbeat version " + h.version());
        }
        PeerId device = deviceId(h.deviceId());
        if (h.load() < 0 || h.load() > 100) {
            throw malformed("load is a percentage, 0 to 100; got " + h.load());
        }
        checkAddresses(h.multiaddrs());
        verify(device, RegistrySignature.Purpose.HEARTBEAT, networkId, body, request, h.timestamp());
        limit("device:" + networkId + ":" + h.deviceId(), settings.deviceRate(), "this device");
        if (!store.heartbeat(networkId, h, clock.millis())) {
            throw new RegistryProblem(RegistryProblem.Kind.REPLAYED,
                    "the registry holds a heartbeat of this coordinator signed at or after " + h.timestamp());
        }
        return new HeartbeatTaken(networkId, h.deviceId(), h.load());
    }

    // ---- checks

    /** Checks the bearer token against the network; answers the token. */
    private String open(String networkId, HttpServletRequest request) {
        String token = bearer(request);
        switch (store.access(networkId, token)) {
            case UNKNOWN_NETWORK -> throw new RegistryProblem(RegistryProblem.Kind.UNKNOWN_NETWORK,
                    "no network '" + networkId + "' on this registry");
            case WRONG_TOKEN -> throw new RegistryProblem(RegistryProblem.Kind.WRONG_TOKEN,
                    "the bearer token is not this network's");
            case GRANTED -> {
                return token;
            }
        }
        throw new IllegalStateException();
    }

    private static String bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            throw new RegistryProblem(RegistryProblem.Kind.TOKEN_REQUIRED,
                    "send the network's token as Authorization: Bearer <token>");
        }
        return header.substring(7).strip();
    }

    private void limit(String bucket, int allowed, String who) {
        long window = settings.rateWindow().toMillis();
        long now = clock.millis();
        long start = now - Math.floorMod(now, window);
        if (store.hit(bucket, start) > allowed) {
            long wait = Math.max(1, (start + window - now + 999) / 1000);
            throw new RegistryProblem(RegistryProblem.Kind.RATE_LIMITED, "more than " + allowed + " requests from "
                    + who + " in " + settings.rateWindow().toSeconds() + " s; try again in " + wait + " s", wait);
        }
    }

    /** Reads the body, refusing one over the limit: by its declared length before a byte is read, else as it comes. */
    private byte[] readBody(HttpServletRequest request) {
        long max = settings.maxBodySize().toBytes();
        if (request.getContentLengthLong() > max) {
            throw tooLarge(max);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (body.length > max) {
                throw tooLarge(max);
            }
            return body;
        } catch (IOException e) {
            throw malformed("the body could not be read: " + e.getMessage());
        }
    }

    private static RegistryProblem tooLarge(long max) {
        return new RegistryProblem(RegistryProblem.Kind.BODY_TOO_LARGE, "the body is larger than " + max + " bytes");
    }

    private <T> T parse(byte[] body, Class<T> type) {
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw malformed("the body is empty");
            }
            return value;
        } catch (JacksonException e) {
            throw malformed("the body is not a " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    private PeerId deviceId(String text) {
        try {
            PeerId id = PeerId.parse(text);
            if (id.publicKey().isEmpty()) {
                throw malformed("'" + text + "' is not the id of an Ed25519 device key");
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw malformed("'" + text + "' is not a device id: " + e.getMessage());
        }
    }

    private void checkAddresses(List<String> multiaddrs) {
        if (multiaddrs.size() > settings.maxAddresses()) {
            throw new RegistryProblem(RegistryProblem.Kind.TOO_MANY_ADDRESSES, "at most " + settings.maxAddresses()
                    + " multiaddrs per request, got " + multiaddrs.size());
        }
        for (String m : multiaddrs) {
            if (m == null || m.length() > MAX_ADDRESS) {
                throw malformed("a multiaddr is missing or longer than " + MAX_ADDRESS + " characters");
            }
            try {
                Multiaddr.parse(m);
            } catch (RuntimeException e) {
                throw malformed("'" + m + "' is not a multiaddr: " + e.getMessage());
            }
        }
    }

    private static void checkUrl(String url) {
        try {
            URI u = new URI(url);
            if (url.length() > MAX_ADDRESS || u.getHost() == null
                    || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw malformed("restUrl must be an http or https url with a host, got '" + url + "'");
            }
        } catch (java.net.URISyntaxException e) {
            throw malformed("restUrl is not a url: " + e.getMessage());
        }
    }

    private static void checkName(String name) {
        if (name.isBlank() || name.length() > MAX_NAME || looksLikeDeviceId(name)) {
            throw malformed("a name has 1 to " + MAX_NAME + " characters and is not itself a device id");
        }
    }

    /** A {@code userId} that parses as a peer id is a device id; anything else is a name. */
    static boolean looksLikeDeviceId(String userId) {
        try {
            PeerId.parse(userId);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void verify(PeerId device, RegistrySignature.Purpose purpose, String networkId, byte[] body,
                        HttpServletRequest request, long timestamp) {
        String signature = request.getHeader(RegistrySignature.HEADER);
        if (signature == null || signature.isBlank()) {
            throw new RegistryProblem(RegistryProblem.Kind.UNSIGNED,
                    "sign the body with the device key and send it in " + RegistrySignature.HEADER);
        }
        if (!RegistrySignature.verify(device, purpose, networkId, body, signature)) {
            throw new RegistryProblem(RegistryProblem.Kind.BAD_SIGNATURE,
                    "the signature is not " + device + "'s over this body for network " + networkId);
        }
        long now = clock.millis();
        if (timestamp < now - settings.signatureWindow().toMillis() || timestamp > now + settings.futureSkew().toMillis()) {
            throw new RegistryProblem(RegistryProblem.Kind.STALE_TIMESTAMP, "timestamp " + timestamp
                    + " is outside " + settings.signatureWindow() + " before and " + settings.futureSkew()
                    + " after this registry's clock (" + now + ")");
        }
    }

    private long onlineSince() {
        return clock.millis() - settings.presenceTtl().toMillis();
    }

    private static RegistryProblem malformed(String detail) {
        return new RegistryProblem(RegistryProblem.Kind.MALFORMED, detail);
    }

}
