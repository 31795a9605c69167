package io.fusionstream.bench;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdeConfig;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;

/**
 * One failover measurement: two instances of the application as separate JVMs (what {@code
 * ./fusion run} starts), sessions that keep talking, then SIGKILL to one instance. What is measured
 * is what a user of the predictions topic sees: for each session whose window task lived on the
 * killed instance, the wall time from the kill until its next prediction is readable (read
 * committed). Sessions the survivor already owned are the reference: their gap is the window
 * cadence plus the rebalance's pause, if any.
 *
 * <p>The killed instance's sessions are found the way Kafka places them: the consumer group says
 * which repartition-topic partitions the victim's stream threads held, and a session's partition is
 * the producer's built-in choice for its id (the repartition topic is keyed by session id).
 */
public final class FailoverRun {
  /** What one run saw. Times in seconds from the kill; NaN where nothing arrived. */
  public record Result(int standbys, long sessionTimeoutMs, int repartitionPartitions, Set<Integer> lostPartitions,
      int lostSessions, int keptSessions, int lostRecovered, double lostMedianS, double lostMaxS,
      double keptMedianS, double keptMaxS, double cadenceS) {}

  /** What every run shares. {@code javaCommand}: the JVM and class path the instances start with. */
  public record Environment(String bootstrap, String registryUrl, Path modelDir, Path workDir, int partitions,
      List<String> javaCommand) {}

  /** Settings of the runs: how many sessions talk, how often, and how long to wait. */
  public record Plan(int sessions, long eventIntervalMs, long windowMs, Duration steady, Duration timeout) {}

  private FailoverRun() {}

  /** Runs one measurement with {@code standbys} standby replicas and the given consumer session timeout. */
  public static Result run(Environment env, String id, int standbys, long sessionTimeoutMs, Plan plan,
      Consumer<String> progress) throws Exception {
    Map<String, String> settings = settings(env, id, standbys, sessionTimeoutMs, plan);
    FusionConfig config = new FusionConfig(settings);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrap()))) {
      TopicSpecs.createMissing(admin, TopicSpecs.all(config, env.partitions(), (short) 1, Duration.ofDays(1).toMillis()));
    }
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < plan.sessions(); i++) {
      sessions.add(id + "-session-" + i);
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrap()));
        Instance survivor = Instance.start(env, id, "a", settings);
        Instance victim = Instance.start(env, id, "b", settings);
        Arrivals arrivals = new Arrivals(env.bootstrap(), config.predictionsTopic());
        Talk talk = new Talk(config, env, sessions, plan.eventIntervalMs())) {
      progress.accept("two instances starting; sessions talking");
      String group = settings.get("application.id");
      Map<String, Set<Integer>> owners = awaitTwoOwners(admin, group, survivor, victim, plan.timeout());
      awaitAll(arrivals, sessions, plan.timeout(), survivor, victim);
      progress.accept("every session has a prediction; steady for " + plan.steady().toSeconds() + " s");
      Thread.sleep(plan.steady().toMillis());
      owners = owners(admin, group); // the group may have moved tasks since: read it again, just before the kill
      Set<Integer> lost = owners.getOrDefault(victim.clientId(), Set.of());
      int repartitionPartitions = repartitionPartitions(admin, group);
      Set<String> lostSessions = new HashSet<>();
      for (String s : sessions) {
        if (lost.contains(partitionOf(s, repartitionPartitions))) {
          lostSessions.add(s);
        }
      }
      double cadence = arrivals.medianGapSeconds();
      progress.accept("SIGKILL to instance b (repartition partitions " + new TreeSet<>(lost) + ", "
          + lostSessions.size() + " of " + sessions.size() + " sessions)");
      long killedAt = victim.kill();
      arrivals.markKill(killedAt);
      long deadline = System.nanoTime() + plan.timeout().toNanos();
      while (!arrivals.allAfterKill(sessions) && System.nanoTime() < deadline && survivor.alive()) {
        Thread.sleep(100);
      }
      List<Double> lostTimes = new ArrayList<>();
      List<Double> keptTimes = new ArrayList<>();
      for (String s : sessions) {
        Long t = arrivals.firstAfterKill(s);
        if (t != null) {
          (lostSessions.contains(s) ? lostTimes : keptTimes).add((t - killedAt) / 1000.0);
        }
      }
      return new Result(standbys, sessionTimeoutMs, repartitionPartitions, new TreeSet<>(lost), lostSessions.size(),
          sessions.size() - lostSessions.size(), lostTimes.size(), median(lostTimes), max(lostTimes),
          median(keptTimes), max(keptTimes), cadence);
    }
  }

  static Map<String, String> settings(Environment env, String id, int standbys, long sessionTimeoutMs, Plan plan) {
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", env.bootstrap());
    s.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, env.registryUrl());
    s.put("application.id", "bench-failover-" + id);
    s.put(FusionConfig.TOPIC_PREFIX, id + "-");
    s.put(FusionConfig.MODEL_DIR, env.modelDir().toString());
    s.put(FusionConfig.HTTP_PORT, "0");
    s.put(FusionConfig.HTTP_HOST, "127.0.0.1");
    s.put(FusionConfig.WINDOW_SIZE_MS, Long.toString(plan.windowMs()));
    s.put(FusionConfig.WINDOW_GRACE_MS, "200");
    s.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, Long.toString(plan.windowMs()));
    s.put("num.standby.replicas", Integer.toString(standbys));
    // A killed member is noticed when its heartbeats stop for this long: the consumer's session timeout.
    s.put("session.timeout.ms", Long.toString(sessionTimeoutMs));
    s.put("heartbeat.interval.ms", Long.toString(Math.max(500, Math.min(3_000, sessionTimeoutMs / 3))));
    s.put("commit.interval.ms", "100");
    // One stream thread each: two instances on one machine should not fight over its cores.
    s.put("num.stream.threads", "1");
    return s;
  }

  /** The producer's own choice for a keyed record: what places a session on a repartition partition. */
  static int partitionOf(String sessionId, int partitions) {
    return BuiltInPartitioner.partitionForKey(sessionId.getBytes(StandardCharsets.UTF_8), partitions);
  }

  private static int repartitionPartitions(Admin admin, String group) throws Exception {
    String topic = repartitionTopic(admin, group);
    return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
  }

  private static String repartitionTopic(Admin admin, String group) throws Exception {
    return admin.listTopics().names().get().stream()
        .filter(t -> t.startsWith(group + "-") && t.endsWith("-repartition")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no repartition topic of " + group));
  }

  /** Repartition-topic partitions per instance client id (active tasks only: standbys hold no partitions). */
  private static Map<String, Set<Integer>> owners(Admin admin, String group) throws Exception {
    String topic = repartitionTopic(admin, group);
    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    Map<String, Set<Integer>> out = new HashMap<>();
    for (MemberDescription m : d.members()) {
      String instance = m.clientId().contains("-StreamThread-")
          ? m.clientId().substring(0, m.clientId().indexOf("-StreamThread-")) : m.clientId();
      for (TopicPartition tp : m.assignment().topicPartitions()) {
        if (tp.topic().equals(topic)) {
          out.computeIfAbsent(instance, k -> new HashSet<>()).add(tp.partition());
        }
      }
    }
    return out;
  }

  private static Map<String, Set<Integer>> awaitTwoOwners(Admin admin, String group, Instance a, Instance b,
      Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      a.requireAlive();
      b.requireAlive();
      try {
        Map<String, Set<Integer>> owners = owners(admin, group);
        if (!owners.getOrDefault(a.clientId(), Set.of()).isEmpty()
            && !owners.getOrDefault(b.clientId(), Set.of()).isEmpty()) {
          return owners;
        }
      } catch (Exception notYet) {
        // the group or its repartition topic does not exist before the first instance joins
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("both instances did not hold tasks within " + timeout.toSeconds() + " s; see "
            + a.log() + " and " + b.log());
      }
      Thread.sleep(250);
    }
  }

  private static void awaitAll(Arrivals arrivals, List<String> sessions, Duration timeout, Instance a, Instance b)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!arrivals.allSeen(sessions)) {
      a.requireAlive();
      b.requireAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not every session had a prediction within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
  }

  private static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** One application instance in its own JVM, with its own state directory and log file. */
  private static final class Instance implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String clientId;

    private Instance(Process process, Path log, String clientId) {
      this.process = process;
      this.log = log;
      this.clientId = clientId;
    }

    static Instance start(Environment env, String id, String name, Map<String, String> shared) throws IOException {
      String clientId = "failover-" + id + "-" + name;
      Properties p = new Properties();
      p.putAll(shared);
      p.put("client.id", clientId);
      p.put("state.dir", env.workDir().resolve("state-" + id + "-" + name).toString());
      Path config = env.workDir().resolve(id + "-" + name + ".properties");
      try (Writer w = Files.newBufferedWriter(config)) {
        p.store(w, "bench failover instance " + name);
      }
      Path log = env.workDir().resolve(id + "-" + name + ".log");
      List<String> command = new ArrayList<>(env.javaCommand());
      command.addAll(List.of("run", "--config", config.toString()));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
      return new Instance(pb.start(), log, clientId);
    }

    String clientId() {
      return clientId;
    }

    Path log() {
      return log;
    }

    boolean alive() {
      return process.isAlive();
    }

    void requireAlive() {
      if (!process.isAlive()) {
        throw new IllegalStateException("instance " + clientId + " exited with " + process.exitValue() + "; see " + log);
      }
    }

    /** SIGKILL (what destroyForcibly sends on Linux and macOS): no shutdown hook, no leave-group. */
    long kill() throws InterruptedException {
      long at = System.currentTimeMillis();
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      return at;
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Every session says something every interval, with its event time the wall clock. */
  private static final class Talk implements AutoCloseable {
    private final EventPublisher publisher;
    private final Thread thread;
    private volatile boolean running = true;

    Talk(FusionConfig config, Environment env, List<String> sessions, long intervalMs) {
      this.publisher = new EventPublisher(config, Map.of("bootstrap.servers", env.bootstrap(),
          AvroSerdeConfig.SCHEMA_REGISTRY_URL, env.registryUrl()));
      this.thread = new Thread(() -> {
        long n = 0;
        while (running) {
          Instant now = Instant.now();
          for (String s : sessions) {
            publisher.send(TextEvent.newBuilder().setSessionId(s).setEventId(s + "-" + n).setTimestamp(now)
                .setText(n % 2 == 0 ? "this is going well, thank you" : "I am not sure about that").setSource("chat")
                .build());
          }
          n++;
          publisher.flush();
          try {
            Thread.sleep(intervalMs);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-failover-talk");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(5_000);
      publisher.close();
    }
  }

  /** When predictions became readable (read committed), per session, on the wall clock. */
  private static final class Arrivals implements AutoCloseable {
    private final Map<String, Long> last = new ConcurrentHashMap<>();
    private final Map<String, Long> afterKill = new ConcurrentHashMap<>();
    private final List<Long> gapsMs = java.util.Collections.synchronizedList(new ArrayList<>());
    private final PredictionTail tail;
    private volatile long killedAt = Long.MAX_VALUE;

    Arrivals(String bootstrap, String topic) {
      this.tail = new PredictionTail(bootstrap, topic, this::arrived);
    }

    private void arrived(String session, long now) {
      Long before = last.put(session, now);
      if (now > killedAt) {
        afterKill.putIfAbsent(session, now);
      } else if (before != null) {
        gapsMs.add(now - before);
      }
    }

    void markKill(long at) {
      killedAt = at;
    }

    boolean allSeen(List<String> sessions) {
      return sessions.stream().allMatch(last::containsKey);
    }

    boolean allAfterKill(List<String> sessions) {
      return sessions.stream().allMatch(afterKill::containsKey);
    }

    Long firstAfterKill(String session) {
      return afterKill.get(session);
    }

    /** The usual time between two predictions of one session before the kill. */
    double medianGapSeconds() {
      List<Double> gaps;
      synchronized (gapsMs) {
        gaps = gapsMs.stream().map(g -> g / 1000.0).toList();
      }
      return median(gaps);
    }

    @Override
    public void close() {
      tail.close();
    }
  }
}
