package io.p2psync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteCliTest {

    @TempDir
    Path dir;

    @Test
    void dumpsEveryValueSoThatTypesAndBitsDiffer() {
        SqliteCli app = new SqliteCli(dir.resolve("app.db"));
        app.exec("CREATE TABLE t (k PRIMARY KEY, v);"
                + "INSERT INTO t VALUES (5, 0.1 + 0.2), ('5', x'00ff'), (5.5, 'a' || char(0) || 'b'), (6, 0.3), (7, NULL);");
        assertThat(app.dump("t")).containsExactly(
                "'5'|X'00FF'",
                "5.5|text:610062",
                "5|3.00000000000000044408e-01",
                "6|0.3",
                "7|NULL");
    }

    @Test
    void reportsSqliteErrors() {
        SqliteCli app = new SqliteCli(dir.resolve("app.db"));
        assertThatThrownBy(() -> app.exec("SELECT * FROM missing;")).hasMessageContaining("no such table: missing");
        assertThat(SqliteCli.version()).matches("3\\.\\d+\\.\\d+");
    }
}
