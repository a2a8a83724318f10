package io.p2psync.sync.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.zip.GZIPInputStream;

/**
 * A request whose body is read through gunzip (if it was sent with {@code Content-Encoding: gzip}) and
 * through a byte limit, so a small compressed body cannot expand without bound. The limit is checked as
 * the body is read; the reader gets {@link BodyTooLargeException} past it.
 */
final class DecodingRequest extends HttpServletRequestWrapper {

    private final boolean gzip;
    private final long limit;
    private ServletInputStream stream;

    DecodingRequest(HttpServletRequest request, boolean gzip, long limit) {
        super(request);
        this.gzip = gzip;
        this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        if (stream == null) {
            InputStream raw = super.getInputStream();
            stream = new Limited(gzip ? new GZIPInputStream(raw, 16 * 1024) : raw, limit);
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
        return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }

    @Override
    public int getContentLength() {
        return gzip ? -1 : super.getContentLength();
    }

    @Override
    public long getContentLengthLong() {
        return gzip ? -1 : super.getContentLengthLong();
    }

    @Override
    public String getHeader(String name) {
        return gzip && isEncodingHeader(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return gzip && isEncodingHeader(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    private static boolean isEncodingHeader(String name) {
        return "Content-Encoding".equalsIgnoreCase(name) || "Content-Length".equalsIgnoreCase(name);
    }

    private static final class Limited extends ServletInputStream {
        private final InputStream in;
        private final long limit;
        private long read;
        private boolean finished;

        Limited(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                finished = true;
            } else {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n < 0) {
                finished = true;
            } else {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLargeException {
            read += n;
            if (read > limit) {
                throw new BodyTooLargeException(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return finished;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException("blocking reads only");
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
