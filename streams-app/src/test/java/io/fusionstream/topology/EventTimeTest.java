package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.schema.FusedPrediction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Time is per session and bounded by the wall clock: a device clock running ahead moves only its
 * own session, an event time beyond the bounds is dead-lettered or replaced by its arrival time,
 * no event time can overflow a window computation, and a session that stops is forgotten.
 * The driver's wall clock starts at {@link TopologyFixture#T}.
 */
class EventTimeTest {

  @Test
  void aSessionWhoseClockRunsAheadDoesNotMakeOtherSessionsLate() {
    // Within the future bound (50 s ahead of the wall clock), so the fast device's events are accepted.
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("fast-clock", T + 50_000, "from the future");
      f.sendText("fast-clock", T + 51_000, "still ahead");
      f.sendText("normal", T + 1_000, "one");
      f.sendImage("normal", T + 2_000, 4, 90);
      f.sendText("normal", T + 3_000, "two");
      f.closeIdleWindows();
      Map<String, FusedPrediction> bySession = new java.util.HashMap<>();
      f.readPredictions().forEach(p -> bySession.put(p.getSessionId(), p));
      assertThat(bySession).containsOnlyKeys("fast-clock", "normal");
      assertThat(bySession.get("normal").getModalityEventCounts()).containsEntry("text", 2).containsEntry("image", 1);
      assertThat(f.metrics.count("late.dropped.text") + f.metrics.count("late.dropped.image")).isZero();
    }
  }

  @Test
  void lateIsJudgedOnTheSessionsOwnTime() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("s1", T + 1_000, "first window");
      f.sendText("s1", T + 13_000, "s1's time passes end + grace of its first window");
      f.sendText("s1", T + 2_000, "too late for s1");
      f.sendText("s2", T + 2_000, "not late for s2");
      f.closeIdleWindows();
      assertThat(f.metrics.count("late.dropped.text")).isEqualTo(1);
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).filteredOn(p -> p.getSessionId().equals("s2")).singleElement()
          .satisfies(p -> assertThat(p.getModalityEventCounts()).containsEntry("text", 1));
      assertThat(out).filteredOn(p -> p.getSessionId().equals("s1")).extracting(p -> p.getModalityEventCounts().get("text"))
          .containsExactly(1, 1);
    }
  }

  @Test
  void anEventThirtyMinutesAheadIsDeadLetteredAndTheNextSessionIsFused() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("wrong-clock", T + 30 * 60_000, "stamped 30 minutes ahead");
      f.sendText("ok", T + 1_000, "hello");
      f.closeIdleWindows();
      List<TestRecord<byte[], byte[]>> letters = f.dlq.readRecordsToList();
      assertThat(letters).hasSize(1);
      assertThat(header(letters.get(0), DeadLetters.HEADER_REASON)).isEqualTo(DecodeStage.REASON_TIME_OUT_OF_BOUNDS);
      assertThat(header(letters.get(0), DeadLetters.HEADER_MESSAGE)).contains("1800000 ms ahead of");
      assertThat(f.metrics.count("time.out.of.bounds.text.dead-letter")).isEqualTo(1);
      assertThat(f.readPredictions()).extracting(FusedPrediction::getSessionId).containsExactly("ok");
    }
  }

  @Test
  void farPastEventsAreOutOfBoundsOnlyWhenAMaxAgeIsSet() {
    long dayAgo = T - 86_400_000L;
    try (TopologyFixture unbounded = new TopologyFixture()) {
      unbounded.sendText("replay", dayAgo, "yesterday");
      unbounded.closeIdleWindows();
      assertThat(unbounded.readPredictions()).extracting(FusedPrediction::getSessionId).containsExactly("replay");
    }
    try (TopologyFixture f = new TopologyFixture(Map.of(FusionConfig.EVENT_TIME_MAX_AGE_MS, 3_600_000L))) {
      f.sendText("replay", dayAgo, "yesterday");
      f.closeIdleWindows();
      assertThat(f.readPredictions()).isEmpty();
      assertThat(header(f.dlq.readRecordsToList().get(0), DeadLetters.HEADER_REASON))
          .isEqualTo(DecodeStage.REASON_TIME_OUT_OF_BOUNDS);
    }
  }

  @Test
  void useArrivalTimeReplacesAnOutOfBoundsTimeWithTheRecordsTimestamp() {
    try (TopologyFixture f = new TopologyFixture(Map.of(FusionConfig.EVENT_TIME_OUT_OF_BOUNDS,
        FusionConfig.OUT_OF_BOUNDS_ARRIVAL_TIME))) {
      // The device says 30 minutes ahead; the record reached Kafka at T + 4 s.
      f.text.pipeInput("s1", TopologyFixture.textEvent("s1", T + 30 * 60_000, "wrong clock"), Instant.ofEpochMilli(T + 4_000));
      f.sendText("s1", T + 5_000, "right clock");
      f.closeIdleWindows();
      assertThat(f.dlq.readRecordsToList()).isEmpty();
      assertThat(f.metrics.count("time.out.of.bounds.text.use-arrival-time")).isEqualTo(1);
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).singleElement().satisfies(p -> {
        assertThat(p.getWindowStart().toEpochMilli()).isEqualTo(T);
        assertThat(p.getModalityEventCounts()).containsEntry("text", 2);
      });
    }
  }

  @Test
  void anEventTimeNearTheEndOfTimeCannotOverflowAWindow() {
    try (TopologyFixture f = new TopologyFixture(Map.of(FusionConfig.EVENT_TIME_MAX_FUTURE_MS, Long.MAX_VALUE))) {
      f.text.pipeInput("end-of-time", TopologyFixture.textEvent("end-of-time", Long.MAX_VALUE - 1, "overflow me"));
      f.sendText("ok", T + 1_000, "hello");
      f.closeIdleWindows();
      assertThat(header(f.dlq.readRecordsToList().get(0), DeadLetters.HEADER_REASON))
          .isEqualTo(DecodeStage.REASON_TIME_OUT_OF_BOUNDS);
      assertThat(f.readPredictions()).extracting(FusedPrediction::getSessionId).containsExactly("ok");
    }
  }

  @Test
  void aSessionIdOverTheLimitIsDeadLettered() {
    try (TopologyFixture f = new TopologyFixture()) {
      String huge = "s".repeat(70_000); // over 64 KB: would also break a modified-UTF-8 write
      f.sendText(huge, T + 1_000, "who am I");
      f.sendText("ok", T + 1_000, "hello");
      f.closeIdleWindows();
      TestRecord<byte[], byte[]> letter = f.dlq.readRecordsToList().get(0);
      assertThat(header(letter, DeadLetters.HEADER_REASON)).isEqualTo(DecodeStage.REASON_SESSION_TOO_LONG);
      assertThat(header(letter, DeadLetters.HEADER_MESSAGE)).contains("70000 chars, limit 512");
      assertThat(f.readPredictions()).extracting(FusedPrediction::getSessionId).containsExactly("ok");
    }
  }

  @Test
  void afterARestartAWindowWaitsForTheTaskToCatchUpBeforeTheIdleTimeoutEmitsIt() {
    // A window whose last processed event looks old on the wall clock, on a task that has not yet
    // read past its end + grace: its remaining events may still be unread (a restart, a backlog).
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("s1", T + 1_000, "first part");
      f.settle();
      // The wall clock runs far past s1's end + grace + idle timeout while the task stays busy with
      // events that are older than that end + grace (T+11s < T+12s): it is still catching up.
      while (f.wallClockMs() < T + 30_000) {
        f.sendText("other", T + 11_000, "backlog");
        f.advanceWallClock(1_000);
      }
      assertThat(f.readPredictions()).isEmpty();
      f.sendText("s1", T + 2_000, "second part, read late");
      f.settle();
      f.closeIdleWindows();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).filteredOn(p -> p.getSessionId().equals("s1")).singleElement()
          .satisfies(p -> assertThat(p.getModalityEventCounts()).containsEntry("text", 2));
      assertThat(f.metrics.count("late.dropped.text")).isZero();
    }
  }

  @Test
  void aSessionThatStopsIsForgottenAndItsStateDeleted() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("short-call", T + 1_000, "bye");
      f.closeIdleWindows();
      assertThat(f.readPredictions()).hasSize(1);
      var clocks = f.driver.<String, SessionClock>getKeyValueStore(FusionTopology.PREFIX + "session-clocks");
      var windows = f.driver.<org.apache.kafka.common.utils.Bytes, WindowAggregate>getKeyValueStore(
          FusionTopology.WINDOW_STORE);
      assertThat(count(clocks)).as("the session's clock and the task's time").isEqualTo(2);
      assertThat(count(windows)).as("the emitted marker").isEqualTo(1);
      f.advanceWallClock(SessionWindowAggregator.MIN_EXPIRY_MS + 1_000);
      f.settle();
      assertThat(count(clocks)).as("only the task's time").isEqualTo(1);
      assertThat(clocks.get("short-call")).isNull();
      assertThat(count(windows)).isZero();
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  private static long count(org.apache.kafka.streams.state.KeyValueStore<?, ?> store) {
    long n = 0;
    try (var it = store.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
