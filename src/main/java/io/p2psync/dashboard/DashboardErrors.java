package io.p2psync.dashboard;

import io.p2psync.changes.CaptureNotReady;
import io.p2psync.conflict.ConflictNotFoundException;
import io.p2psync.conflict.ConflictNotPendingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

/**
 * Renders what the dashboard refuses as a page a person can read, with the HTTP status that says what
 * happened: the login form for 401, else the error page with a title, what went wrong and a way back. Every
 * refusal happens before anything is written, or inside a transaction that rolls back.
 */
@ControllerAdvice(basePackageClasses = DashboardErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashboardErrors {

    private static final Logger log = LoggerFactory.getLogger(DashboardErrors.class);

    @ExceptionHandler(DashboardProblem.class)
    ModelAndView problem(DashboardProblem e, HttpServletRequest request, HttpServletResponse response) {
        if (e.status() == HttpStatus.UNAUTHORIZED) {
            return LoginController.loginPage(request, HttpStatus.UNAUTHORIZED, null);
        }
        if (e.status() == HttpStatus.FORBIDDEN) {
            log.info("Dashboard: refused a {} {} from {} without this browser's form token", request.getMethod(),
                    request.getRequestURI(), request.getRemoteAddr());
        }
        return page(e.status(), e.title(), e.getMessage(), request);
    }

    @ExceptionHandler(ConflictNotFoundException.class)
    ModelAndView noConflict(ConflictNotFoundException e, HttpServletRequest request) {
        return page(HttpStatus.NOT_FOUND, "No such conflict", e.getMessage(), request);
    }

    @ExceptionHandler(ConflictNotPendingException.class)
    ModelAndView notPending(ConflictNotPendingException e, HttpServletRequest request) {
        return page(HttpStatus.CONFLICT, "This conflict is settled already",
                e.getMessage() + " (" + e.conflict().resolution() + "). Nothing was changed.", request);
    }

    /**
     * A resolution while the row may hold a write of the app no trigger saw, which the node has not sealed yet
     * (docs/conflicts.md): nothing was written, and the same button works again in a few seconds.
     */
    @ExceptionHandler(CaptureNotReady.class)
    ModelAndView notReady(CaptureNotReady e, HttpServletRequest request, HttpServletResponse response) {
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(CaptureNotReady.RETRY_AFTER.toSeconds()));
        return page(HttpStatus.SERVICE_UNAVAILABLE, "Not yet: the app changed this table",
                "The app re-created " + String.join(", ", e.tables()) + " (or the node has only just started), so the"
                        + " row may hold a change of the app that the node has not recorded yet; writing over it would"
                        + " lose that change. Nothing was changed and the conflict is still pending: try again in a few"
                        + " seconds, once the node has caught up.", request);
    }

    /** The services' word for input they refuse (a row the table does not take, an unknown column). */
    @ExceptionHandler(IllegalArgumentException.class)
    ModelAndView refused(IllegalArgumentException e, HttpServletRequest request) {
        return page(HttpStatus.BAD_REQUEST, "That did not work", e.getMessage() + ". Nothing was changed.", request);
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class})
    ModelAndView malformed(Exception e, HttpServletRequest request) {
        return page(HttpStatus.BAD_REQUEST, "That did not work", "The request was malformed: " + e.getMessage(),
                request);
    }

    private static ModelAndView page(HttpStatus status, String title, String detail, HttpServletRequest request) {
        ModelAndView page = new ModelAndView("dashboard/error", status);
        page.addObject("title", title);
        page.addObject("detail", detail);
        page.addObject("status", status.value());
        page.addObject("visitor", Visitor.of(request));
        page.addObject("back", back(request));
        return page;
    }

    /** The dashboard page the form was sent from, if the browser said so; else the first page. */
    private static String back(HttpServletRequest request) {
        try {
            java.net.URI referer = java.net.URI.create(request.getHeader("Referer"));
            String path = referer.getRawPath();
            boolean here = request.getServerName().equals(referer.getHost()) && referer.getPort() == request.getServerPort();
            return here && path != null && (path.equals("/") || path.startsWith("/dashboard/")) ? path : "/";
        } catch (RuntimeException absentOrMalformed) {
            return "/";
        }
    }
}
