package org.pathoreason;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package flow of the design: packages from the bottom of the flow up, each using only those before it
 * (a sub-package belongs to its parent's layer), and no cycle between any two packages.
 */
class ArchitectureTest {

    /** Lowest first. A package may depend on itself and on packages earlier in this list. */
    static final List<String> LAYERS = List.of("util", "engine", "llm", "text", "knowledge", "image", "model",
            "data", "wsi", "generate", "reward", "train", "eval", "serve", "pipeline", "cli");

    private static final String ROOT = "org.pathoreason.";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.pathoreason");
    }

    /** The layer of a class: its package below {@code org.pathoreason}, first segment; -1 outside the project. */
    static int layer(JavaClass c) {
        String pkg = c.getPackageName();
        if (!pkg.startsWith(ROOT)) {
            return -1;
        }
        String top = pkg.substring(ROOT.length()).split("\\.")[0];
        int i = LAYERS.indexOf(top);
        if (i < 0) {
            throw new AssertionError("package " + pkg + " is in no layer; add it to ArchitectureTest.LAYERS and "
                    + "to the package table in README.md");
        }
        return i;
    }

    static final ArchCondition<JavaClass> DEPEND_ONLY_DOWNWARD = new ArchCondition<>(
            "depend only on packages below or beside their own") {
        @Override
        public void check(JavaClass origin, ConditionEvents events) {
            int from = layer(origin);
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                int to = layer(d.getTargetClass());
                if (to > from) {
                    events.add(SimpleConditionEvent.violated(d, LAYERS.get(from) + " -> " + LAYERS.get(to) + ": "
                            + d.getDescription()));
                }
            }
        }
    };

    @Test
    void dependenciesPointDownTheLayers() {
        ArchRule rule = ArchRuleDefinition.classes().that().resideInAPackage("org.pathoreason..")
                .should(DEPEND_ONLY_DOWNWARD);
        rule.check(classes);
    }

    @Test
    void onlyTheCliDrawsProgressBars() {
        ArchRuleDefinition.noClasses().that().resideOutsideOfPackage("org.pathoreason.cli..")
                .should().dependOnClassesThat().resideInAPackage("me.tongfei.progressbar..")
                .because("library code reports progress through util.Progress; only the CLI draws")
                .check(classes);
    }

    /** DJL operations whose Number overload hands autograd an operand in memory the JVM frees (see Scalars). */
    static final java.util.Set<String> SCALAR_OPERAND_OPS = java.util.Set.of("mul", "div", "pow", "maximum",
            "minimum", "mod", "muli", "divi", "powi", "modi", "rdiv", "rdivi", "rpow", "rpowi", "rmod", "rmodi");

    @Test
    void numbersEnterArithmeticOnlyThroughScalars() {
        ArchCondition<JavaClass> noNumberOperands = new ArchCondition<>("not call DJL's Number overloads of "
                + SCALAR_OPERAND_OPS) {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                origin.getMethodCallsFromSelf().forEach(call -> {
                    var target = call.getTarget();
                    boolean djlArray = target.getOwner().isAssignableTo("ai.djl.ndarray.NDArray")
                            || target.getOwner().isAssignableTo("ai.djl.ndarray.internal.NDArrayEx");
                    List<String> params = target.getRawParameterTypes().stream().map(JavaClass::getName).toList();
                    if (djlArray && SCALAR_OPERAND_OPS.contains(target.getName())
                            && params.contains(Number.class.getName())) {
                        events.add(SimpleConditionEvent.violated(call, call.getDescription()
                                + ": use org.pathoreason.engine.Scalars"));
                    }
                });
            }
        };
        ArchRuleDefinition.classes().that().resideInAPackage("org.pathoreason..").should(noNumberOperands)
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.pathoreason.(**)").should().beFreeOfCycles().check(classes);
    }
}
