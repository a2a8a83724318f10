package io.p2psync.sync.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import io.p2psync.devices.ProblemWriter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Decompresses {@code Content-Encoding: gzip} request bodies of {@code /sync/*} and bounds every body's
 * decoded size. Runs after the signature filter, which checks the body as it was sent, so an
 * unauthenticated caller never makes this device inflate anything. Other encodings get 415.
 */
final class DecodingFilter extends OncePerRequestFilter {

    private final long limit;
    private final ProblemWriter problems;

    DecodingFilter(long limit, ProblemWriter problems) {
        this.limit = limit;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String encoding = request.getHeader("Content-Encoding");
        boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
            problems.write(response, 415, SyncProblems.UNSUPPORTED_ENCODING, "Unsupported content encoding",
                    "request bodies may be sent as gzip or identity, not " + encoding, request.getRequestURI());
            return;
        }
        chain.doFilter(new DecodingRequest(request, gzip, limit), response);
    }
}
