package io.p2psync.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.sync.Node;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data page in a browser: the key-value store a page at a time, the next page, and a search. */
class DashboardDataIT {

    @TempDir
    Path dir;

    @Test
    void theKeyValueStoreIsPagedAndSearchable() {
        try (Node node = Node.start("laptop", dir, "p2psync.sync.auto=false"); Browser browser = Browser.open()) {
            for (int i = 0; i < 30; i++) {
                node.put(String.format("key-%02d", i), "value " + i);
            }

            browser.go(node.url + "/dashboard/data");
            assertThat(browser.text("#tables")).contains("sync_kv").contains("30");
            assertThat(browser.text("#row-count")).isEqualTo("30 rows");
            assertThat(browser.all("#rows tbody tr")).hasSize(25);
            assertThat(browser.text("#rows tbody tr:first-child")).contains("key-00").contains("value 0");
            assertThat(browser.text(".pager")).contains("page 1 of 2");

            browser.clickAndLoad("#next-page");
            assertThat(browser.all("#rows tbody tr")).hasSize(5);
            assertThat(browser.text("#rows tbody tr:first-child")).contains("key-25");

            browser.find("#search").clear();
            browser.find("#search").sendKeys("value 17");
            browser.find("#search").submit();
            assertThat(browser.text("#row-count")).isEqualTo("1 row matches");
            assertThat(browser.text("#rows")).contains("key-17").doesNotContain("key-16");
            assertThat(browser.driver.getCurrentUrl()).doesNotContain("_csrf");
        }
    }
}
