package io.p2psync.devices.web;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

@WebMvcTest(DeviceController.class)
class DeviceControllerTest {

    private static final DeviceIdentity SELF = new DeviceIdentity(PrivateKey.generate());

    @TestConfiguration
    static class Identity {
        @Bean
        DeviceIdentity deviceIdentity() {
            return SELF;
        }
    }

    @Autowired
    MockMvc mvc;
    @MockitoBean
    DeviceRepository devices;

    private final PeerId laptop = PrivateKey.generate().peerId();

    @Test
    void addsAndAuthorizesANewDevice() throws Exception {
        when(devices.addAuthorized(eq(laptop), eq("laptop"), eq("http://100.64.0.2:8080"), any())).thenReturn(true);
        when(devices.find(laptop)).thenReturn(Optional.of(device(DeviceStatus.AUTHORIZED)));

        mvc.perform(post("/devices").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"deviceId\":\"" + laptop + "\",\"name\":\"laptop\",\"url\":\"http://100.64.0.2:8080/\"}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/devices/" + laptop))
                .andExpect(jsonPath("$.status").value("AUTHORIZED"));
    }

    @Test
    void refusesAnIdThatIsNotAnEd25519DeviceId() throws Exception {
        mvc.perform(post("/devices").contentType(MediaType.APPLICATION_JSON).content("{\"deviceId\":\"QmNotAKey\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:p2psync:problem:invalid-device-id"));
        verify(devices, never()).addAuthorized(any(), any(), any(), any());
    }

    @Test
    void refusesAUrlThatIsNotHttp() throws Exception {
        mvc.perform(post("/devices").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"deviceId\":\"" + laptop + "\",\"url\":\"ftp://x\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void refusesPairingWithItself() throws Exception {
        mvc.perform(post("/devices").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"deviceId\":\"" + SELF.deviceId() + "\"}"))
                .andExpect(status().isBadRequest());
    }

    @Test
    void answers404ProblemsForUnknownDevices() throws Exception {
        mvc.perform(post("/devices/" + laptop + "/revoke"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("urn:p2psync:problem:no-such-device"));
        mvc.perform(delete("/devices/" + laptop))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void authorizesAPendingDevice() throws Exception {
        when(devices.setStatus(laptop, DeviceStatus.AUTHORIZED)).thenReturn(true);
        when(devices.find(laptop)).thenReturn(Optional.of(device(DeviceStatus.AUTHORIZED)));
        mvc.perform(post("/devices/" + laptop + "/authorize"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.authorized").value(true));
    }

    private Device device(DeviceStatus status) {
        return new Device(laptop, "laptop", "http://100.64.0.2:8080", status, null, null, null, Instant.now());
    }
}
