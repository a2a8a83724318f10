package io.p2psync.devices;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets every caller through, and marks an admin caller (loopback, or the admin token, as for
 * {@link AdminGuardFilter}) with the principal {@value #ADMIN}. Actuator shows health details only to a
 * caller with a principal ({@code management.endpoint.health.show-details: when-authorized}), so an admin sees
 * why health is not UP and everyone else sees the status alone.
 */
final class AdminPrincipalFilter extends OncePerRequestFilter {

    static final String ADMIN = "admin";
    private static final Principal PRINCIPAL = () -> ADMIN;

    private final AdminToken token;

    AdminPrincipalFilter(AdminToken token) {
        this.token = token;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getUserPrincipal() == null && AdminCallers.isAdmin(request, token)) {
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public Principal getUserPrincipal() {
                    return PRINCIPAL;
                }
            }, response);
            return;
        }
        chain.doFilter(request, response);
    }
}
