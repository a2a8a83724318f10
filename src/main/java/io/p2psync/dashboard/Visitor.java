package io.p2psync.dashboard;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who is looking at the dashboard, as {@link DashboardAccess} found at the start of the request.
 *
 * @param browserId the id in the browser's cookie, which its CSRF token is signed over
 * @param admin     whether the visitor may use the dashboard: on loopback, with the admin token, or logged in
 * @param loggedIn  whether that is by a login with the admin token (then the page offers to log out)
 * @param csrfToken the token every form of this browser must send back
 */
record Visitor(String browserId, boolean admin, boolean loggedIn, String csrfToken) {

    static final String ATTRIBUTE = Visitor.class.getName();

    /** The visitor of this request; null outside the dashboard's paths. */
    static Visitor of(HttpServletRequest request) {
        return (Visitor) request.getAttribute(ATTRIBUTE);
    }
}
