package io.p2psync.dashboard;

import io.p2psync.devices.AdminToken;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;

/**
 * The login with the admin token, for browsers on other machines: a right token sets a login cookie signed for
 * this browser ({@link BrowserTokens}), good for {@code p2psync.dashboard.session-lifetime}. The token travels
 * only in the form's body and is never logged.
 */
@Controller
class LoginController {

    private static final Logger log = LoggerFactory.getLogger(LoginController.class);

    private final AdminToken adminToken;
    private final BrowserTokens tokens;
    private final DashboardSettings settings;
    private final Clock clock;

    LoginController(AdminToken adminToken, BrowserTokens tokens, DashboardSettings settings,
            ObjectProvider<Clock> clock) {
        this.adminToken = adminToken;
        this.tokens = tokens;
        this.settings = settings;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @GetMapping(DashboardAccess.LOGIN_PATH)
    ModelAndView form(HttpServletRequest request) {
        return loginPage(request, HttpStatus.OK, null);
    }

    @PostMapping(DashboardAccess.LOGIN_PATH)
    ModelAndView login(@RequestParam(defaultValue = "") String token, HttpServletRequest request,
            HttpServletResponse response) {
        if (!adminToken.matches(token)) {
            log.info("Dashboard: a login from {} with a wrong admin token was refused", request.getRemoteAddr());
            return loginPage(request, HttpStatus.UNAUTHORIZED, "That is not this node's admin token.");
        }
        Visitor visitor = Visitor.of(request);
        String login = tokens.login(visitor.browserId(), clock.instant().plus(settings.sessionLifetime()));
        response.addHeader(HttpHeaders.SET_COOKIE, DashboardAccess.cookie(DashboardAccess.LOGIN_COOKIE, login,
                settings.sessionLifetime(), request).toString());
        log.info("Dashboard: logged in from {}", request.getRemoteAddr());
        return new ModelAndView("redirect:/");
    }

    @PostMapping("/dashboard/logout")
    ModelAndView logout(HttpServletRequest request, HttpServletResponse response) {
        response.addHeader(HttpHeaders.SET_COOKIE, DashboardAccess.cookie(DashboardAccess.LOGIN_COOKIE, "",
                java.time.Duration.ZERO, request).toString());
        return new ModelAndView("redirect:" + DashboardAccess.LOGIN_PATH);
    }

    /** The login form with {@code status}, and {@code message} above it if not null. */
    static ModelAndView loginPage(HttpServletRequest request, HttpStatus status, String message) {
        ModelAndView page = new ModelAndView("dashboard/login", status);
        page.addObject("visitor", Visitor.of(request));
        page.addObject("message", message);
        return page;
    }
}
