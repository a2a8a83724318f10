package io.p2psync.dashboard.devices;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.status.StatusReport;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /}: this device: its name, its id with a copy button and a QR code, its addresses, its version vector. */
@Controller
class OverviewController {

    /** One origin of the version vector: its device id, the name this device knows it by (or null), its version. */
    record Origin(String deviceId, String name, boolean self, long version) {
    }

    private final StatusReport status;
    private final DeviceRepository devices;
    private final RestAddresses addresses;

    OverviewController(StatusReport status, DeviceRepository devices, RestAddresses addresses) {
        this.status = status;
        this.devices = devices;
        this.addresses = addresses;
    }

    @GetMapping("/")
    String overview(Model model) {
        StatusReport.NodeStatus node = status.current();
        Map<String, String> names = devices.findAll().stream().filter(d -> d.name() != null)
                .collect(Collectors.toMap(d -> d.deviceId().toString(), Device::name, (a, b) -> a));
        List<Origin> origins = node.versionVector().asMap().entrySet().stream()
                .map(e -> new Origin(e.getKey(), e.getKey().equals(node.deviceId()) ? node.deviceName()
                        : names.get(e.getKey()), e.getKey().equals(node.deviceId()), e.getValue()))
                .sorted(java.util.Comparator.comparing(Origin::self).reversed().thenComparing(Origin::deviceId))
                .toList();
        model.addAttribute("page", "overview");
        model.addAttribute("node", node);
        model.addAttribute("qr", QrCode.svg(node.deviceId(), "QR code of the device id " + node.deviceId()));
        model.addAttribute("restUrls", addresses.urls());
        model.addAttribute("origins", origins);
        return "dashboard/overview";
    }
}
