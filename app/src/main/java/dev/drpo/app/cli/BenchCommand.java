package dev.drpo.app.cli;

import picocli.CommandLine.Command;

/** {@code drpo bench ...}: benchmarks that print measured numbers. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print measured numbers.",
    subcommands = {TrainBenchCommand.class, DataPathBenchCommand.class, LearningBenchCommand.class, ServeBenchCommand.class,
        CatalogBenchCommand.class, FreshnessBenchCommand.class})
final class BenchCommand {}
