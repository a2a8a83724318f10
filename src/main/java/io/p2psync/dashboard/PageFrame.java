package io.p2psync.dashboard;

import io.p2psync.conflict.ConflictRepository;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.storage.P2pSyncSettings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;

/**
 * What every dashboard page shows around its content: who looks, this device's name, and the counts of what
 * waits for a person (the navigation's badges). Added to each page rendered, never to a redirect, so nothing
 * of it can reach a url.
 */
final class PageFrame implements HandlerInterceptor {

    /**
     * Counts for the navigation's badges.
     *
     * @param pendingDevices devices that called in and wait for approval
     * @param pendingConflicts conflicts that wait for a person
     */
    record Badges(int pendingDevices, long pendingConflicts) {
    }

    private final DeviceRepository devices;
    private final ConflictRepository conflicts;
    private final P2pSyncSettings settings;

    PageFrame(DeviceRepository devices, ConflictRepository conflicts, P2pSyncSettings settings) {
        this.devices = devices;
        this.conflicts = conflicts;
        this.settings = settings;
    }

    @Override
    public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler,
            ModelAndView page) {
        if (page == null || page.getViewName() == null || page.getViewName().startsWith("redirect:")) {
            return;
        }
        Visitor visitor = Visitor.of(request);
        page.addObject("visitor", visitor);
        page.addObject("deviceName", settings.deviceName());
        if (visitor != null && visitor.admin()) {
            page.addObject("badges", new Badges(devices.countPending(), conflicts.countPending()));
        }
    }
}
