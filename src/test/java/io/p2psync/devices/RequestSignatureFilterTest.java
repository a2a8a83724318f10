package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RequestSignatureFilterTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private final PrivateKey serverKey = PrivateKey.generate();
    private final PrivateKey callerKey = PrivateKey.generate();
    private final PeerId caller = callerKey.peerId();
    private final DeviceRepository devices = mock(DeviceRepository.class);
    private final JsonMapper json = JsonMapper.builder().build();
    private final RequestBodyBudget budget = new RequestBodyBudget(2048);
    private AuthorizedDevices authorized;
    private RequestSignatureFilter filter;

    @BeforeEach
    void setUp() {
        DeviceSettings settings = new DeviceSettings(Duration.ofMinutes(5), Duration.ofSeconds(30), 1000, 100,
                DataSize.ofKilobytes(1), DataSize.ofKilobytes(2), 3, 64);
        authorized = new AuthorizedDevices(devices); // empty: each caller is looked up in the file
        filter = new RequestSignatureFilter(serverKey.peerId(), devices, authorized, settings, budget,
                Clock.fixed(NOW, ZoneOffset.UTC), new ProblemWriter(json));
        givenStatus(DeviceStatus.AUTHORIZED);
    }

    @Test
    void letsAnAuthorizedDeviceThroughWithTheBodyIntactAndTheDeviceOnTheRequest() throws Exception {
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{\"vector\":{}}", NOW);
        AtomicReference<String> seenBody = new AtomicReference<>();
        AtomicReference<Object> seenDevice = new AtomicReference<>();
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, (req, res) -> {
            seenBody.set(new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            seenDevice.set(AuthenticatedDevice.of((HttpServletRequest) req).device().deviceId());
        });

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(seenBody.get()).isEqualTo("{\"vector\":{}}");
        assertThat(seenDevice.get()).isEqualTo(caller);
        verify(devices).recordAddress(caller, "127.0.0.1");
    }

    @Test
    void takesAnAuthorizedDeviceFromTheCacheAndRecordsAnAddressOnlyWhenItChanges() throws Exception {
        when(devices.findAll()).thenReturn(java.util.List.of(
                new Device(caller, "laptop", null, DeviceStatus.AUTHORIZED, null, "127.0.0.1", null, NOW)));
        authorized.refresh();
        when(devices.find(caller)).thenThrow(new AssertionError("the file was asked"));

        for (int i = 0; i < 2; i++) {
            MockHttpServletResponse response = new MockHttpServletResponse();
            filter.doFilter(signed("POST", "/sync/pull", "{}", NOW), response, (req, res) -> { });
            assertThat(response.getStatus()).isEqualTo(200);
        }
        verify(devices, never()).recordAddress(any(), any());

        MockHttpServletRequest moved = signed("POST", "/sync/pull", "{}", NOW);
        moved.setRemoteAddr("100.64.0.9");
        filter.doFilter(moved, new MockHttpServletResponse(), (req, res) -> { });
        filter.doFilter(signed("POST", "/sync/pull", "{}", NOW), new MockHttpServletResponse(), (req, res) -> { });
        verify(devices).recordAddress(caller, "100.64.0.9");
        verify(devices).recordAddress(caller, "127.0.0.1"); // back where it was: recorded again
    }

    @Test
    void recordsTheAddressAgainOnceTheDevicesWereReloaded() throws Exception {
        when(devices.findAll()).thenReturn(java.util.List.of(
                new Device(caller, "laptop", null, DeviceStatus.AUTHORIZED, null, "127.0.0.1", null, NOW)));
        authorized.refresh();
        filter.doFilter(from("100.64.0.9"), new MockHttpServletResponse(), (req, res) -> { });
        verify(devices).recordAddress(caller, "100.64.0.9");

        // deleted and authorized again: the file has no address for it any more
        when(devices.findAll()).thenReturn(java.util.List.of(
                new Device(caller, "laptop", null, DeviceStatus.AUTHORIZED, null, null, null, NOW)));
        authorized.refresh();
        filter.doFilter(from("100.64.0.9"), new MockHttpServletResponse(), (req, res) -> { });
        verify(devices, times(2)).recordAddress(caller, "100.64.0.9");
    }

    private MockHttpServletRequest from(String address) {
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{}", NOW);
        request.setRemoteAddr(address);
        return request;
    }

    @Test
    void refusesARequestWithoutSignatureHeaders() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/sync/pull");
        request.setContent("{}".getBytes());
        assertRefused(request, AuthFailure.MISSING_SIGNATURE);
    }

    @Test
    void refusesAMalformedDeviceId() throws Exception {
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{}", NOW);
        request.removeHeader(RequestSignature.DEVICE_HEADER);
        request.addHeader(RequestSignature.DEVICE_HEADER, "not-a-peer-id");
        assertRefused(request, AuthFailure.MALFORMED_SIGNATURE);
    }

    @Test
    void refusesASignatureThatIsNotBase64() throws Exception {
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{}", NOW);
        request.removeHeader(RequestSignature.SIGNATURE_HEADER);
        request.addHeader(RequestSignature.SIGNATURE_HEADER, "%%%");
        assertRefused(request, AuthFailure.MALFORMED_SIGNATURE);
    }

    @Test
    void refusesABodyChangedAfterSigning() throws Exception {
        MockHttpServletRequest request = signed("POST", "/sync/push", "{\"entries\":[]}", NOW);
        request.setContent("{\"entries\":[1]}".getBytes());
        assertRefused(request, AuthFailure.BAD_SIGNATURE);
    }

    @Test
    void refusesARequestSignedForAnotherPath() throws Exception {
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{}", NOW);
        request.setRequestURI("/sync/push");
        assertRefused(request, AuthFailure.BAD_SIGNATURE);
    }

    @Test
    void refusesARequestSignedForAnotherDevice() throws Exception {
        Map<String, String> headers = RequestSignature.sign(callerKey, "POST", "/sync/pull",
                PrivateKey.generate().peerId(), NOW, "{}".getBytes());
        assertRefused(request("POST", "/sync/pull", "{}", headers), AuthFailure.BAD_SIGNATURE);
    }

    @Test
    void refusesATimestampOlderThanTheWindowOrFurtherAheadThanTheSkew() throws Exception {
        assertRefused(signed("POST", "/sync/pull", "{}", NOW.minus(Duration.ofMinutes(6))),
                AuthFailure.STALE_TIMESTAMP);
        assertRefused(signed("POST", "/sync/pull", "{}", NOW.plus(Duration.ofSeconds(31))),
                AuthFailure.STALE_TIMESTAMP);
    }

    @Test
    void acceptsATimestampInsideTheWindowOrTheSkew() throws Exception {
        MockHttpServletResponse past = new MockHttpServletResponse();
        filter.doFilter(signed("POST", "/sync/pull", "{}", NOW.minus(Duration.ofMinutes(4))), past,
                (req, res) -> { });
        assertThat(past.getStatus()).isEqualTo(200);
        MockHttpServletResponse ahead = new MockHttpServletResponse();
        filter.doFilter(signed("POST", "/sync/pull", "{}", NOW.plus(Duration.ofSeconds(30))), ahead,
                (req, res) -> { });
        assertThat(ahead.getStatus()).isEqualTo(200);
    }

    @Test
    void refusesAReplayedRequest() throws Exception {
        Map<String, String> headers = RequestSignature.sign(callerKey, "POST", "/sync/pull", serverKey.peerId(),
                NOW, "{}".getBytes());
        MockHttpServletResponse first = new MockHttpServletResponse();
        filter.doFilter(request("POST", "/sync/pull", "{}", headers), first, (req, res) -> { });
        assertThat(first.getStatus()).isEqualTo(200);

        assertRefused(request("POST", "/sync/pull", "{}", headers), AuthFailure.REPLAYED_NONCE);
    }

    @Test
    void recordsAnUnknownDeviceAsPendingWithItsAddress() throws Exception {
        when(devices.find(caller)).thenReturn(Optional.empty());
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{}", NOW);
        request.setRemoteAddr("100.64.0.7");
        assertRefused(request, AuthFailure.UNKNOWN_DEVICE);
        verify(devices).addPending(caller, "100.64.0.7", NOW);
    }

    @Test
    void anUnknownDeviceIsRefusedWith401EvenWhenItCannotBeRecordedAsPending() throws Exception {
        when(devices.find(caller)).thenReturn(Optional.empty());
        org.mockito.Mockito.doThrow(new org.springframework.dao.CannotAcquireLockException("database is locked"))
                .when(devices).addPending(eq(caller), any(), any());
        assertRefused(signed("POST", "/sync/pull", "{}", NOW), AuthFailure.UNKNOWN_DEVICE);
    }

    @Test
    void stopsRecordingPendingDevicesPastTheLimit() throws Exception {
        when(devices.find(caller)).thenReturn(Optional.empty());
        when(devices.countPending()).thenReturn(3);
        assertRefused(signed("POST", "/sync/pull", "{}", NOW), AuthFailure.UNKNOWN_DEVICE);
        verify(devices, never()).addPending(eq(caller), any(), any());
    }

    @Test
    void refusesAnUnknownDeviceWithALargeBodyWithoutReadingItOrListingIt() throws Exception {
        when(devices.find(caller)).thenReturn(Optional.empty());
        MockHttpServletRequest request = unreadable(signed("POST", "/sync/push", "{}", NOW));
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(wrapLength(request, RequestSignatureFilter.PENDING_PROOF_BYTES + 1), response,
                (req, res) -> { throw new AssertionError("must not pass"); });
        assertThat(response.getStatus()).isEqualTo(401);
        verify(devices, never()).addPending(eq(caller), any(), any());
    }

    @Test
    void doesNotListAnUnknownCallerWhoseSignatureDoesNotVerify() throws Exception {
        when(devices.find(caller)).thenReturn(Optional.empty());
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{}", NOW);
        request.setContent("{\"vector\":{}}".getBytes(StandardCharsets.UTF_8)); // not what was signed
        assertRefused(request, AuthFailure.UNKNOWN_DEVICE);
        verify(devices, never()).addPending(eq(caller), any(), any());
    }

    @Test
    void refusesAPendingDeviceWithoutReadingItsBody() throws Exception {
        givenStatus(DeviceStatus.PENDING);
        assertRefused(unreadable(signed("POST", "/sync/pull", "{}", NOW)), AuthFailure.NOT_AUTHORIZED);
    }

    @Test
    void refusesAnIntroducedDeviceThatWasNeverAuthorized() throws Exception {
        givenStatus(DeviceStatus.INTRODUCED);
        assertRefused(unreadable(signed("POST", "/sync/pull", "{}", NOW)), AuthFailure.NOT_AUTHORIZED);
    }

    @Test
    void refusesARevokedDeviceWithoutReadingItsBody() throws Exception {
        givenStatus(DeviceStatus.REVOKED);
        assertRefused(unreadable(signed("POST", "/sync/pull", "{}", NOW)), AuthFailure.REVOKED_DEVICE);
    }

    @Test
    void doesNotMoveTheAddressOfADeviceWhoseSignatureFails() throws Exception {
        MockHttpServletRequest request = signed("POST", "/sync/pull", "{}", NOW);
        request.setContent("{\"x\":1}".getBytes());
        request.setRemoteAddr("100.64.0.9");
        assertRefused(request, AuthFailure.BAD_SIGNATURE);
        verify(devices, never()).recordAddress(any(), any());
    }

    @Test
    void oneDeviceStampingAheadDoesNotMakeAnotherStale() throws Exception {
        PrivateKey otherKey = PrivateKey.generate();
        when(devices.find(otherKey.peerId())).thenReturn(Optional.of(
                new Device(otherKey.peerId(), "phone", null, DeviceStatus.AUTHORIZED, null, null, null, NOW)));
        // Past its share of 100 nonces the caller's own floor rises to about NOW + 29 s.
        for (int i = 0; i < 150; i++) {
            MockHttpServletResponse response = new MockHttpServletResponse();
            filter.doFilter(signed("POST", "/sync/pull", "{}", NOW.plusMillis(29_000 + i)), response,
                    (req, res) -> { });
            assertThat(response.getStatus()).isEqualTo(200);
        }
        assertRefused(signed("POST", "/sync/pull", "{}", NOW), AuthFailure.STALE_TIMESTAMP);

        Map<String, String> headers = RequestSignature.sign(otherKey, "POST", "/sync/pull", serverKey.peerId(), NOW,
                "{}".getBytes());
        MockHttpServletResponse other = new MockHttpServletResponse();
        filter.doFilter(request("POST", "/sync/pull", "{}", headers), other, (req, res) -> { });
        assertThat(other.getStatus()).isEqualTo(200);
    }

    @Test
    void refusesADeclaredLengthOverTheLimitWithoutReading() throws Exception {
        MockHttpServletRequest request = unreadable(signed("POST", "/sync/push", "{}", NOW));
        request.addHeader("Content-Length", "1025");
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(wrapLength(request, 1025), response, (req, res) -> { throw new AssertionError("must not pass"); });
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(json.readTree(response.getContentAsByteArray()).get("type").asString())
                .isEqualTo(RequestSignatureFilter.BODY_TOO_LARGE.toString());
    }

    @Test
    void readsABodyOfUndeclaredLengthOnlyToTheLimitAndCountsItAsTheLargestAllowed() throws Exception {
        AtomicReference<Long> during = new AtomicReference<>();
        MockHttpServletRequest chunked = signed("POST", "/sync/push", "{}", NOW);
        chunked.addHeader("Transfer-Encoding", "chunked");
        MockHttpServletResponse small = new MockHttpServletResponse();
        filter.doFilter(wrapLength(chunked, -1), small,
                (req, res) -> during.set(budget.reserved()));
        assertThat(small.getStatus()).isEqualTo(200);
        assertThat(during.get()).isEqualTo(1024);

        MockHttpServletResponse large = new MockHttpServletResponse();
        filter.doFilter(wrapLength(signed("POST", "/sync/push", "x".repeat(5000), NOW), -1), large,
                (req, res) -> { throw new AssertionError("must not pass"); });
        assertThat(large.getStatus()).isEqualTo(413);
        assertThat(budget.reserved()).isZero();
    }

    @Test
    void aRequestWithoutABodyNeedsNoShareOfTheBudget() throws Exception {
        assertThat(budget.tryReserve(2048)).isTrue();
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(wrapLength(signed("POST", "/sync/pull", "", NOW), -1), response, (req, res) -> { });

        assertThat(response.getStatus()).isEqualTo(200);
    }

    @Test
    void answers503WithoutReadingWhenTheBodyDoesNotFitTheBudget() throws Exception {
        assertThat(budget.tryReserve(1500)).isTrue();
        MockHttpServletRequest request = unreadable(signed("POST", "/sync/push", "x".repeat(600), NOW));
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, (req, res) -> { throw new AssertionError("must not pass"); });

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        assertThat(json.readTree(response.getContentAsByteArray()).get("type").asString())
                .isEqualTo(RequestSignatureFilter.BUSY.toString());
        assertThat(budget.reserved()).isEqualTo(1500);
    }

    @Test
    void holdsTheBodysShareOfTheBudgetUntilTheRequestIsAnsweredAndThenGivesItBack() throws Exception {
        AtomicReference<Long> during = new AtomicReference<>();
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(signed("POST", "/sync/push", "x".repeat(700), NOW), response,
                (req, res) -> during.set(budget.reserved()));

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(during.get()).isEqualTo(700);
        assertThat(budget.reserved()).isZero();
    }

    @Test
    void answers413ForABodyOverTheLimit() throws Exception {
        MockHttpServletRequest request = signed("POST", "/sync/push", "x".repeat(1025), NOW);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> { throw new AssertionError("must not pass"); });
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
    }

    @Test
    void coversTheQueryStringInTheSignature() throws Exception {
        MockHttpServletRequest request = signed("GET", "/sync/pull?limit=5", "", NOW);
        request.setQueryString("limit=6");
        assertRefused(request, AuthFailure.BAD_SIGNATURE);
    }

    /** The request, made to fail the test if anything reads its body. */
    private static MockHttpServletRequest unreadable(MockHttpServletRequest request) {
        MockHttpServletRequest copy = new MockHttpServletRequest(request.getMethod(), request.getRequestURI()) {
            @Override
            public jakarta.servlet.ServletInputStream getInputStream() {
                throw new AssertionError("the body must not be read");
            }

            @Override
            public java.io.BufferedReader getReader() {
                throw new AssertionError("the body must not be read");
            }
        };
        copy.setQueryString(request.getQueryString());
        copy.setContent(request.getContentAsByteArray());
        copy.setRemoteAddr(request.getRemoteAddr());
        for (String name : java.util.Collections.list(request.getHeaderNames())) {
            copy.addHeader(name, request.getHeader(name));
        }
        return copy;
    }

    /** Declares {@code length} body bytes whatever the content is. */
    private static HttpServletRequest wrapLength(HttpServletRequest request, long length) {
        return new jakarta.servlet.http.HttpServletRequestWrapper(request) {
            @Override
            public long getContentLengthLong() {
                return length;
            }

            @Override
            public int getContentLength() {
                return (int) length;
            }
        };
    }

    private void givenStatus(DeviceStatus status) {
        when(devices.find(caller)).thenReturn(Optional.of(
                new Device(caller, "laptop", null, status, null, null, null, NOW)));
    }

    private MockHttpServletRequest signed(String method, String target, String body, Instant at) {
        Map<String, String> headers = RequestSignature.sign(callerKey, method, target, serverKey.peerId(), at,
                body.getBytes(StandardCharsets.UTF_8));
        return request(method, target, body, headers);
    }

    private static MockHttpServletRequest request(String method, String target, String body,
                                                  Map<String, String> headers) {
        int q = target.indexOf('?');
        MockHttpServletRequest request = new MockHttpServletRequest(method, q < 0 ? target : target.substring(0, q));
        if (q >= 0) {
            request.setQueryString(target.substring(q + 1));
        }
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        headers.forEach(request::addHeader);
        return request;
    }

    private void assertRefused(MockHttpServletRequest request, AuthFailure reason) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> { throw new AssertionError("must not pass"); });
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        JsonNode problem = json.readTree(response.getContentAsByteArray());
        assertThat(problem.get("type").asString()).isEqualTo(reason.type().toString());
        assertThat(problem.get("title").asString()).isEqualTo(reason.title());
        assertThat(problem.get("status").asInt()).isEqualTo(401);
    }
}
