package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets a {@code /sync/**} request through only if it carries a valid {@link RequestSignature} of an
 * authorized device, and puts that device on the request as {@link AuthenticatedDevice}. Anything else gets
 * 401 with a problem body naming the {@link AuthFailure}. A device met for the first time (with a valid
 * signature) is recorded as pending with its address, so an admin can authorize it.
 *
 * <p>The checks run cheapest first: the headers and the timestamp before the body is read, the nonce is
 * remembered only once the signature verifies (so forged requests cannot fill the nonce cache), and the
 * device table is consulted last.
 */
final class RequestSignatureFilter extends OncePerRequestFilter {

    static final URI BODY_TOO_LARGE = URI.create(AuthFailure.PROBLEM_BASE + "body-too-large");
    private static final Logger log = LoggerFactory.getLogger(RequestSignatureFilter.class);

    private final PeerId self;
    private final DeviceRepository devices;
    private final NonceCache nonces;
    private final Clock clock;
    private final Duration window;
    private final long maxBody;
    private final int maxPending;
    private final ProblemWriter problems;

    RequestSignatureFilter(PeerId self, DeviceRepository devices, DeviceSettings settings, Clock clock,
                           ProblemWriter problems) {
        this.self = self;
        this.devices = devices;
        this.nonces = new NonceCache(settings.nonceCacheSize(), settings.signatureWindow());
        this.clock = clock;
        this.window = settings.signatureWindow();
        this.maxBody = settings.maxRequestBody().toBytes();
        this.maxPending = settings.maxPending();
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // /sync/now, /sync/held and /sync/rescan are the admin's, guarded by the admin filter, not a device's calls.
        String uri = request.getRequestURI();
        return "/sync/now".equals(uri) || "/sync/held".equals(uri) || "/sync/rescan".equals(uri);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        RequestSignature signature;
        try {
            signature = RequestSignature.fromHeaders(
                    request.getHeader(RequestSignature.DEVICE_HEADER),
                    request.getHeader(RequestSignature.TIMESTAMP_HEADER),
                    request.getHeader(RequestSignature.NONCE_HEADER),
                    request.getHeader(RequestSignature.SIGNATURE_HEADER));
        } catch (RequestSignature.MissingSignatureException e) {
            refuse(request, response, AuthFailure.MISSING_SIGNATURE, e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            refuse(request, response, AuthFailure.MALFORMED_SIGNATURE, e.getMessage());
            return;
        }
        Instant now = clock.instant();
        if (Duration.between(signature.timestamp(), now).abs().compareTo(window) > 0) {
            refuse(request, response, AuthFailure.STALE_TIMESTAMP, "the request was signed at "
                    + signature.timestamp() + ", more than " + window + " away from this device's clock " + now);
            return;
        }
        // Read only now: a request without a fresh, well-formed signature never makes this device buffer
        // its body.
        byte[] body = readBody(request);
        if (body == null) {
            problems.write(response, 413, BODY_TOO_LARGE, "Request body too large",
                    "a signed request may carry at most " + maxBody + " bytes", request.getRequestURI());
            return;
        }
        if (!signature.verifies(request.getMethod(), target(request), self, body)) {
            refuse(request, response, AuthFailure.BAD_SIGNATURE, "the signature does not verify against "
                    + signature.deviceId() + " for this request addressed to " + self);
            return;
        }
        switch (nonces.use(signature.deviceId().toString(), signature.nonce(), signature.timestamp(), now)) {
            case REUSED -> {
                refuse(request, response, AuthFailure.REPLAYED_NONCE,
                        "nonce " + signature.nonce() + " was already used");
                return;
            }
            case TOO_OLD -> {
                refuse(request, response, AuthFailure.STALE_TIMESTAMP,
                        "the request is older than the replays this device can still recognise; sign it again");
                return;
            }
            case FRESH -> { }
        }
        PeerId caller = signature.deviceId();
        String address = request.getRemoteAddr();
        Optional<Device> device = devices.find(caller);
        if (device.isEmpty()) {
            if (devices.countPending() >= maxPending) {
                log.warn("Device {} called in from {}; not recorded: already {} pending devices", caller, address,
                        maxPending);
                refuse(request, response, AuthFailure.UNKNOWN_DEVICE, "device " + caller + " is not known here");
                return;
            }
            devices.addPending(caller, address, now);
            log.info("Device {} called in from {}; recorded as pending (authorize: POST /devices/{}/authorize)",
                    caller, address, caller);
            refuse(request, response, AuthFailure.UNKNOWN_DEVICE,
                    "device " + caller + " is not known here; it is now listed as pending");
            return;
        }
        if (!address.equals(device.get().lastAddress())) {
            devices.recordAddress(caller, address);
        }
        switch (device.get().status()) {
            case REVOKED -> {
                refuse(request, response, AuthFailure.REVOKED_DEVICE, "device " + caller + " was revoked");
                return;
            }
            case PENDING, INTRODUCED -> {
                refuse(request, response, AuthFailure.NOT_AUTHORIZED,
                        "device " + caller + " is " + device.get().status() + ", not authorized");
                return;
            }
            case AUTHORIZED -> { }
        }
        request.setAttribute(AuthenticatedDevice.ATTRIBUTE, new AuthenticatedDevice(device.get()));
        chain.doFilter(new CachedBodyRequest(request, body), response);
    }

    /** The request target as sent: raw path and raw query. */
    static String target(HttpServletRequest request) {
        String query = request.getQueryString();
        return query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
    }

    /** The body, or null if it is longer than allowed. */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > maxBody) {
            return null;
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
            return body.length > maxBody ? null : body;
        }
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, AuthFailure failure,
                        String detail) throws IOException {
        log.debug("Refused {} {} from {}: {}", request.getMethod(), request.getRequestURI(),
                request.getRemoteAddr(), detail);
        response.setHeader("WWW-Authenticate", "P2PSync-Signature");
        problems.write(response, 401, failure.type(), failure.title(), detail, request.getRequestURI());
    }
}
