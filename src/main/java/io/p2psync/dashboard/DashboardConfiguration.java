package io.p2psync.dashboard;

import io.p2psync.conflict.ConflictRepository;
import io.p2psync.devices.AdminToken;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.storage.P2pSyncSettings;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.support.RequestDataValueProcessor;

/**
 * Puts {@link DashboardAccess} in front of every dashboard page (not its static assets) and {@link PageFrame}
 * around each one, and has Thymeleaf add the browser's CSRF token to every form it renders with
 * {@code th:action}, so no form can forget it. The interceptors come from a bean rather than from this class
 * implementing {@code WebMvcConfigurer}, so web slice tests of other features do not pick the dashboard up.
 */
@Configuration(proxyBeanMethods = false)
class DashboardConfiguration {

    @Bean
    WebMvcConfigurer dashboardInterceptors(BrowserTokens tokens, AdminToken adminToken, ObjectProvider<Clock> clock,
            DeviceRepository devices, ConflictRepository conflicts, P2pSyncSettings settings) {
        DashboardAccess door = new DashboardAccess(tokens, adminToken, clock.getIfAvailable(Clock::systemUTC));
        PageFrame frame = new PageFrame(devices, conflicts, settings);
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                String[] pages = {"/", "/dashboard", "/dashboard/**"};
                registry.addInterceptor(door).addPathPatterns(pages).excludePathPatterns("/dashboard/assets/**");
                registry.addInterceptor(frame).addPathPatterns(pages).excludePathPatterns("/dashboard/assets/**");
            }
        };
    }

    /** Found by name: Spring's form tags and Thymeleaf's {@code th:action} ask it for hidden fields to add. */
    @Bean(name = "requestDataValueProcessor")
    RequestDataValueProcessor requestDataValueProcessor() {
        return new CsrfFormFields();
    }

    /** Adds the visitor's CSRF token to every dashboard form; leaves actions and values as they are. */
    static final class CsrfFormFields implements RequestDataValueProcessor {

        @Override
        public String processAction(HttpServletRequest request, String action, String httpMethod) {
            return action;
        }

        @Override
        public String processFormFieldValue(HttpServletRequest request, String name, String value, String type) {
            return value;
        }

        @Override
        public Map<String, String> getExtraHiddenFields(HttpServletRequest request) {
            Visitor visitor = Visitor.of(request);
            return visitor == null ? Map.of() : Map.of(DashboardAccess.CSRF_PARAMETER, visitor.csrfToken());
        }

        @Override
        public String processUrl(HttpServletRequest request, String url) {
            return url;
        }
    }
}
