package io.p2psync.devices;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the admin and key-value endpoints: callers on a loopback address pass; any other caller must send
 * {@code Authorization: Bearer <admin token>}, else 401 with a problem body ({@link AdminCallers}).
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
        if (AdminCallers.isAdmin(request, token)) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("WWW-Authenticate", "Bearer");
        problems.write(response, 401, ADMIN_UNAUTHORIZED, "Admin token required",
                "callers other than loopback must send Authorization: Bearer <admin token>",
                request.getRequestURI());
    }
}
