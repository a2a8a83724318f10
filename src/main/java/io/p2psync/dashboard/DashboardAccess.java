package io.p2psync.dashboard;

import io.p2psync.devices.AdminCallers;
import io.p2psync.devices.AdminToken;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The door of every dashboard page. Gives a new browser its id cookie; lets in the admin (loopback, the admin
 * token as a bearer header, or a login this node signed for this browser) and shows anyone else the login
 * form (401); refuses (403) every request that may change something (not GET or HEAD) unless it carries this
 * browser's CSRF token, as the form field {@value #CSRF_PARAMETER} or the header {@value #CSRF_HEADER}. The
 * cookies are HttpOnly and SameSite=Strict, so another site can neither read them nor make the browser send
 * them. Neither token ever appears in a url or the log.
 */
final class DashboardAccess implements HandlerInterceptor {

    static final String BROWSER_COOKIE = "p2psync-browser";
    static final String LOGIN_COOKIE = "p2psync-login";
    static final String CSRF_PARAMETER = "_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String LOGIN_PATH = "/dashboard/login";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");

    private final BrowserTokens tokens;
    private final AdminToken adminToken;
    private final Clock clock;

    DashboardAccess(BrowserTokens tokens, AdminToken adminToken, Clock clock) {
        this.tokens = tokens;
        this.adminToken = adminToken;
        this.clock = clock;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String browser = cookie(request, BROWSER_COOKIE);
        boolean known = BrowserTokens.isBrowserId(browser);
        if (!known) {
            browser = BrowserTokens.newBrowserId();
            response.addHeader(HttpHeaders.SET_COOKIE, cookie(BROWSER_COOKIE, browser, null, request).toString());
        }
        boolean loggedIn = known && tokens.isLogin(browser, cookie(request, LOGIN_COOKIE), clock.instant());
        boolean admin = loggedIn || AdminCallers.isAdmin(request, adminToken);
        request.setAttribute(Visitor.ATTRIBUTE, new Visitor(browser, admin, loggedIn, tokens.csrfToken(browser)));
        if (!SAFE_METHODS.contains(request.getMethod()) && !(known && tokens.isCsrfToken(browser, csrf(request)))) {
            throw new DashboardProblem(HttpStatus.FORBIDDEN, "This form was not accepted",
                    "It did not carry this browser's form token, so it may not have come from this dashboard. "
                            + "Nothing was changed. Open the page again and repeat what you did.");
        }
        if (!admin && !LOGIN_PATH.equals(request.getRequestURI())) {
            throw new DashboardProblem(HttpStatus.UNAUTHORIZED, "Admin token required",
                    "From another machine the dashboard needs the admin token.");
        }
        return true;
    }

    /** A cookie the dashboard sets: HttpOnly, SameSite=Strict, for the whole node; Secure when served over TLS. */
    static ResponseCookie cookie(String name, String value, Duration maxAge, HttpServletRequest request) {
        ResponseCookie.ResponseCookieBuilder cookie = ResponseCookie.from(name, value).httpOnly(true)
                .sameSite("Strict").path("/").secure(request.isSecure());
        return (maxAge == null ? cookie : cookie.maxAge(maxAge)).build();
    }

    private static String csrf(HttpServletRequest request) {
        String header = request.getHeader(CSRF_HEADER);
        return header != null ? header : request.getParameter(CSRF_PARAMETER);
    }

    static String cookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (name.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }
}
