package io.p2psync.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.CaptureNotReady;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.ModelAndView;

/** What a person sees when the dashboard cannot do what they asked for now. */
class DashboardErrorsTest {

    @Test
    void aResolutionRefusedUntilTheTableIsReadyIsA503PageThatSaysNothingChangedAndWhenToTryAgain() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/dashboard/conflicts/3/resolve");
        request.addHeader("Referer", "http://localhost:80/dashboard/conflicts/3");
        MockHttpServletResponse response = new MockHttpServletResponse();

        ModelAndView page = new DashboardErrors().notReady(new CaptureNotReady(Set.of("notes")), request, response);

        assertThat(page.getStatus()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(page.getViewName()).isEqualTo("dashboard/error");
        assertThat(response.getHeader("Retry-After")).isEqualTo("5");
        assertThat((String) page.getModel().get("detail")).contains("notes", "Nothing was changed", "try again");
        assertThat(page.getModel()).containsEntry("back", "/dashboard/conflicts/3");
    }
}
