package io.p2psync.sync.web;

import io.p2psync.changes.Forks;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /sync/forks}: origins found to have signed two different entries with one version, whose entries
 * this device refuses until a person decides; {@code DELETE /sync/forks/{origin}} is that decision when the
 * origin may be trusted again (a restored device re-paired under a new key); revoking the device
 * ({@code POST /devices/{id}/revoke}) is the other. Admin rule: loopback or the admin token.
 */
@RestController
class ForkController {

    private final Forks forks;

    ForkController(Forks forks) {
        this.forks = forks;
    }

    @GetMapping("/sync/forks")
    List<Forks.Fork> forks() {
        return forks.list();
    }

    @DeleteMapping("/sync/forks/{origin}")
    ResponseEntity<Void> clear(@PathVariable String origin) {
        if (!forks.clear(origin)) {
            throw SyncProblems.error(HttpStatus.NOT_FOUND, SyncProblems.NO_SUCH_FORK, "No such fork",
                    "no fork of " + origin + " is recorded here");
        }
        return ResponseEntity.noContent().build();
    }
}
