package io.p2psync.devices;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the admin and key-value endpoints: callers on a loopback address pass; any other caller must send
 * {@code Authorization: Bearer <admin token>}, else 401 with a problem body. Forwarded-for headers are not
 * trusted: the address is the socket's.
 */
final class AdminGuardFilter extends OncePerRequestFilter {

    static final URI ADMIN_UNAUTHORIZED = URI.create(AuthFailure.PROBLEM_BASE + "admin-token-required");

    private final AdminToken token;
    private final ProblemWriter problems;

    AdminGuardFilter(AdminToken token, ProblemWriter problems) {
        this.token = token;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isAdmin(request, token)) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("WWW-Authenticate", "Bearer");
        problems.write(response, 401, ADMIN_UNAUTHORIZED, "Admin token required",
                "callers other than loopback must send Authorization: Bearer <admin token>",
                request.getRequestURI());
    }

    /** Whether the caller is on a loopback address or sends the admin token. */
    static boolean isAdmin(HttpServletRequest request, AdminToken token) {
        return isLoopback(request.getRemoteAddr()) || token.matches(bearer(request.getHeader("Authorization")));
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7);
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        // Only IP literals: getByName would otherwise resolve a name, and getRemoteAddr is always a literal.
        if (!(address.indexOf(':') >= 0 || address.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
