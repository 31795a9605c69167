package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class TaskFailureTrackerTest {
  private static final TaskId TASK = new TaskId(1, 2);
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final TaskFailureTracker tracker = new TaskFailureTracker(5, Duration.ofMinutes(10), Duration.ofSeconds(60), now::get);

  private static StreamsException failureOf(TaskId task) {
    return new StreamsException(new IllegalStateException("model failed"), task);
  }

  @Test
  void fiveFailuresOfOneTaskWithinTheWindowTurnItDownNamingTaskAndRecord() {
    tracker.failingRecord(TASK, "image-frames", 1, 42, new RecordTooLargeException("The message is 1048981 bytes"));
    for (int i = 1; i <= 4; i++) {
      TaskFailureTracker.Decision d = tracker.threadFailed(failureOf(TASK));
      assertThat(d.down()).isFalse();
      assertThat(d.failures()).isEqualTo(i);
      now.addAndGet(30_000);
    }
    assertThat(tracker.downReason()).isEmpty();

    TaskFailureTracker.Decision fifth = tracker.threadFailed(failureOf(TASK));
    assertThat(fifth.down()).isTrue();
    assertThat(fifth.newlyDown()).isTrue();
    assertThat(fifth.task()).isEqualTo("1_2");
    assertThat(tracker.downReason()).hasValueSatisfying(reason -> assertThat(reason)
        .contains("task 1_2").contains("image-frames-1@42").contains("RecordTooLargeException"));

    TaskFailureTracker.Decision sixth = tracker.threadFailed(failureOf(TASK));
    assertThat(sixth.down()).isTrue();
    assertThat(sixth.newlyDown()).as("logged once").isFalse();
  }

  @Test
  void failuresSpreadBeyondTheWindowStayUp() {
    for (int i = 0; i < 20; i++) {
      assertThat(tracker.threadFailed(failureOf(TASK)).down()).isFalse();
      now.addAndGet(Duration.ofMinutes(3).toMillis());
    }
    assertThat(tracker.downReason()).isEmpty();
  }

  @Test
  void failuresOfDifferentTasksAreCountedApart() {
    for (int p = 0; p < 8; p++) {
      assertThat(tracker.threadFailed(failureOf(new TaskId(0, p))).failures()).isEqualTo(1);
    }
    assertThat(tracker.downReason()).isEmpty();
  }

  @Test
  void downEndsOnceTheFailuresAgeOutOfTheWindow() {
    IntStream.range(0, 5).forEach(i -> tracker.threadFailed(failureOf(TASK)));
    assertThat(tracker.downReason()).isPresent();
    now.addAndGet(Duration.ofMinutes(10).toMillis() + 1);
    assertThat(tracker.downReason()).isEmpty();
  }

  @Test
  void backoffDoublesFromOneSecondAndIsCapped() {
    Duration max = Duration.ofSeconds(10);
    assertThat(IntStream.rangeClosed(1, 8).mapToObj(n -> TaskFailureTracker.backoff(n, max).toMillis()).toList())
        .containsExactly(0L, 1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L, 10_000L);
    assertThat(TaskFailureTracker.backoff(200, Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void decisionsCarryTheBackoffOfTheRepeat() {
    assertThat(tracker.threadFailed(failureOf(TASK)).backoff()).isZero();
    assertThat(tracker.threadFailed(failureOf(TASK)).backoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(tracker.threadFailed(failureOf(TASK)).backoff()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aFailureWithoutTaskIsCountedUnderNone() {
    TaskFailureTracker.Decision d = tracker.threadFailed(new IllegalStateException("no task"));
    assertThat(d.task()).isEqualTo(TaskFailureTracker.NO_TASK);
    assertThat(d.record()).isEmpty();
  }
}
