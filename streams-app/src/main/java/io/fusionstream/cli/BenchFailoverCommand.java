package io.fusionstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fusionstream.bench.FailoverRun;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fusion bench failover}: how long the sessions of an instance that dies stay without
 * predictions, with and without a standby replica. A figure for sizing, not a test: it depends on
 * the consumer session timeout, the transaction timeout and the machine.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
      "Starts an in-process Kafka broker and Schema Registry, trains a small fusion model, then for each",
      "standby count and session timeout: two instances of `fusion run` as separate JVMs, sessions that",
      "send a text event every interval, SIGKILL to one instance once every session has predictions,",
      "and the wall time from the kill until each session's next prediction is readable (read committed).",
      "Sessions whose repartition partition the killed instance held (from the consumer group) are",
      "'lost'; the others, the survivor's own, show the rebalance's pause and the window cadence."
    },
    footer = {"", "Examples:", "  ./fusion bench failover",
        "  ./fusion bench failover --standbys 0,1 --session-timeout-ms 45000,10000 --json target/failover.json"})
public final class BenchFailoverCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--standbys", split = ",", defaultValue = "0,1",
      description = "num.standby.replicas values to measure (default ${DEFAULT-VALUE}).")
  List<Integer> standbys;

  @Option(names = "--session-timeout-ms", split = ",", defaultValue = "45000",
      description = "Consumer session.timeout.ms values to measure (default ${DEFAULT-VALUE}, Kafka's default).")
  List<Long> sessionTimeouts;

  @Option(names = "--sessions", defaultValue = "24", description = "Sessions talking (default ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--event-interval-ms", defaultValue = "500",
      description = "Each session sends a text event this often (default ${DEFAULT-VALUE}).")
  long eventIntervalMs;

  @Option(names = "--window-ms", defaultValue = "2000", description = "Window size (default ${DEFAULT-VALUE}).")
  long windowMs;

  @Option(names = "--steady-seconds", defaultValue = "15",
      description = "Running time with both instances before the kill (default ${DEFAULT-VALUE}).")
  int steadySeconds;

  @Option(names = "--timeout-seconds", defaultValue = "240",
      description = "Longest wait for a start or for every session's prediction after the kill (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--partitions", defaultValue = "6", description = "Input topic partitions (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--instance-heap", defaultValue = "768m", description = "-Xmx of each instance (default ${DEFAULT-VALUE}).")
  String instanceHeap;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON to FILE.")
  Path json;

  @Override
  public Integer call() throws Exception {
    if (standbys.isEmpty() || sessionTimeouts.isEmpty() || sessions <= 0 || eventIntervalMs <= 0 || windowMs <= 0
        || steadySeconds < 0 || timeoutSeconds <= 0 || partitions <= 0
        || standbys.stream().anyMatch(s -> s < 0) || sessionTimeouts.stream().anyMatch(t -> t < 6_000)) {
      throw new ParameterException(spec.commandLine(),
          "counts must be positive, standbys >= 0, session timeouts >= 6000 ms (the broker's minimum)");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path work = Files.createTempDirectory("fusion-failover-");
    List<FailoverRun.Result> results = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      out.println("Training a small fusion model on synthetic sessions (not measured)...");
      out.flush();
      Path models = work.resolve("models");
      TrainCommand.trainOnSynthetic(work.resolve("dataset"), 30, 11, models, "--epochs", "2");
      var env = new FailoverRun.Environment(kafka.bootstrapServers(), registry.url(), models, work, partitions,
          instanceCommand());
      var plan = new FailoverRun.Plan(sessions, eventIntervalMs, windowMs, Duration.ofSeconds(steadySeconds),
          Duration.ofSeconds(timeoutSeconds));
      int run = 0;
      for (long timeout : sessionTimeouts) {
        for (int standby : standbys) {
          String id = "f" + (++run);
          out.printf(Locale.ROOT, "[%s] num.standby.replicas=%d session.timeout.ms=%d%n", id, standby, timeout);
          out.flush();
          results.add(FailoverRun.run(env, id, standby, timeout, plan, line -> {
            out.printf(Locale.ROOT, "[%s] %s%n", id, line);
            out.flush();
          }));
        }
      }
      print(out, results);
      if (json != null) {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
        out.println("JSON written to " + json.toAbsolutePath());
      }
      return 0;
    } finally {
      out.println("Instance logs and state: " + work);
    }
  }

  /** This JVM and class path again, running the CLI: what {@code ./fusion run} would start. */
  private List<String> instanceCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-Xmx" + instanceHeap, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        FusionCli.class.getName());
  }

  static void print(PrintWriter out, List<FailoverRun.Result> results) {
    out.println();
    out.println("Seconds from SIGKILL until a session's next prediction is readable (median / max over sessions)");
    out.printf(Locale.ROOT, "%-8s %-10s %-14s %-22s %-22s %s%n", "standby", "session.to", "lost sessions",
        "lost: median / max", "survivor's: median / max", "cadence before");
    for (FailoverRun.Result r : results) {
      out.printf(Locale.ROOT, "%-8d %-10s %-14s %-22s %-22s %.1f s%n", r.standbys(), r.sessionTimeoutMs() / 1000 + " s",
          r.lostRecovered() + "/" + r.lostSessions() + " (p" + r.lostPartitions() + ")",
          String.format(Locale.ROOT, "%.1f / %.1f s", r.lostMedianS(), r.lostMaxS()),
          String.format(Locale.ROOT, "%.1f / %.1f s", r.keptMedianS(), r.keptMaxS()), r.cadenceS());
    }
    out.flush();
  }
}
