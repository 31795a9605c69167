package io.fusionstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resources of this process over one measured phase: peak heap (sampled every 10 ms, since the
 * JVM keeps no peak of the whole heap), peak resident memory (the kernel's VmHWM, reset at the start
 * when the kernel allows it) and CPU time. The broker and registry run in the same process, so
 * these include them.
 */
public final class ProcessProbe implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakHeap = new AtomicLong();
  private final long cpuStartNanos;
  private final boolean rssReset;
  private final Thread sampler;
  private volatile boolean running = true;

  public record Usage(long peakHeapBytes, long peakRssBytes, boolean rssSincePhaseStart, double cpuSeconds) {}

  private ProcessProbe() {
    this.rssReset = resetPeakRss();
    this.cpuStartNanos = cpuNanos();
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
    return new Usage(peakHeap.get(), peakRssBytes(), rssReset, cpu);
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
