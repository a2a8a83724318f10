package io.p2psync.kv;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code PUT /kv/{key}} (body: the value as text), {@code GET /kv/{key}}, {@code DELETE /kv/{key}},
 * {@code GET /kv}. Errors are RFC 9457 problem bodies: 400 for a key over the limit, 413 for a value over
 * the limit, 404 for a missing key.
 */
@RestController
@RequestMapping("/kv")
class KvController {

    /** A live entry as answered to clients. */
    record KvView(String key, String value, String timestamp) {
        static KvView of(KvEntry e) {
            return new KvView(e.key(), e.value(), e.timestamp());
        }
    }

    private final KvService kv;
    private final KvSettings limits;

    KvController(KvService kv, KvSettings limits) {
        this.kv = kv;
        this.limits = limits;
    }

    /**
     * The body is the value, read raw whatever the content type (so {@code curl -d hello} works: form parsing
     * is off in application.yml) and never more than the limit plus one byte, so a huge body costs no memory.
     */
    @PutMapping(path = "/{key}", consumes = MediaType.ALL_VALUE)
    KvView put(@PathVariable String key, InputStream body) throws IOException {
        checkKey(key);
        long max = limits.maxValueSize().toBytes();
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (bytes.length > max) {
            throw new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
                    "value is more than " + max + " bytes; at most " + max + " are allowed");
        }
        return KvView.of(kv.put(key, utf8(bytes)));
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the value is not valid UTF-8 text");
        }
    }

    @GetMapping("/{key}")
    KvView get(@PathVariable String key) {
        checkKey(key);
        return kv.get(key).map(KvView::of).orElseThrow(() -> notFound(key));
    }

    @DeleteMapping("/{key}")
    ResponseEntity<Void> delete(@PathVariable String key) {
        checkKey(key);
        if (!kv.delete(key)) {
            throw notFound(key);
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping
    List<KvView> list() {
        return kv.list().stream().map(KvView::of).toList();
    }

    private void checkKey(String key) {
        long size = key.getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxKeySize().toBytes()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "key is " + size + " bytes; at most " + limits.maxKeySize().toBytes() + " are allowed");
        }
    }

    private static ResponseStatusException notFound(String key) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "no live entry with key '" + key + "'");
    }
}
