package io.fusionstream.monitor;

import static io.fusionstream.monitor.TestPredictions.prediction;
import static io.fusionstream.monitor.TestPredictions.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionstream.schema.Modality;
import io.fusionstream.topology.PipelineMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard feed, stepped by hand (tick and flush) instead of by its clock. */
class DashboardFeedTest {

  private static final List<String> LABELS = List.of("calm", "angry", "happy");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FusionMetrics metrics = new FusionMetrics();
  private final DashboardFeed feed = new DashboardFeed(metrics,
      new DashboardFeed.Settings(Duration.ofSeconds(1), 5, 3, 2, 0.5));

  @AfterEach
  void close() {
    feed.close();
    metrics.close();
  }

  /** A browser stand-in that records every event it is sent. */
  static final class RecordingClient implements DashboardFeed.Client {
    final List<String[]> events = new CopyOnWriteArrayList<>();

    @Override
    public void send(String event, String json) {
      events.add(new String[] {event, json});
    }

    List<JsonNode> payloads(String event) {
      return events.stream().filter(e -> e[0].equals(event)).map(e -> parse(e[1])).toList();
    }
  }

  @Test
  void snapshotsCarryTheGroupsLagForInputAndRepartitionTopics() {
    feed.tick();
    assertThat(feed.history().get(0).lag()).as("not measured yet").isEmpty();
    io.micrometer.core.instrument.MultiGauge lag =
        io.micrometer.core.instrument.MultiGauge.builder(ConsumerLagGauges.LAG).register(metrics.registry());
    lag.register(java.util.List.of(
        io.micrometer.core.instrument.MultiGauge.Row.of(
            io.micrometer.core.instrument.Tags.of("topic", "text-events", "partition", "0"), 5),
        io.micrometer.core.instrument.MultiGauge.Row.of(
            io.micrometer.core.instrument.Tags.of("topic", "audio-chunks", "partition", "1"), 7),
        io.micrometer.core.instrument.MultiGauge.Row.of(
            io.micrometer.core.instrument.Tags.of("topic", "app-fusion-encoded-by-session-repartition", "partition", "3"),
            2)), true);

    feed.tick();

    assertThat(feed.history().get(1).lag()).containsExactlyInAnyOrderEntriesOf(
        java.util.Map.of("input", 12.0, "internal", 2.0));
  }

  @Test
  void snapshotRatesFollowTheMetricsBetweenTicks() {
    feed.tick(); // the baseline every later tick is measured from
    for (int i = 0; i < 8; i++) {
      metrics.eventIn(Modality.TEXT);
    }
    for (int i = 0; i < 2; i++) {
      metrics.eventIn(Modality.IMAGE);
    }
    metrics.batch("encode-text", 6, 1_000_000);
    metrics.batch("encode-text", 2, 1_000_000);
    metrics.batch("fuse", 3, 1_000_000);
    metrics.endToEndLatency(250);
    metrics.deadLetter("invalid_audio");
    metrics.windowEmitted(PipelineMetrics.EmitTrigger.IDLE);
    metrics.modelVersion("m-7");
    metrics.prediction("calm");
    metrics.prediction("calm");
    feed.onState("RUNNING");

    feed.tick();

    DashboardFeed.Snapshot s = feed.history().get(feed.history().size() - 1);
    // Rates depend on the elapsed time, their ratios do not.
    assertThat(s.eventsPerSec().get("text") / s.eventsPerSec().get("image")).isCloseTo(4.0, within(1e-9));
    assertThat(s.eventsPerSec().get("audio")).isZero();
    assertThat(s.predictionsPerSec() / s.eventsPerSec().get("image")).isCloseTo(1.0, within(1e-9));
    assertThat(s.eventsTotal()).isEqualTo(10);
    assertThat(s.predictionsTotal()).isEqualTo(2);
    assertThat(s.batch().get("encode_text").batches()).isEqualTo(2);
    assertThat(s.batch().get("encode_text").mean()).isEqualTo(4.0);
    assertThat(s.batch().get("fuse").mean()).isEqualTo(3.0);
    assertThat(s.latencySeconds().get("p50")).isCloseTo(0.25, within(0.02));
    assertThat(s.deadLettersByReason()).containsEntry("invalid_audio", 1.0);
    assertThat(s.windows()).containsEntry("idle", 1.0).containsEntry("close", 0.0).containsEntry("skipped", 0.0);
    metrics.windowSkipped("missing-required-modality");
    metrics.windowSkipped("missing-required-modality");
    assertThat(s.modelVersion()).isEqualTo("m-7");
    assertThat(s.state()).isEqualTo("RUNNING");

    feed.tick(); // nothing happened since: rates drop to zero, a stage with no batch has no mean
    DashboardFeed.Snapshot quiet = feed.history().get(feed.history().size() - 1);
    assertThat(quiet.eventsPerSec().values()).containsOnly(0.0);
    assertThat(quiet.batch().get("fuse").mean()).isNull();
    assertThat(quiet.eventsTotal()).isEqualTo(10);
    assertThat(quiet.windows()).containsEntry("skipped", 2.0);
  }

  @Test
  void historyIsBounded() {
    for (int i = 0; i < 9; i++) {
      feed.tick();
    }
    assertThat(feed.history()).hasSize(5);
  }

  @Test
  void theDisagreementFlagFollowsTheServingModelsThreshold() {
    double[] served = {0.1};
    feed.disagreementThreshold(() -> served[0]);
    feed.onPrediction(prediction("a", 0, "calm", LABELS, 0.6f, 0.2f, weights(0.4f, 0.3f, 0.3f)));
    feed.flush();
    assertThat(feed.latestPredictions().get(0).disagree()).as("0.2 is not under 0.1").isFalse();
    assertThat(feed.hello()).containsEntry("disagreementThreshold", 0.1);

    served[0] = 0.3; // a reloaded model with another calibration
    feed.onPrediction(prediction("a", 10_000, "calm", LABELS, 0.6f, 0.2f, weights(0.4f, 0.3f, 0.3f)));
    feed.flush();
    assertThat(feed.latestPredictions().get(0).disagree()).isTrue();

    feed.disagreementThreshold(() -> {
      throw new IllegalStateException("the model store is closed");
    });
    assertThat(feed.hello()).as("falls back on the setting").containsEntry("disagreementThreshold", 0.5);
  }

  @Test
  void keepsTheLatestPredictionPerSessionAndFlagsDisagreement() {
    feed.onPrediction(prediction("a", 0, "calm", LABELS, 0.6f, 0.9f, weights(0.5f, 0.5f, 0)));
    feed.onPrediction(prediction("b", 0, "angry", LABELS, 0.6f, 0.2f, weights(0.4f, 0.3f, 0.3f)));
    feed.onPrediction(prediction("c", 0, "happy", LABELS, 0.6f, 0.2f, weights(1f, 0, 0)));
    feed.onPrediction(prediction("a", 10_000, "happy", LABELS, 0.7f, 0.95f, weights(0.6f, 0.4f, 0)));
    feed.flush();

    List<PredictionView> latest = feed.latestPredictions();
    assertThat(latest).extracting(PredictionView::session).containsExactly("b", "c", "a");
    PredictionView a = latest.get(2);
    assertThat(a.label()).isEqualTo("happy");
    assertThat(a.updates()).isEqualTo(2);
    assertThat(a.windowStart()).isEqualTo(10_000);
    assertThat(a.present()).containsExactly("text", "image");
    assertThat(a.weights()).containsEntry("text", 0.6f).doesNotContainKey("audio");
    assertThat(latest.get(0).disagree()).as("three modalities, consistency 0.2").isTrue();
    assertThat(latest.get(1).disagree()).as("one modality cannot disagree").isFalse();
    assertThat(a.disagree()).isFalse();

    feed.onPrediction(prediction("d", 0, "calm", LABELS, 0.6f, 0.9f, weights(1f, 0, 0)));
    feed.flush();
    assertThat(feed.latestPredictions()).extracting(PredictionView::session)
        .as("three sessions kept, the least recently updated goes").containsExactly("c", "a", "d");
  }

  @Test
  void clientsGetHelloThenSnapshotsPredictionsAndDeadLetters() {
    feed.onPrediction(prediction("early", 0, "calm", LABELS, 0.6f, 0.9f, weights(1f, 0, 0)));
    feed.onDeadLetter("invalid_image", "image-frames", 2, 41, "old");
    feed.flush();
    feed.tick();

    RecordingClient client = new RecordingClient();
    feed.subscribe(client);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.events.size() == 1);

    assertThat(client.events.get(0)[0]).isEqualTo("hello");
    JsonNode hello = client.payloads("hello").get(0);
    assertThat(hello.get("history")).hasSize(1);
    assertThat(hello.get("predictions").get(0).get("session").asText()).isEqualTo("early");
    assertThat(hello.get("deadLetters").get(0).get("offset").asLong()).isEqualTo(41);
    assertThat(hello.get("modalities").toString()).isEqualTo("[\"text\",\"image\",\"audio\"]");

    feed.onPrediction(prediction("late", 0, "angry", LABELS, 0.6f, 0.9f, weights(1f, 0, 0)));
    feed.onDeadLetter("schema_mismatch", "text-events", 0, 7, "x".repeat(1000));
    feed.onDeadLetter("invalid_image", "image-frames", 1, 8, "bad frame");
    feed.flush();
    feed.tick();

    // sent by the client's own sender: predictions, dead letters, snapshot
    await().atMost(Duration.ofSeconds(10)).until(() -> client.events.size() == 4);
    assertThat(client.payloads("predictions")).hasSize(1);
    assertThat(client.payloads("predictions").get(0).get(0).get("session").asText()).isEqualTo("late");
    JsonNode deadLetters = client.payloads("deadletters").get(0);
    assertThat(deadLetters).hasSize(2);
    assertThat(deadLetters.get(0).get("reason").asText()).isEqualTo("schema_mismatch");
    assertThat(deadLetters.get(0).get("message").asText()).hasSize(DeadLetterView.MAX_MESSAGE);
    assertThat(client.payloads("snapshot")).hasSize(1);
    assertThat(feed.recentDeadLetters()).as("two kept, newest first").extracting(DeadLetterView::offset)
        .containsExactly(8L, 7L);
  }

  @Test
  void aClientThatFailsIsDroppedAndTheOthersKeepReceiving() {
    RecordingClient healthy = new RecordingClient();
    DashboardFeed.Client broken = new DashboardFeed.Client() {
      int sends;

      @Override
      public void send(String event, String json) throws Exception {
        if (++sends > 1) {
          throw new java.io.IOException("browser went away");
        }
      }
    };
    feed.subscribe(broken);
    feed.subscribe(healthy);
    await().atMost(Duration.ofSeconds(10)).until(() -> feed.clientCount() == 2);

    feed.tick();
    feed.tick();

    await().atMost(Duration.ofSeconds(10)).until(() -> healthy.payloads("snapshot").size() == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> feed.clientCount() == 1);
  }

  @Test
  void clientsThatStopReadingDoNotHoldUpOneThatReads() throws Exception {
    // A browser that stops reading blocks its socket write for good once the TCP buffers fill; here
    // the send blocks from the start. The feed thread and the reading client must not notice.
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger droppedStuck = new java.util.concurrent.atomic.AtomicInteger();
    try (DashboardFeed small = new DashboardFeed(metrics,
        new DashboardFeed.Settings(Duration.ofSeconds(1), 5, 3, 2, 0.5).withMaxClients(21).withClientQueue(4))) {
      for (int i = 0; i < 20; i++) {
        small.subscribe(new DashboardFeed.Client() {
          @Override
          public void send(String event, String json) throws InterruptedException {
            never.await();
          }

          @Override
          public void dropped() {
            droppedStuck.incrementAndGet();
          }
        });
      }
      RecordingClient reader = new RecordingClient();
      assertThat(small.subscribe(reader)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> small.clientCount() == 21);

      // One tick at a time, each read before the next: the reader keeps up however slowly its sender
      // thread is scheduled, so only the stuck clients can fall a queue behind.
      for (int i = 1; i <= 10; i++) {
        small.tick();
        int expected = i;
        await().atMost(Duration.ofSeconds(10)).until(() -> reader.payloads("snapshot").size() == expected);
      }

      assertThat(droppedStuck).as("each stuck client fell a queue behind and was dropped").hasValue(20);
      assertThat(small.clientCount()).isEqualTo(1);
      assertThat(small.hasRoom()).isTrue();
    } finally {
      never.countDown();
    }
  }

  @Test
  void subscriptionsBeyondTheCapAreRefused() {
    try (DashboardFeed capped = new DashboardFeed(metrics,
        new DashboardFeed.Settings(Duration.ofSeconds(1), 5, 3, 2, 0.5).withMaxClients(2))) {
      RecordingClient first = new RecordingClient();
      assertThat(capped.subscribe(first)).isTrue();
      assertThat(capped.subscribe(new RecordingClient())).isTrue();
      assertThat(capped.hasRoom()).isFalse();
      assertThat(capped.subscribe(new RecordingClient())).isFalse();

      await().atMost(Duration.ofSeconds(10)).until(() -> capped.clientCount() == 2);
      capped.unsubscribe(first);
      assertThat(capped.hasRoom()).isTrue();
      assertThat(capped.subscribe(new RecordingClient())).isTrue();
    }
  }

  @Test
  void slowAndFailedClientsAndRefusalsAreCountedOnMetrics() throws Exception {
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    try (FusionMetrics own = new FusionMetrics();
        DashboardFeed capped = new DashboardFeed(own,
            new DashboardFeed.Settings(Duration.ofSeconds(1), 5, 3, 2, 0.5).withMaxClients(3).withClientQueue(2))) {
      PrometheusText before = new PrometheusText(own.scrape());
      assertThat(before.value("fusion_dashboard_clients_dropped_total", "reason", "slow")).isZero();
      assertThat(before.value("fusion_dashboard_clients_dropped_total", "reason", "send_failed")).isZero();
      assertThat(before.value("fusion_dashboard_subscriptions_refused_total")).isZero();

      DashboardFeed.Client stuck = (event, json) -> never.await();
      RecordingClient reader = new RecordingClient();
      RecordingClient third = new RecordingClient();
      assertThat(capped.subscribe(stuck)).isTrue();
      assertThat(capped.subscribe(reader)).isTrue();
      assertThat(capped.subscribe(third)).isTrue();
      assertThat(capped.subscribe(new RecordingClient())).isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> capped.clientCount() == 3);
      assertThat(new PrometheusText(own.scrape()).value("fusion_dashboard_clients")).isEqualTo(3);
      capped.unsubscribe(third); // a browser that closed: not a drop

      DashboardFeed.Client failing = (event, json) -> {
        throw new java.io.IOException("browser went away");
      };
      assertThat(capped.subscribe(failing)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          new PrometheusText(own.scrape()).value("fusion_dashboard_clients_dropped_total", "reason",
              "send_failed") == 1);

      // read before each next tick, so only the stuck client can fall its queue of 2 behind
      for (int i = 1; i <= 4; i++) {
        capped.tick();
        int expected = i;
        await().atMost(Duration.ofSeconds(10)).until(() -> reader.payloads("snapshot").size() == expected);
      }

      PrometheusText after = new PrometheusText(own.scrape());
      assertThat(after.value("fusion_dashboard_clients_dropped_total", "reason", "slow")).isEqualTo(1);
      assertThat(after.value("fusion_dashboard_clients_dropped_total", "reason", "send_failed")).isEqualTo(1);
      assertThat(after.value("fusion_dashboard_subscriptions_refused_total")).isEqualTo(1);
      assertThat(after.value("fusion_dashboard_clients")).isEqualTo(1);
    } finally {
      never.countDown();
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("Not JSON: " + json, e);
    }
  }
}
