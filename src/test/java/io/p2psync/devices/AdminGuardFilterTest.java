package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

class AdminGuardFilterTest {

    @TempDir
    Path dataDir;

    @Test
    void letsLoopbackCallersThroughWithoutAToken() throws Exception {
        assertThat(call("127.0.0.1", null)).isEqualTo(200);
        assertThat(call("::1", null)).isEqualTo(200);
    }

    @Test
    void asksOtherCallersForTheBearerToken() throws Exception {
        AdminToken token = AdminToken.loadOrCreate(null, dataDir);
        assertThat(call("100.64.0.2", null)).isEqualTo(401);
        assertThat(call("100.64.0.2", "Bearer wrong")).isEqualTo(401);
        assertThat(call("100.64.0.2", "Bearer " + token.value())).isEqualTo(200);
    }

    @Test
    void keepsTheTokenOwnerOnlyAndTheSameAcrossStarts() throws Exception {
        AdminToken first = AdminToken.loadOrCreate(null, dataDir);
        AdminToken second = AdminToken.loadOrCreate(null, dataDir);
        assertThat(second.value()).isEqualTo(first.value());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(AdminToken.FILE))))
                .isEqualTo("rw-------");
    }

    @Test
    void prefersTheConfiguredToken() {
        assertThat(AdminToken.loadOrCreate("s3cret", dataDir).matches("s3cret")).isTrue();
        assertThat(Files.exists(dataDir.resolve(AdminToken.FILE))).isFalse();
    }

    @Test
    void marksAdminCallersOfHealthAndLetsEveryoneThrough() throws Exception {
        AdminToken token = AdminToken.loadOrCreate(null, dataDir);
        assertThat(principal("127.0.0.1", null)).isEqualTo(AdminPrincipalFilter.ADMIN);
        assertThat(principal("100.64.0.2", "Bearer " + token.value())).isEqualTo(AdminPrincipalFilter.ADMIN);
        assertThat(principal("100.64.0.2", null)).isNull();
        assertThat(principal("100.64.0.2", "Bearer wrong")).isNull();
    }

    /** The principal the health endpoint would see after the filter, or null; the call always passes. */
    private String principal(String address, String authorization) throws Exception {
        AdminPrincipalFilter filter = new AdminPrincipalFilter(AdminToken.loadOrCreate(null, dataDir));
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/actuator/health");
        request.setRemoteAddr(address);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        AtomicBoolean passed = new AtomicBoolean();
        filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> {
            passed.set(true);
            var principal = ((jakarta.servlet.http.HttpServletRequest) req).getUserPrincipal();
            seen.set(principal == null ? null : principal.getName());
        });
        assertThat(passed.get()).isTrue();
        return seen.get();
    }

    private int call(String address, String authorization) throws Exception {
        AdminGuardFilter filter = new AdminGuardFilter(AdminToken.loadOrCreate(null, dataDir),
                new ProblemWriter(JsonMapper.builder().build()));
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/devices");
        request.setRemoteAddr(address);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicBoolean passed = new AtomicBoolean();
        filter.doFilter(request, response, (req, res) -> passed.set(true));
        assertThat(passed.get()).isEqualTo(response.getStatus() == 200);
        if (response.getStatus() == 401) {
            assertThat(response.getContentType()).isEqualTo("application/problem+json");
        }
        return response.getStatus();
    }
}
