package io.fusionstream.cli;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.produce.FileSession;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Sends one session made of real files, or generated sessions, to the input topics. */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Send a session's text, image frames and audio to the input topics.",
    footer = {"", "Examples:",
        "  ./fusion produce --session call-42 --text chat.txt --images frames/ --audio call.wav",
        "  echo 'hello there' | ./fusion produce --session call-43 --text -",
        "  ./fusion produce --synthetic 20"})
public final class ProduceCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(names = "--session", description = "Session id of the events (required with files).")
  String session;

  @Option(names = "--text", paramLabel = "FILE", description = "One text event per line; - reads standard input.")
  String text;

  @Option(names = "--images", paramLabel = "DIR", description = "JPEG/PNG frames, sent in name order.")
  Path images;

  @Option(names = "--audio", paramLabel = "FILE.wav", description = "A WAV file, cut into chunks.")
  Path audio;

  @Option(names = "--chunk-ms", defaultValue = "500", description = "Audio chunk length (default ${DEFAULT-VALUE} ms).")
  int chunkMs;

  @Option(names = "--fps", defaultValue = "1", description = "Frames per second of the images (default ${DEFAULT-VALUE}).")
  double fps;

  @Option(names = "--text-interval-ms", defaultValue = "1000", description = "Time between text events (default ${DEFAULT-VALUE} ms).")
  long textIntervalMs;

  @Option(names = "--start", description = "Event time of the first event, ISO-8601 (default: now).")
  Instant start;

  @Option(names = "--synthetic", paramLabel = "N", description = "Send N generated sessions instead of files.")
  Integer synthetic;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the generated sessions (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (synthetic == null && session == null) {
      throw new UsageException("--session is required when sending files (or use --synthetic N)");
    }
    if (synthetic == null && text == null && images == null && audio == null) {
      throw new UsageException("Nothing to send: give --text, --images and/or --audio (or --synthetic N)");
    }
    FusionConfig config = client.fusionConfig();
    client.requireReachable(Duration.ofSeconds(10));
    try (EventPublisher publisher = new EventPublisher(config, client.clientSettings())) {
      if (synthetic != null) {
        SyntheticProducer.send(publisher, synthetic, start == null ? Instant.now() : start,
            config.windowSize().toMillis(), seed, System.err);
      } else {
        sendFiles(publisher);
      }
      publisher.flush();
      System.err.println();
      for (Map.Entry<String, Long> e : publisher.ackedByTopic().entrySet()) {
        System.out.printf("%-24s %6d events acknowledged%n", e.getKey(), e.getValue());
      }
    }
    return 0;
  }

  private void sendFiles(EventPublisher publisher) throws Exception {
    FileSession files = new FileSession(session, start == null ? Instant.now() : start);
    List<TextEvent> texts = List.of();
    if (text != null) {
      try (BufferedReader r = text.equals("-")
          ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
          : Files.newBufferedReader(Path.of(text))) {
        texts = files.texts(r, textIntervalMs);
      }
    }
    List<ImageFrameEvent> frames = images == null ? List.of() : files.frames(images, fps);
    List<AudioChunkEvent> chunks = audio == null ? List.of() : files.audio(audio, chunkMs);
    int total = texts.size() + frames.size() + chunks.size();
    Progress progress = new Progress("sending " + session, total, System.err);
    texts.forEach(e -> { publisher.send(e); progress.step(); });
    frames.forEach(e -> { publisher.send(e); progress.step(); });
    chunks.forEach(e -> { publisher.send(e); progress.step(); });
  }
}
