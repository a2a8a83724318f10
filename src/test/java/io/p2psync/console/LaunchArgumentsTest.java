package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

class LaunchArgumentsTest {

    private static List<String> springArguments(String... args) {
        LaunchArguments.Launch launch = LaunchArguments.parse(args);
        assertThat(launch).as("the launch of %s", List.of(args)).isInstanceOf(LaunchArguments.Run.class);
        return ((LaunchArguments.Run) launch).springArguments();
    }

    private static List<String> problems(String... args) {
        LaunchArguments.Launch launch = LaunchArguments.parse(args);
        assertThat(launch).as("the launch of %s", List.of(args)).isInstanceOf(LaunchArguments.Refused.class);
        return ((LaunchArguments.Refused) launch).problems();
    }

    @Test
    void translatesTheSeedCommandLine() {
        assertThat(springArguments("start", "--port", "4002", "--http-port", "8082", "--no-console"))
                .containsExactly("--p2psync.libp2p.port=4002", "--server.port=8082", "--p2psync.console.enabled=false");
    }

    @Test
    void acceptsTheEqualsFormAndPassesSpringPropertiesThrough() {
        assertThat(springArguments("--port=4003", "--p2psync.data-dir=/tmp/x"))
                .containsExactly("--p2psync.libp2p.port=4003", "--p2psync.data-dir=/tmp/x");
    }

    @Test
    void removeIsACommandOfItsOwnWithTheSameFlags() {
        assertThat(LaunchArguments.parse("remove", "--database", "app.db", "--data-dir=d")).isEqualTo(
                new LaunchArguments.Run(LaunchArguments.Command.REMOVE,
                        List.of("--p2psync.database=app.db", "--p2psync.data-dir=d")));
        assertThat(LaunchArguments.command("start", "--port", "1")).isEqualTo(LaunchArguments.Command.START);
        assertThat(LaunchArguments.command("--database=remove")).isEqualTo(LaunchArguments.Command.START);
    }

    @Test
    void aBareLaunchStartsANodeWithDefaults() {
        assertThat(LaunchArguments.parse()).isEqualTo(new LaunchArguments.Run(LaunchArguments.Command.START, List.of()));
    }

    @Test
    void saysWhatIsMissingWhenAFlagHasNoValue() {
        assertThat(problems("start", "--port")).containsExactly("--port needs a value, for example: --port 4002");
        assertThat(problems("--http-port", "--no-console"))
                .containsExactly("--http-port needs a value, for example: --http-port 8082");
    }

    @Test
    void helpOrHAnywhereAsksForTheUsageWhateverElseIsThere() {
        assertThat(LaunchArguments.parse("--help")).isInstanceOf(LaunchArguments.Help.class);
        assertThat(LaunchArguments.parse("-h")).isInstanceOf(LaunchArguments.Help.class);
        assertThat(LaunchArguments.parse("start", "--port", "4002", "--no-such-thing", "--help"))
                .isInstanceOf(LaunchArguments.Help.class);
    }

    @Test
    void refusesAP2psyncNameNoSettingHasAndSaysWhichWasMeant() {
        assertThat(problems("--p2psync.libp2p.mnds=false"))
                .containsExactly("unknown setting --p2psync.libp2p.mnds (did you mean --p2psync.libp2p.mdns?)");
        assertThat(problems("--p2psync.mdns=false"))
                .containsExactly("unknown setting --p2psync.mdns (did you mean --p2psync.libp2p.mdns?)");
        assertThat(problems("--p2psync.admin-tokn=s3cret")).singleElement().asString()
                .as("the value may be a secret").doesNotContain("s3cret");
        assertThat(problems("--p2psync.zzzzzzzzzz=1")).containsExactly("unknown setting --p2psync.zzzzzzzzzz");
        assertThat(problems("--p2psync=1", "--p2psync.sync=1"))
                .as("a prefix of settings is no setting").hasSize(2);
    }

    @Test
    void refusesFlagsWithoutADotSingleDashOptionsAndStrayWords() {
        assertThat(problems("--verbose", "--foo=bar", "-p", "4002", "--", "-Dserver.port=1")).containsExactly(
                "unknown option --verbose",
                "unknown option --foo",
                "unknown option -p",
                "unexpected argument '4002' (the commands are start and remove, and come first)",
                "unknown option --",
                "unknown option -Dserver.port (JVM options go before -jar: java -Dserver.port=… -jar p2p-sync.jar)");
        assertThat(problems("strat")).containsExactly(
                "unexpected argument 'strat' (the commands are start and remove, and come first)");
        assertThat(problems("start", "remove")).hasSize(1);
    }

    @Test
    void takesEverySettingInEveryFormSpringBootBinds() {
        List<String> args = List.of(
                "--p2psync.console.enabled=false",
                "--p2psync.sync.retry.max-attempts=2",
                "--p2psync.sync.breaker.open-duration=2s",
                "--p2psync.dataDir=x",
                "--p2psync.tables=a,b",
                "--p2psync.tables[0]=a",
                "--p2psync.conflicts.policy.[sync_kv]=manual",
                "--p2psync.conflicts.policy.notes=local",
                "--p2psync.tailscale.command[1]=status",
                "--p2psync.peers=http://127.0.64.2:8080");
        assertThat(springArguments(args.toArray(String[]::new))).containsExactlyElementsOf(args);
    }

    @Test
    void passesSpringBootsOwnPropertiesAndFlags() {
        List<String> args = List.of(
                "--server.port=8082",
                "--server.address=127.0.0.1",
                "--spring.config.additional-location=file:config/node-a.yml",
                "--spring.flyway.locations=classpath:db/migration,classpath:db/testmigration",
                "--spring.main.banner-mode=off",
                "--logging.level.io.p2psync=DEBUG",
                "--logging.level.root=WARN",
                "--management.endpoints.web.exposure.include=health",
                "--debug");
        assertThat(springArguments(args.toArray(String[]::new))).containsExactlyElementsOf(args);
    }

    @Test
    void knowsEverySettingOfEveryRecord() {
        assertThat(SettingNames.scan().leaves()).contains(
                ConfigurationPropertyName.of("p2psync.console.enabled"),
                ConfigurationPropertyName.of("p2psync.libp2p.mdns"),
                ConfigurationPropertyName.of("p2psync.kv.max-value-size"),
                ConfigurationPropertyName.of("p2psync.sync.retry.max-attempts"),
                ConfigurationPropertyName.of("p2psync.admin-token"));
    }

    @Test
    void theUsageShowsOnlyOptionsThatAreTaken() {
        String usage = LaunchArguments.usage();
        List<String> shown = new ArrayList<>();
        Matcher option = Pattern.compile("(?<=\\s)--[a-z][a-z0-9.-]*(=\\S+)?").matcher(usage);
        while (option.find()) {
            if (!option.group().equals("--name=value")) { // the form, in the prose
                shown.add(option.group());
            }
        }
        assertThat(shown).as("options in the usage").contains("--no-console", "--p2psync.libp2p.mdns=false",
                "--spring.config.additional-location=file:node.yml", "--data-dir");
        for (String each : shown) {
            String[] args = LaunchArgumentsTest.valueFlag(each) ? new String[] {each, "1"} : new String[] {each};
            assertThat(LaunchArguments.parse(args)).as(each).isNotInstanceOf(LaunchArguments.Refused.class);
        }
        assertThat(usage.lines()).as("lines stay short").allSatisfy(line ->
                assertThat(line.length()).isLessThanOrEqualTo(100));
    }

    private static boolean valueFlag(String option) {
        return List.of("--data-dir", "--database", "--http-port", "--port").contains(option);
    }
}
