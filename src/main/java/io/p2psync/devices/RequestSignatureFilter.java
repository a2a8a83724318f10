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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets a {@code /sync/**} request through only if it carries a valid {@link RequestSignature} of an
 * authorized device, and puts that device on the request as {@link AuthenticatedDevice}. Anything else gets
 * an RFC 9457 problem: 401 naming the {@link AuthFailure}, 413 for a body over the limit, 503 when the
 * {@link RequestBodyBudget} is spent.
 *
 * <p>Everything that does not need the body is decided before a byte of it is read, in this order: the
 * headers are present and well-formed, the timestamp is inside the window, the caller is an authorized
 * device, the declared length is within the limit, and the body fits the budget. So a caller that is not an
 * authorized device never makes this device read, hold or hash its body, and costs it no memory: its
 * request is answered from the headers alone. Only then is the body read (never more than the limit),
 * the signature checked, and the nonce remembered, in the caller's own share of the {@link NonceCache}.
 *
 * <p>A caller met for the first time is listed as pending with its address, so an admin can authorize it.
 * That record rests on the headers alone (its signature cannot be checked without reading the body);
 * authorizing the id lets in only whoever holds its key.
 */
final class RequestSignatureFilter extends OncePerRequestFilter {

    static final URI BODY_TOO_LARGE = URI.create(AuthFailure.PROBLEM_BASE + "body-too-large");
    static final URI BUSY = URI.create(AuthFailure.PROBLEM_BASE + "busy");
    static final URI MALFORMED_REQUEST = URI.create(AuthFailure.PROBLEM_BASE + "malformed-request");
    /** Seconds a caller refused for {@link #BUSY} is asked to wait. */
    static final int BUSY_RETRY_AFTER_SECONDS = 1;
    /** Bytes read at a time from a body of undeclared length. */
    private static final int READ_CHUNK = 64 * 1024;
    /** The largest body of an unknown caller read to check its signature before it is listed as pending. */
    static final int PENDING_PROOF_BYTES = 64 * 1024;

    /** Calls not recorded because the pending list is full, logged at most once a minute. */
    private final io.p2psync.p2p.core.LogSummary<Boolean> pendingFull =
            new io.p2psync.p2p.core.LogSummary<>(Clock.systemUTC(), java.time.Duration.ofMinutes(1), 1);
    /** Calls not recorded as pending because the file refused the write (busy past the timeout), at most a line a minute. */
    private final io.p2psync.p2p.core.LogSummary<Boolean> pendingNotRecorded =
            new io.p2psync.p2p.core.LogSummary<>(Clock.systemUTC(), java.time.Duration.ofMinutes(1), 1);
    private static final Logger log = LoggerFactory.getLogger(RequestSignatureFilter.class);

    private final PeerId self;
    private final DeviceRepository devices;
    private final AuthorizedDevices authorizedDevices;
    /**
     * The address last recorded for each caller, with the device as {@link AuthorizedDevices} gave it then, so an
     * unchanged address costs no write. Forgotten once the devices are reloaded (a device deleted and added
     * again has no address in the file).
     */
    private final Map<PeerId, Recorded> recordedAddresses = new ConcurrentHashMap<>();
    private final NonceCache nonces;
    private final RequestBodyBudget budget;
    private final Clock clock;
    private final Duration window;
    private final Duration futureSkew;
    private final long maxBody;
    private final int maxPending;
    private final ProblemWriter problems;

    RequestSignatureFilter(PeerId self, DeviceRepository devices, AuthorizedDevices authorizedDevices,
                           DeviceSettings settings, RequestBodyBudget budget, Clock clock, ProblemWriter problems) {
        this.self = self;
        this.devices = devices;
        this.authorizedDevices = authorizedDevices;
        this.nonces = new NonceCache(settings.noncesPerDevice(), settings.nonceCacheSize(),
                settings.signatureWindow());
        this.budget = budget;
        this.clock = clock;
        this.window = settings.signatureWindow();
        this.futureSkew = settings.futureSkew();
        this.maxBody = settings.maxRequestBody().toBytes();
        this.maxPending = settings.maxPending();
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // /sync/now, /sync/held, /sync/rescan, /sync/former-columns and /sync/forks are the admin's, guarded by the
        // admin filter, not a device's calls.
        String uri = request.getRequestURI();
        return "/sync/now".equals(uri) || "/sync/held".equals(uri) || "/sync/rescan".equals(uri)
                || "/sync/former-columns".equals(uri) || "/sync/forks".equals(uri) || uri.startsWith("/sync/forks/");
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
        if (signature.timestamp().isBefore(now.minus(window)) || signature.timestamp().isAfter(now.plus(futureSkew))) {
            refuse(request, response, AuthFailure.STALE_TIMESTAMP, "the request was signed at "
                    + signature.timestamp() + "; this device's clock says " + now + " and accepts requests signed"
                    + " at most " + window + " before it or " + futureSkew + " after it");
            return;
        }
        Optional<Device> device = authorized(request, response, signature, now);
        if (device.isEmpty()) {
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBody) {
            tooLarge(request, response);
            return;
        }
        long reservation = reservation(request, declared);
        if (!budget.tryReserve(reservation)) {
            log.debug("Refused {} {} from {}: {} body bytes would not fit the budget of {}", request.getMethod(),
                    request.getRequestURI(), request.getRemoteAddr(), reservation, budget.capacity());
            response.setHeader("Retry-After", Integer.toString(BUSY_RETRY_AFTER_SECONDS));
            problems.write(response, 503, BUSY, "Busy", "this device is reading as many request bodies as it"
                    + " holds at once; try again shortly", request.getRequestURI());
            return;
        }
        try {
            byte[] body;
            try {
                body = readBody(request, declared);
            } catch (IOException e) {
                log.debug("Reading the body of {} {} from {} failed: {}", request.getMethod(),
                        request.getRequestURI(), request.getRemoteAddr(), e.toString());
                problems.write(response, 400, MALFORMED_REQUEST, "Malformed request",
                        "the request body could not be read to its end", request.getRequestURI());
                return;
            }
            if (body == null) {
                tooLarge(request, response);
                return;
            }
            if (accepted(request, response, signature, device.get(), body, now)) {
                request.setAttribute(AuthenticatedDevice.ATTRIBUTE, new AuthenticatedDevice(device.get()));
                chain.doFilter(new CachedBodyRequest(request, body), response);
            }
        } finally {
            budget.release(reservation);
        }
    }

    /**
     * The body bytes to reserve: the declared length; none for an HTTP/1.x request that declares neither a
     * length nor a transfer coding (it has no body); else (chunked) the limit, as long as the body may be.
     */
    private long reservation(HttpServletRequest request, long declared) {
        if (declared >= 0) {
            return declared;
        }
        boolean http1 = request.getProtocol() != null && request.getProtocol().startsWith("HTTP/1.");
        return http1 && request.getHeader("Transfer-Encoding") == null ? 0 : maxBody;
    }

    /**
     * The caller if it is an authorized device (asked of {@link AuthorizedDevices}, then of the file, which also
     * says why another caller is refused); otherwise refuses, recording a new caller as pending if its request
     * proves it holds the key ({@link #provesKey}).
     */
    private Optional<Device> authorized(HttpServletRequest request, HttpServletResponse response,
                                        RequestSignature signature, Instant now) throws IOException {
        PeerId caller = signature.deviceId();
        Optional<Device> cached = authorizedDevices.find(caller);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<Device> device = devices.find(caller);
        String address = request.getRemoteAddr();
        if (device.isEmpty()) {
            if (devices.countPending() >= maxPending) {
                long count = pendingFull.event(Boolean.TRUE); // any caller can repeat this: one line a minute
                if (count > 0) {
                    log.warn("Device {} called in from {}; not recorded: already {} pending devices ({} such calls"
                            + " since the last line)", caller, address, maxPending, count);
                }
                refuse(request, response, AuthFailure.UNKNOWN_DEVICE, "device " + caller + " is not known here");
                return Optional.empty();
            }
            if (!provesKey(request, signature)) {
                refuse(request, response, AuthFailure.UNKNOWN_DEVICE, "device " + caller + " is not known here;"
                        + " a signed request with a body of at most " + PENDING_PROOF_BYTES + " bytes (a pull) lists"
                        + " it as pending");
                return Optional.empty();
            }
            try {
                devices.addPending(caller, address, now);
            } catch (DataAccessException notRecorded) {
                // the caller is refused all the same; listing it is for the admin's convenience, and the file may
                // be busy past the busy timeout under load: never a 500 for an unknown device
                long count = pendingNotRecorded.event(Boolean.TRUE);
                if (count > 0) {
                    log.warn("Device {} called in from {}; not recorded as pending: {} ({} such calls since the last"
                            + " line)", caller, address, notRecorded.getMostSpecificCause().getMessage(), count);
                }
                refuse(request, response, AuthFailure.UNKNOWN_DEVICE, "device " + caller + " is not known here");
                return Optional.empty();
            }
            log.info("Device {} called in from {}; recorded as pending (authorize: POST /devices/{}/authorize)",
                    caller, address, caller);
            refuse(request, response, AuthFailure.UNKNOWN_DEVICE,
                    "device " + caller + " is not known here; it is now listed as pending");
            return Optional.empty();
        }
        switch (device.get().status()) {
            case REVOKED -> {
                refuse(request, response, AuthFailure.REVOKED_DEVICE, "device " + caller + " was revoked");
                return Optional.empty();
            }
            case PENDING, INTRODUCED -> {
                refuse(request, response, AuthFailure.NOT_AUTHORIZED,
                        "device " + caller + " is " + device.get().status() + ", not authorized");
                return Optional.empty();
            }
            case AUTHORIZED -> {
                return device;
            }
        }
        throw new IllegalStateException("unknown status " + device.get().status());
    }

    /**
     * True if an unknown caller's request shows it holds the key it names: its body, declared and at most
     * {@link #PENDING_PROOF_BYTES} long (a pull is a few bytes), is read and its signature verifies. So nobody
     * can list another device's id with their own address, and a large body from an unknown key is never read.
     * (Its nonce is not recorded: the request is refused whatever it proves.)
     */
    private boolean provesKey(HttpServletRequest request, RequestSignature signature) {
        long declared = request.getContentLengthLong();
        if (declared < 0 || declared > PENDING_PROOF_BYTES || !budget.tryReserve(declared)) {
            return false;
        }
        try {
            byte[] body = readBody(request, declared);
            return signature.verifies(request.getMethod(), target(request), self, body);
        } catch (IOException unreadable) {
            return false;
        } finally {
            budget.release(declared);
        }
    }

    /** Checks the signature over the body and the nonce; refuses and answers false if either fails. */
    private boolean accepted(HttpServletRequest request, HttpServletResponse response, RequestSignature signature,
                             Device device, byte[] body, Instant now) throws IOException {
        PeerId caller = signature.deviceId();
        if (!signature.verifies(request.getMethod(), target(request), self, body)) {
            refuse(request, response, AuthFailure.BAD_SIGNATURE, "the signature does not verify against "
                    + caller + " for this request addressed to " + self);
            return false;
        }
        switch (nonces.use(caller.toString(), signature.nonce(), signature.timestamp(), now)) {
            case REUSED -> {
                refuse(request, response, AuthFailure.REPLAYED_NONCE,
                        "nonce " + signature.nonce() + " was already used");
                return false;
            }
            case TOO_OLD -> {
                refuse(request, response, AuthFailure.STALE_TIMESTAMP,
                        "the request is older than the replays this device can still recognise; sign it again");
                return false;
            }
            case FRESH -> { }
        }
        // Only now: a forged request must not move the address an admin sees.
        String address = request.getRemoteAddr();
        if (!address.equals(Recorded.known(recordedAddresses.get(caller), device))) {
            // one caller's requests from two addresses at once: the one recorded last is the one remembered
            recordedAddresses.compute(caller, (id, last) -> {
                if (address.equals(Recorded.known(last, device))) {
                    return last;
                }
                devices.recordAddress(caller, address);
                return new Recorded(device, address);
            });
        }
        return true;
    }

    /** The request target as sent: raw path and raw query. */
    static String target(HttpServletRequest request) {
        String query = request.getQueryString();
        return query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
    }

    /**
     * The body, or null if it is longer than allowed. Holds at most {@code declared} bytes when the length is
     * declared (the caller checked it against the limit), else about the limit at most.
     */
    private byte[] readBody(HttpServletRequest request, long declared) throws IOException {
        try (InputStream in = request.getInputStream()) {
            if (declared >= 0) {
                byte[] body = new byte[(int) declared];
                int read = in.readNBytes(body, 0, body.length);
                if (read < body.length) {
                    throw new IOException("the body ended after " + read + " of " + declared + " bytes");
                }
                return body;
            }
            return readUndeclared(in);
        }
    }

    /**
     * A body of undeclared length, read in chunks up to the limit plus one byte and then joined; each chunk is
     * let go as soon as it is copied, so what stays reachable is never much more than the limit.
     */
    private byte[] readUndeclared(InputStream in) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        while (total <= maxBody) {
            byte[] chunk = in.readNBytes((int) Math.min(READ_CHUNK, maxBody + 1 - total));
            if (chunk.length == 0) {
                break;
            }
            chunks.add(chunk);
            total += chunk.length;
        }
        if (total > maxBody) {
            return null;
        }
        byte[] body = new byte[(int) total];
        int at = 0;
        for (int i = 0; i < chunks.size(); i++) {
            byte[] chunk = chunks.set(i, null);
            System.arraycopy(chunk, 0, body, at, chunk.length);
            at += chunk.length;
        }
        return body;
    }

    private void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
        problems.write(response, 413, BODY_TOO_LARGE, "Request body too large",
                "a signed request may carry at most " + maxBody + " bytes", request.getRequestURI());
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, AuthFailure failure,
                        String detail) throws IOException {
        log.debug("Refused {} {} from {}: {}", request.getMethod(), request.getRequestURI(),
                request.getRemoteAddr(), detail);
        response.setHeader("WWW-Authenticate", "P2PSync-Signature");
        problems.write(response, 401, failure.type(), failure.title(), detail, request.getRequestURI());
    }

    /** An address recorded for a caller, and the device as it was known when it was recorded. */
    private record Recorded(Device device, String address) {

        /** The address last recorded for {@code device}, or the one the file had for it when it was read. */
        static String known(Recorded last, Device device) {
            return last != null && last.device() == device ? last.address() : device.lastAddress();
        }
    }
}
