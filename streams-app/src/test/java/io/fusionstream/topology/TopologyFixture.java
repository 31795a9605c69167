package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real topology with the real config, handlers and Avro serde, driven by TopologyTestDriver
 * with small deterministic encoders and fusion. Event times start at {@link #T} and the driver's
 * wall clock starts there too, as in a live stream.
 */
final class TopologyFixture implements AutoCloseable {
  static final long T = 1_700_000_000_000L; // a multiple of 10 s

  final FusionConfig config;
  final CountingPipelineMetrics metrics = new CountingPipelineMetrics();
  final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  final FunctionEncoder<String> textEncoder = FunctionEncoder.words();
  final FunctionEncoder<DecodedImage> imageEncoder = FunctionEncoder.colours();
  final FunctionEncoder<DecodedAudio> audioEncoder = FunctionEncoder.loudness();
  final MeanFusionModel model = new MeanFusionModel();
  final Topology topology;
  final TopologyTestDriver driver;
  final TestInputTopic<String, TextEvent> text;
  final TestInputTopic<String, ImageFrameEvent> image;
  final TestInputTopic<String, AudioChunkEvent> audio;
  final TestOutputTopic<String, FusedPrediction> predictions;
  final TestOutputTopic<byte[], byte[]> dlq;
  private long wallClockMs = T;
  private long latestEventTime = T;

  TopologyFixture() {
    this(Map.of());
  }

  TopologyFixture(Map<String, ?> overrides) {
    this(overrides, null, PipelineMetrics.NOOP);
  }

  /** With {@code models}, fuse batches borrow from it instead of using the fixture's model. */
  TopologyFixture(Map<String, ?> overrides, java.util.function.Supplier<io.fusionstream.fusion.FusionModel> models) {
    this(overrides, models, PipelineMetrics.NOOP);
  }

  /** @param observer also gets every metrics call (the monitoring tests pass the Prometheus metrics) */
  TopologyFixture(Map<String, ?> overrides, PipelineMetrics observer) {
    this(overrides, null, observer);
  }

  private TopologyFixture(Map<String, ?> overrides,
      java.util.function.Supplier<io.fusionstream.fusion.FusionModel> models, PipelineMetrics observer) {
    PipelineMetrics reported = observer == PipelineMetrics.NOOP ? metrics : new TeePipelineMetrics(metrics, observer);
    Map<String, Object> settings = new HashMap<>();
    settings.put(FusionConfig.WINDOW_SIZE_MS, 10_000L);
    settings.put(FusionConfig.WINDOW_GRACE_MS, 2_000L);
    settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, 5_000L);
    settings.put(FusionConfig.MAX_BATCH_SIZE, 4);
    settings.put(FusionConfig.MAX_BATCH_DELAY_MS, 50L);
    settings.put(FusionConfig.LIMIT_TEXT_CHARS, 100);
    settings.put(FusionConfig.LIMIT_IMAGE_BYTES, 4_000);
    settings.put(FusionConfig.LIMIT_IMAGE_PIXELS, 1_000L);
    settings.put(FusionConfig.LIMIT_AUDIO_BYTES, 40_000);
    settings.put(FusionConfig.LIMIT_AUDIO_SECONDS, 1.0);
    settings.put(FusionConfig.OUTPUT_EMBEDDING, true);
    settings.putAll(overrides);
    config = new FusionConfig(settings);

    FusionTopology.Builder builder = FusionTopology.builder(config, registry).metrics(reported);
    if (models == null) {
      builder.fusionModel(model);
    } else {
      builder.fusionModel(models);
    }
    topology = builder.text(textEncoder).image(imageEncoder).audio(audioEncoder, 8_000).build();

    Map<String, Object> user = new HashMap<>();
    user.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    user.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try {
      user.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("fusion-ttd").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    settings.forEach((k, v) -> {
      if (!k.startsWith("fusion.")) {
        user.put(k, v);
      }
    });
    Properties props = StreamsConfigFactory.create(config, user, reported);
    driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(T));

    text = driver.createInputTopic(config.textTopic(), new StringSerializer(),
        AvroSerdes.specific(registry, TextEvent.class).serializer());
    image = driver.createInputTopic(config.imageTopic(), new StringSerializer(),
        AvroSerdes.specific(registry, ImageFrameEvent.class).serializer());
    audio = driver.createInputTopic(config.audioTopic(), new StringSerializer(),
        AvroSerdes.specific(registry, AudioChunkEvent.class).serializer());
    predictions = driver.createOutputTopic(config.predictionsTopic(), Serdes.String().deserializer(),
        AvroSerdes.specific(registry, FusedPrediction.class).deserializer());
    dlq = driver.createOutputTopic(config.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A raw-bytes view of an input topic, for records that are not valid Avro. */
  TestInputTopic<byte[], byte[]> raw(String topic) {
    return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Lets the encode and fuse batches flush: a few wall-clock steps past max-batch-delay. */
  void settle() {
    for (int i = 0; i < 4; i++) {
      advanceWallClock(config.maxBatchDelay().toMillis() + 10);
    }
  }

  /**
   * Lets every open window close by the idle timeout, as it does when sessions stop sending: the wall
   * clock moves past the latest event time sent + size + grace + idle timeout. (Windows close by
   * their own session's time otherwise; another session's events never close them.)
   */
  void closeIdleWindows() {
    long wait = config.windowSize().toMillis() + config.grace().toMillis() + config.idleTimeout().toMillis() + 1_000;
    settle(); // the idle timeout counts from when the window stage saw the last event
    advanceWallClockTo(Math.max(wallClockMs, latestEventTime) + wait);
    settle();
  }

  void advanceWallClock(long ms) {
    wallClockMs += ms;
    driver.advanceWallClockTime(Duration.ofMillis(ms));
  }

  void advanceWallClockTo(long epochMs) {
    advanceWallClock(epochMs - wallClockMs);
  }

  long wallClockMs() {
    return wallClockMs;
  }

  void sendText(String session, long at, String words) {
    latestEventTime = Math.max(latestEventTime, at);
    text.pipeInput(session, textEvent(session, at, words));
  }

  void sendImage(String session, long at, int side, int grey) {
    latestEventTime = Math.max(latestEventTime, at);
    image.pipeInput(session, imageEvent(session, at, side, grey));
  }

  void sendAudio(String session, long at, int samples, short amplitude) {
    latestEventTime = Math.max(latestEventTime, at);
    audio.pipeInput(session, audioEvent(session, at, samples, amplitude));
  }

  static TextEvent textEvent(String session, long at, String words) {
    return TextEvent.newBuilder().setSessionId(session).setEventId(UUID.randomUUID().toString())
        .setTimestamp(Instant.ofEpochMilli(at)).setText(words).build();
  }

  /** A square RAW_RGB frame of one grey level. */
  static ImageFrameEvent imageEvent(String session, long at, int side, int grey) {
    byte[] rgb = new byte[side * side * 3];
    java.util.Arrays.fill(rgb, (byte) grey);
    return imageEvent(session, at, side, side, rgb);
  }

  static ImageFrameEvent imageEvent(String session, long at, int width, int height, byte[] rgb) {
    return ImageFrameEvent.newBuilder().setSessionId(session).setEventId(UUID.randomUUID().toString())
        .setTimestamp(Instant.ofEpochMilli(at)).setEncoding(ImageEncoding.RAW_RGB).setWidth(width)
        .setHeight(height).setData(ByteBuffer.wrap(rgb)).build();
  }

  /** Mono 16-bit PCM at 8 kHz, alternating +/- amplitude. */
  static AudioChunkEvent audioEvent(String session, long at, int samples, short amplitude) {
    ByteBuffer pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < samples; i++) {
      pcm.putShort((short) (i % 2 == 0 ? amplitude : -amplitude));
    }
    pcm.flip();
    return audioEvent(session, at, pcm, 8_000);
  }

  static AudioChunkEvent audioEvent(String session, long at, ByteBuffer data, int rate) {
    return AudioChunkEvent.newBuilder().setSessionId(session).setEventId(UUID.randomUUID().toString())
        .setTimestamp(Instant.ofEpochMilli(at)).setEncoding(AudioEncoding.PCM_S16LE).setSampleRate(rate)
        .setChannels(1).setData(data).build();
  }

  List<FusedPrediction> readPredictions() {
    return predictions.readValuesToList();
  }

  @Override
  public void close() {
    driver.close();
  }
}
