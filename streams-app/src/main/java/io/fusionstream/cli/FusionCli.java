package io.fusionstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fusion} command: every subcommand is registered here, in one place. */
@Command(
    name = "fusion",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "FusionStream: real-time multimodal fusion on Apache Kafka.",
    subcommands = {DemoCommand.class, RunCommand.class, ProduceCommand.class, ConsumeCommand.class,
        TopicsCommand.class, TrainCommand.class, EvaluateCommand.class, FusionCli.DatasetCommand.class, FusionCli.BenchCommand.class,
        RegistryCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Example:", "  ./fusion demo --sessions 20", "",
        "Exit codes: 0 success, 1 runtime failure, 2 usage error."})
public final class FusionCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code fusion dataset synth ...} */
  @Command(name = "dataset", mixinStandardHelpOptions = true, description = "Make datasets to train on.",
      subcommands = {DatasetSynthCommand.class})
  static final class DatasetCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: synth");
    }
  }

  /** {@code fusion bench encoders|pipeline|failover ...} */
  @Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
      subcommands = {BenchEncodersCommand.class, BenchPipelineCommand.class, BenchFailoverCommand.class})
  static final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: encoders or pipeline");
    }
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FusionCli());
    cli.setExecutionExceptionHandler(new OneLineErrors());
    return cli;
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
