package io.p2psync.dashboard;

import io.p2psync.conflict.ConflictRepository;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.storage.P2pSyncSettings;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every dashboard page shows around its content: who looks, this device's name, and what waits for a person. */
@ControllerAdvice(basePackageClasses = PageModel.class)
class PageModel {

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

    PageModel(DeviceRepository devices, ConflictRepository conflicts, P2pSyncSettings settings) {
        this.devices = devices;
        this.conflicts = conflicts;
        this.settings = settings;
    }

    @ModelAttribute("visitor")
    Visitor visitor(HttpServletRequest request) {
        return Visitor.of(request);
    }

    @ModelAttribute("deviceName")
    String deviceName() {
        return settings.deviceName();
    }

    @ModelAttribute("badges")
    Badges badges(HttpServletRequest request) {
        Visitor visitor = Visitor.of(request);
        if (visitor == null || !visitor.admin()) {
            return new Badges(0, 0); // the login page tells a stranger nothing
        }
        return new Badges(devices.countPending(), conflicts.countPending());
    }
}
