package io.p2psync.sync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The dependency directions the devices and sync features promise in their package-info. */
class SyncDependenciesTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.p2psync");

    @Test
    void devicesDoNotDependOnSync() {
        noClasses().that().resideInAPackage("io.p2psync.devices..")
                .should().dependOnClassesThat().resideInAPackage("io.p2psync.sync..")
                .check(classes);
    }

    @Test
    void syncDoesNotReachIntoKvOrStatus() {
        noClasses().that().resideInAPackage("io.p2psync.sync..")
                .should().dependOnClassesThat().resideInAnyPackage("io.p2psync.kv..", "io.p2psync.status..")
                .check(classes);
    }

    @Test
    void onlyTheWebPackageServesHttp() {
        noClasses().that().resideInAPackage("io.p2psync.sync")
                .should().beAnnotatedWith(org.springframework.web.bind.annotation.RestController.class)
                .check(classes);
    }
}
