package io.p2psync.p2p;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The libp2p library stays a plain library: no Spring, no feature package of the service. */
class P2pLibraryArchitectureTest {

    private final JavaClasses p2p = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.p2psync.p2p");

    @Test
    void neverImportsSpring() {
        noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(p2p);
    }

    @Test
    void neverImportsAFeaturePackageOfTheService() {
        noClasses().should().dependOnClassesThat(
                        DescribedPredicate.describe("service classes outside io.p2psync.p2p",
                                c -> c.getPackageName().startsWith("io.p2psync") && !c.getPackageName().startsWith("io.p2psync.p2p")))
                .check(p2p);
    }
}
