package io.p2psync.dashboard;

import org.springframework.http.HttpStatus;

/**
 * A request the dashboard refuses, rendered as its error page with this status ({@link DashboardErrors});
 * nothing was changed. A 401 renders the login form instead.
 */
public final class DashboardProblem extends RuntimeException {

    private final HttpStatus status;
    private final String title;

    public DashboardProblem(HttpStatus status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public static DashboardProblem badInput(String detail) {
        return new DashboardProblem(HttpStatus.BAD_REQUEST, "That did not work", detail);
    }

    public static DashboardProblem notFound(String detail) {
        return new DashboardProblem(HttpStatus.NOT_FOUND, "Not found", detail);
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }
}
