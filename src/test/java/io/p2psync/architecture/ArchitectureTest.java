package io.p2psync.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The package rules of STYLE.md, checked so they cannot rot. */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.p2psync");

    @Test
    void libp2pLibraryIsPlainJavaAndKnowsNothingOfTheService() {
        noClasses().that().resideInAPackage("io.p2psync.p2p..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta..")
                .because("io.p2psync.p2p is a plain library on Netty")
                .check(MAIN);
    }

    @Test
    void libp2pLibraryDependsOnlyOnItself() {
        noClasses().that().resideInAPackage("io.p2psync.p2p..")
                .should().dependOnClassesThat(
                        com.tngtech.archunit.base.DescribedPredicate.describe("a service package",
                                c -> c.getPackageName().startsWith("io.p2psync.")
                                        && !c.getPackageName().startsWith("io.p2psync.p2p")))
                .because("the dependency points from live to p2p, never back")
                .check(MAIN);
    }

    @Test
    void syncRunsRoundsAndKnowsNothingOfWhenTheyAreScheduled() {
        noClasses().that().resideInAPackage("io.p2psync.sync..")
                .should().dependOnClassesThat().resideInAPackage("io.p2psync.peers..")
                .because("peers decides when and with whom sync runs a round; the dependency points one way")
                .check(MAIN);
    }

    @Test
    void noFieldInjection() {
        noFields().should().beAnnotatedWith("org.springframework.beans.factory.annotation.Autowired")
                .because("dependencies come through constructors")
                .allowEmptyShould(true)
                .check(MAIN);
    }
}
