package org.pathoreason.cli;

import ai.djl.engine.Engine;
import java.io.PrintStream;
import org.pathoreason.engine.Engines;
import org.pathoreason.engine.MatmulBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Print Java, DJL and PyTorch versions, threads, device, offline guard, "
        + "and measured fp32 matmul GFLOP/s.")
final class DoctorCommand implements Runnable {

    @Mixin
    EngineMixin engine;

    @Option(names = "--matmul-size", defaultValue = "1024", description = "Matrix side for the GFLOP/s check.")
    int size;

    @Override
    public void run() {
        engine.start();
        Engine e = Engine.getEngine("PyTorch");
        PrintStream out = System.out;
        out.printf("java            %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vendor"));
        out.printf("djl             %s%n", Engine.getDjlVersion());
        out.printf("engine          %s %s%n", e.getEngineName(), e.getVersion());
        out.printf("threads         %d intra-op (of %d cores)%n", engine.options().effectiveThreads(),
                Runtime.getRuntime().availableProcessors());
        out.printf("device          %s (GPUs visible: %d)%n", Engines.device(), e.getGpuCount());
        out.printf("offline guard   %s%n", Engines.offlineGuardOn() ? "on (no downloads, no tracking)" : "OFF");
        String vector = org.pathoreason.model.half.HalfKernels.vectorUnavailableReason();
        out.printf("16-bit kernels  %s%n", vector == null ? "Java Vector API" : "plain Java fallback (" + vector + ")");
        out.printf("max heap        %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        out.printf("matmul fp32     %.1f GFLOP/s (%dx%d)%n", MatmulBenchmark.gflops(size, 5), size, size);
    }
}
