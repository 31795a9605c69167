package io.fusionstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fusion} command: every subcommand is registered here, in one place. */
@Command(
    name = "fusion",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "FusionStream: real-time multimodal fusion on Apache Kafka.",
    subcommands = {ProduceCommand.class, ConsumeCommand.class, TopicsCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Example:", "  ./fusion demo --sessions 20", "",
        "Exit codes: 0 success, 1 runtime failure, 2 usage error."})
public final class FusionCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
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
