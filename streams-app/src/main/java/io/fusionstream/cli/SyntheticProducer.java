package io.fusionstream.cli;

import io.fusionstream.produce.EventPublisher;
import io.fusionstream.produce.SyntheticStream;
import java.io.PrintStream;
import java.time.Instant;

/** {@code produce --synthetic N}: N generated sessions, as fast as the producer takes them. */
final class SyntheticProducer {
  private SyntheticProducer() {}

  static void send(EventPublisher publisher, int sessions, Instant start, long windowMs, long seed,
      PrintStream progressOut) {
    SyntheticStream stream = new SyntheticStream(seed, windowMs);
    Progress progress = new Progress("sending sessions", sessions, progressOut);
    String prefix = "synth-" + Long.toString(start.toEpochMilli(), 36) + "-";
    for (int i = 0; i < sessions; i++) {
      // sessions a second apart in event time, like sessions starting one after another
      SyntheticStream.send(publisher, stream.next(prefix + i, start.plusSeconds(i)));
      progress.step();
    }
  }
}
