package io.p2psync.dashboard.data;

import io.p2psync.dashboard.DashboardProblem;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /dashboard/data}: the tracked tables (the key-value store first) and a page of one of them, searchable.
 * Read-only: the app and {@code /kv} write the data.
 */
@Controller
class DataPageController {

    static final String PATH = "/dashboard/data";
    /** Rows on one page. */
    static final int PAGE_SIZE = 25;
    /** Longest search text taken. */
    static final int MAX_SEARCH = 200;

    private final TableBrowser browser;

    DataPageController(TableBrowser browser) {
        this.browser = browser;
    }

    @GetMapping(PATH)
    String data(@RequestParam(required = false) String table, @RequestParam(required = false) String q,
            @RequestParam(defaultValue = "0") int page, Model model) {
        model.addAttribute("page", "data");
        model.addAttribute("tables", browser.tables());
        String shown = table == null || table.isBlank() ? TableBrowser.KEY_VALUE_TABLE : table;
        if (!browser.isTracked(shown)) {
            throw DashboardProblem.notFound("'" + shown + "' is not a table this node tracks.");
        }
        if (page < 0) {
            throw DashboardProblem.badInput("A page number is 0 or more.");
        }
        if (q != null && q.length() > MAX_SEARCH) {
            throw DashboardProblem.badInput("A search has at most " + MAX_SEARCH + " characters.");
        }
        model.addAttribute("q", q == null ? "" : q);
        model.addAttribute("data", browser.page(shown, q, page, PAGE_SIZE));
        return "dashboard/data";
    }
}
