package io.fusionstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resources of this process over one measured phase: peak heap (sampled every 10 ms, since the
 * JVM keeps no peak of the whole heap), peak resident memory (the kernel's VmHWM, reset at the start
 * when the kernel allows it) and CPU time. The broker and registry run in the same process, so
 * these include them; the CPU time is also split by who spent it ({@link #groupOf}), from each Java
 * thread's CPU time, with what no Java thread accounts for (garbage collection, the JIT compiler,
 * native threads) as the rest.
 */
public final class ProcessProbe implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakHeap = new AtomicLong();
  private final long cpuStartNanos;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> threadCpuStart;
  private final boolean rssReset;
  private final Thread sampler;
  private volatile boolean running = true;

  /**
   * @param cpuSecondsByGroup CPU seconds per {@link #groupOf} group, plus {@link #NOT_JAVA}; empty where
   *     the JVM cannot measure thread CPU time
   */
  public record Usage(long peakHeapBytes, long peakRssBytes, boolean rssSincePhaseStart, double cpuSeconds,
      Map<String, Double> cpuSecondsByGroup) {
    public Usage(long peakHeapBytes, long peakRssBytes, boolean rssSincePhaseStart, double cpuSeconds) {
      this(peakHeapBytes, peakRssBytes, rssSincePhaseStart, cpuSeconds, Map.of());
    }
  }

  public static final String STREAM_THREADS = "stream threads";
  public static final String BROKER = "broker (in-process)";
  public static final String PRODUCER_IO = "producer I/O threads";
  public static final String BENCH = "benchmark (load, prediction reader)";
  public static final String OTHER_JAVA = "other Java threads";
  public static final String NOT_JAVA = "not Java threads (GC, JIT, native)";

  /** Who a thread works for, from the names Kafka, Kafka Streams and this benchmark give their threads. */
  static String groupOf(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("kafka-producer-network-thread")) {
      return PRODUCER_IO;
    }
    if (n.contains("-streamthread-")) {
      return STREAM_THREADS;
    }
    if (n.startsWith("data-plane-") || n.contains("request-handler") || n.contains("network-thread")
        || n.startsWith("kafka-") || n.contains("txnmarkersender") || n.contains("addpartitionstotxn")
        || n.startsWith("expirationreaper") || n.startsWith("group-coordinator") || n.startsWith("executor-")
        || n.contains("raft") || n.contains("quorum") || n.contains("controller") || n.startsWith("log-")
        || n.startsWith("share-") || n.contains("broker")) {
      return BROKER;
    }
    if (n.equals("main") || n.startsWith("bench-")) {
      return BENCH;
    }
    return OTHER_JAVA;
  }

  private ProcessProbe() {
    this.rssReset = resetPeakRss();
    this.cpuStartNanos = cpuNanos();
    this.threadCpuStart = threadCpu();
    peakHeap.set(memory.getHeapMemoryUsage().getUsed());
    this.sampler = new Thread(this::sample, "bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  public static ProcessProbe start() {
    return new ProcessProbe();
  }

  private void sample() {
    while (running) {
      peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops sampling and returns the phase's figures. */
  public Usage stop() {
    running = false;
    sampler.interrupt();
    double cpu = (cpuNanos() - cpuStartNanos) / 1e9;
    return new Usage(peakHeap.get(), peakRssBytes(), rssReset, cpu, byGroup(cpu));
  }

  /** CPU nanoseconds of every live Java thread; empty where thread CPU time is not measurable. */
  private Map<Long, Long> threadCpu() {
    Map<Long, Long> out = new HashMap<>();
    if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
      return out;
    }
    for (long id : threads.getAllThreadIds()) {
      long nanos = threads.getThreadCpuTime(id);
      if (nanos >= 0) {
        out.put(id, nanos);
      }
    }
    return out;
  }

  /** The phase's CPU by group: threads that ended during the phase count in the rest. */
  private Map<String, Double> byGroup(double processCpuSeconds) {
    if (threadCpuStart.isEmpty() || processCpuSeconds < 0) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String group : new String[] {STREAM_THREADS, PRODUCER_IO, BROKER, BENCH, OTHER_JAVA}) {
      out.put(group, 0.0);
    }
    double java = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      if (nanos < 0) {
        continue;
      }
      double seconds = (nanos - threadCpuStart.getOrDefault(info.getThreadId(), 0L)) / 1e9;
      out.merge(groupOf(info.getThreadName()), seconds, Double::sum);
      java += seconds;
    }
    out.put(NOT_JAVA, Math.max(0, processCpuSeconds - java));
    return out;
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }

  private static long cpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Writing 5 to clear_refs resets VmHWM (Linux 4.0+); elsewhere the peak is the process's. */
  private static boolean resetPeakRss() {
    try {
      Files.writeString(CLEAR_REFS, "5");
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** VmHWM in bytes; -1 where /proc is not there. */
  static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmHWM:")) {
          return parseKb(line) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: reported as unknown
    }
    return -1;
  }

  /** "VmHWM:	  123456 kB" to 123456. */
  static long parseKb(String line) {
    String digits = line.replaceAll("[^0-9]", "");
    return digits.isEmpty() ? -1 : Long.parseLong(digits);
  }
}
