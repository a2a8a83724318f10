package io.p2psync.status;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /status}. */
@RestController
class StatusController {

    private final StatusReport report;

    StatusController(StatusReport report) {
        this.report = report;
    }

    @GetMapping("/status")
    StatusReport.NodeStatus status() {
        return report.current();
    }
}
