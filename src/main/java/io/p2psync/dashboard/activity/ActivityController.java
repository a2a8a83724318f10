package io.p2psync.dashboard.activity;

import io.p2psync.dashboard.DashboardProblem;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code /dashboard/activity}: the latest activities, and the stream of new ones the page follows. */
@Controller
class ActivityController {

    private final ActivityFeed feed;

    ActivityController(ActivityFeed feed) {
        this.feed = feed;
    }

    @GetMapping("/dashboard/activity")
    String page(Model model) {
        model.addAttribute("page", "activity");
        model.addAttribute("activities", feed.recent());
        return "dashboard/activity";
    }

    /** Server-sent events named {@code activity}, each a JSON object: kind, at, text, link. */
    @GetMapping(path = "/dashboard/activity/stream", produces = "text/event-stream")
    @ResponseBody
    SseEmitter stream() {
        SseEmitter emitter = feed.follow();
        if (emitter == null) {
            throw new DashboardProblem(HttpStatus.SERVICE_UNAVAILABLE, "Too many pages follow the feed",
                    "Close the activity page in another tab, or raise p2psync.dashboard.feed-clients.");
        }
        return emitter;
    }
}
