package io.fusionstream.chaos;

import io.fusionstream.app.FusionApp;
import io.fusionstream.encode.Encoders;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The real application ({@link FusionApp}: real decoders, MiniLM and the built-in image and audio
 * encoders, the model store, HTTP health and metrics) as a process of its own with a bounded heap,
 * for {@link ChaosIT}. The only difference from {@code fusion run} is {@link PoisonTextEncoder}
 * around the text encoder. Argument: a properties file with the settings.
 */
public final class ChaosApp {
  static final String READY = "CHAOS-APP READY port=";

  private ChaosApp() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Properties file = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
      file.load(in);
    }
    Map<String, String> settings = new HashMap<>();
    file.stringPropertyNames().forEach(k -> settings.put(k, file.getProperty(k)));
    FusionApp app = FusionApp.start(settings,
        e -> new Encoders(new PoisonTextEncoder(e.text()), e.image(), e.audio(), e.audioSampleRate()));
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "chaos-app-shutdown"));
    System.out.println(READY + app.httpPort() + " model=" + app.modelVersion());
    app.awaitTermination();
    System.out.println("CHAOS-APP Kafka Streams stopped: " + app.streams().state());
    // Only reached when Kafka Streams died on its own: the test must see a dead process.
    System.exit(1);
  }
}
