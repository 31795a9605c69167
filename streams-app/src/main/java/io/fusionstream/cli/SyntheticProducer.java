package io.fusionstream.cli;

import io.fusionstream.produce.EventPublisher;
import java.io.PrintStream;
import java.time.Instant;

/** Placeholder seam for generated sessions; filled in by the synthetic session generator. */
final class SyntheticProducer {
  private SyntheticProducer() {}

  static void send(EventPublisher publisher, int sessions, Instant start, PrintStream progress) {
    throw new UsageException("--synthetic is not available in this build yet");
  }
}
