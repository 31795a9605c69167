package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Tells a one-off task failure from one that repeats. The exception handlers note which record
 * they failed on; the stream thread's uncaught exception handler asks how long to wait before the
 * thread is replaced. The wait doubles from 1 s with each repeat of the same task within
 * {@code fusion.task.failure.window.ms}, and once a task has failed {@code fusion.task.max.failures}
 * times in that window the instance is reported DOWN, naming the task and the record, so a poison
 * record shows up as an unhealthy instance instead of a silent loop of thread replacements.
 *
 * <p>One instance per application, shared by all stream threads and handlers (thread-safe). It
 * reaches the handlers, which Kafka Streams creates from class names, as the config value
 * {@link #CONFIG}.
 */
public final class TaskFailureTracker {
  /** Config key under which the tracker reaches the exception handlers. */
  public static final String CONFIG = "fusion.internal.task.failures";
  /** Task label of failures that no task is named for (e.g. a thread failing while it starts). */
  public static final String NO_TASK = "none";
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  /** The record a handler refused to skip, and why. */
  public record FailedRecord(String topic, int partition, long offset, String error) {
    @Override
    public String toString() {
      return topic == null ? "no source record (" + error + ")" : topic + "-" + partition + "@" + offset + " (" + error + ")";
    }
  }

  /**
   * What to do about one thread failure.
   *
   * @param task the failed task, or {@link #NO_TASK}
   * @param failures failures of that task within the window, this one included
   * @param backoff how long to wait before replacing the thread
   * @param down whether the instance is now reported DOWN
   * @param newlyDown whether this failure made it DOWN (log it once)
   * @param record the record the task last failed on, if a handler named one
   */
  public record Decision(String task, int failures, Duration backoff, boolean down, boolean newlyDown,
      Optional<FailedRecord> record) {}

  private final int maxFailures;
  private final long windowMs;
  private final Duration maxBackoff;
  private final LongSupplier clock;
  private final Map<String, Deque<Long>> failures = new HashMap<>();
  private final Map<String, FailedRecord> lastRecord = new HashMap<>();
  private String downTask;
  private String downReason;

  public TaskFailureTracker(int maxFailures, Duration window, Duration maxBackoff, LongSupplier clockMs) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be at least 1, was " + maxFailures);
    }
    this.maxFailures = maxFailures;
    this.windowMs = window.toMillis();
    this.maxBackoff = maxBackoff;
    this.clock = clockMs;
  }

  public static TaskFailureTracker from(FusionConfig config) {
    return new TaskFailureTracker(config.getInt(FusionConfig.TASK_MAX_FAILURES),
        Duration.ofMillis(config.getLong(FusionConfig.TASK_FAILURE_WINDOW_MS)),
        Duration.ofMillis(config.getLong(FusionConfig.TASK_BACKOFF_MAX_MS)), System::currentTimeMillis);
  }

  /** The tracker in the handlers' configs, if the application put one there. */
  static Optional<TaskFailureTracker> from(Map<String, ?> configs) {
    Object t = configs.get(CONFIG);
    return t instanceof TaskFailureTracker tracker ? Optional.of(tracker) : Optional.empty();
  }

  /** A handler answered FAIL for this record of this task. */
  public synchronized void failingRecord(TaskId task, String topic, int partition, long offset, Throwable error) {
    lastRecord.put(label(task), new FailedRecord(topic, partition, offset, summary(error)));
  }

  /** A stream thread died with this exception: count it against its task and decide the wait. */
  public synchronized Decision threadFailed(Throwable error) {
    String task = taskOf(error).map(TaskFailureTracker::label).orElse(NO_TASK);
    long now = clock.getAsLong();
    Deque<Long> times = failures.computeIfAbsent(task, t -> new ArrayDeque<>());
    times.addLast(now);
    prune(times, now);
    int count = times.size();
    Optional<FailedRecord> record = Optional.ofNullable(lastRecord.get(task));
    boolean wasDown = downReason(now).isPresent();
    boolean down = count >= maxFailures;
    if (down && !task.equals(downTask)) {
      downTask = task;
      downReason = "task " + task + " failed " + count + " times within " + windowMs / 1000 + " s; last failing record: "
          + record.map(FailedRecord::toString).orElse("unknown") + "; last error: " + summary(error);
    }
    return new Decision(task, count, backoff(count, maxBackoff), down, down && !wasDown, record);
  }

  /**
   * Why the instance is unhealthy: a task that failed {@code maxFailures} times within the window.
   * Empty once its failures have aged out of the window (it stopped failing).
   */
  public synchronized Optional<String> downReason() {
    return downReason(clock.getAsLong());
  }

  private Optional<String> downReason(long now) {
    if (downTask == null) {
      return Optional.empty();
    }
    Deque<Long> times = failures.get(downTask);
    prune(times, now);
    if (times.size() >= maxFailures) {
      return Optional.of(downReason);
    }
    downTask = null;
    downReason = null;
    return Optional.empty();
  }

  /** No wait after a first failure; then 1 s, doubling with each repeat, at most {@code max}. */
  public static Duration backoff(int failures, Duration max) {
    if (failures <= 1) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - 2, 30);
    Duration d = FIRST_BACKOFF.multipliedBy(1L << doublings);
    return d.compareTo(max) > 0 ? max : d;
  }

  static Optional<TaskId> taskOf(Throwable error) {
    for (Throwable c = error; c != null; c = c.getCause()) {
      if (c instanceof StreamsException se && se.taskId().isPresent()) {
        return se.taskId();
      }
    }
    return Optional.empty();
  }

  private void prune(Deque<Long> times, long now) {
    while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
      times.removeFirst();
    }
  }

  private static String label(TaskId task) {
    return task == null ? NO_TASK : task.toString();
  }

  /** The innermost cause's class and message: what an operator needs in one line. */
  static String summary(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ": " + root.getMessage();
    if (message.length() > 300) {
      message = message.substring(0, 300) + "...";
    }
    return root.getClass().getSimpleName() + message;
  }
}
