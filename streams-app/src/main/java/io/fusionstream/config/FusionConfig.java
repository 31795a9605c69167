package io.fusionstream.config;

import io.fusionstream.schema.Modality;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * FusionStream's own settings, typed and documented with Kafka's {@link ConfigDef}. Everything
 * else in the same properties (Kafka Streams, client and serde keys) passes through to Kafka; see
 * {@link ConfigLoader} for the layering (defaults &lt; file &lt; environment &lt; flags).
 */
public final class FusionConfig extends AbstractConfig {
  public static final String TOPIC_PREFIX = "fusion.topic.prefix";
  public static final String TOPIC_TEXT = "fusion.topic.text";
  public static final String TOPIC_IMAGE = "fusion.topic.image";
  public static final String TOPIC_AUDIO = "fusion.topic.audio";
  public static final String TOPIC_PREDICTIONS = "fusion.topic.predictions";
  public static final String TOPIC_DLQ = "fusion.topic.dlq";

  public static final String WINDOW_SIZE_MS = "fusion.window.size.ms";
  public static final String WINDOW_ADVANCE_MS = "fusion.window.advance.ms";
  public static final String WINDOW_GRACE_MS = "fusion.window.grace.ms";
  public static final String WINDOW_IDLE_TIMEOUT_MS = "fusion.window.idle.timeout.ms";
  public static final String WINDOW_POOLING = "fusion.window.pooling";
  public static final String REQUIRED_MODALITIES = "fusion.required.modalities";

  public static final String REPARTITION_PARTITIONS = "fusion.repartition.partitions";
  /** Fewest partitions a newly created repartition topic gets when the key is not set. */
  public static final int DEFAULT_REPARTITION_PARTITIONS = 12;
  public static final String STATE_ROCKSDB_MEMORY_BYTES = "fusion.state.rocksdb.memory.bytes";

  public static final String MAX_BATCH_SIZE = "fusion.max.batch.size";
  public static final String MAX_BATCH_DELAY_MS = "fusion.max.batch.delay.ms";

  public static final String LIMIT_TEXT_CHARS = "fusion.limit.text.max.chars";
  public static final String LIMIT_IMAGE_BYTES = "fusion.limit.image.max.bytes";
  public static final String LIMIT_IMAGE_PIXELS = "fusion.limit.image.max.pixels";
  public static final String LIMIT_AUDIO_BYTES = "fusion.limit.audio.max.bytes";
  public static final String LIMIT_AUDIO_SECONDS = "fusion.limit.audio.max.seconds";
  public static final String LIMIT_IMAGE_SIDE = "fusion.limit.image.max.side";
  public static final String LIMIT_IMAGE_ASPECT = "fusion.limit.image.max.aspect.ratio";
  public static final String LIMIT_AUDIO_RATE = "fusion.limit.audio.max.sample.rate";
  public static final String LIMIT_SESSION_ID_CHARS = "fusion.limit.session.id.max.chars";
  public static final String MAX_BATCH_BYTES = "fusion.max.batch.bytes";

  public static final String EVENT_TIME_MAX_FUTURE_MS = "fusion.event.time.max.future.ms";
  public static final String EVENT_TIME_MAX_AGE_MS = "fusion.event.time.max.age.ms";
  public static final String EVENT_TIME_OUT_OF_BOUNDS = "fusion.event.time.out.of.bounds";
  public static final String OUT_OF_BOUNDS_DEAD_LETTER = "dead-letter";
  public static final String OUT_OF_BOUNDS_ARRIVAL_TIME = "use-arrival-time";

  public static final String TASK_MAX_FAILURES = "fusion.task.max.failures";
  public static final String TASK_FAILURE_WINDOW_MS = "fusion.task.failure.window.ms";
  public static final String TASK_BACKOFF_MAX_MS = "fusion.task.failure.backoff.max.ms";

  public static final String MODEL_DIR = "fusion.model.dir";
  public static final String OUTPUT_EMBEDDING = "fusion.output.embedding";
  public static final String HTTP_PORT = "fusion.http.port";
  public static final String HTTP_HOST = "fusion.http.host";
  public static final String MODEL_POLL_MS = "fusion.model.poll.interval.ms";
  public static final String HTTP_AUTH = "fusion.http.auth";
  public static final String HTTP_AUTH_FILE = "fusion.http.auth.file";
  public static final String HTTP_AUTH_EXEMPT_PATHS = "fusion.http.auth.exempt.paths";
  public static final String HTTP_ALLOWED_HOSTS = "fusion.http.allowed.hosts";
  public static final String HTTP_MAX_STREAM_CLIENTS = "fusion.http.max.stream.clients";
  /** Environment variable holding {@code user:password} for {@code fusion.http.auth=basic}. */
  public static final String ENV_HTTP_BASIC_USER_INFO = "DASHBOARD_BASIC_AUTH_USER_INFO";
  /** Environment variable holding the token for {@code fusion.http.auth=bearer}. */
  public static final String ENV_HTTP_BEARER_TOKEN = "DASHBOARD_BEARER_TOKEN";

  public static final String DLQ_PAYLOAD = "fusion.dlq.payload";
  public static final String DLQ_STACKTRACE = "fusion.dlq.stacktrace";

  public static final String ENCODER_MODEL_DIR = "fusion.encoder.model.dir";
  public static final String ENCODER_TEXT_MODEL = "fusion.encoder.text.model";
  public static final String ENCODER_IMAGE_MODEL = "fusion.encoder.image.model";
  public static final String ENCODER_AUDIO_MODEL = "fusion.encoder.audio.model";
  public static final String ENCODER_DEVICE = "fusion.encoder.device";
  public static final String ENCODER_MAX_SEQUENCE = "fusion.encoder.text.max.sequence.length";
  public static final String ENCODER_BUCKET = "fusion.encoder.bucket.by.length";
  public static final String ENCODER_ONNX_THREADS = "fusion.encoder.onnx.threads";
  public static final String ENCODER_TORCH_THREADS = "fusion.encoder.torch.threads";
  public static final String ENCODER_TORCHSCRIPT_ALLOW_WRITABLE = "fusion.encoder.torchscript.allow.writable";

  /** Unset (derived) or a thread count; 0 hands the choice to the engine. */
  private static final ConfigDef.Validator THREADS = (name, value) -> {
    if (value != null && (Integer) value < 0) {
      throw new ConfigException(name, value, "must be 0 (the engine's default) or more");
    }
  };

  public static final ConfigDef DEF = new ConfigDef()
      .define(TOPIC_PREFIX, Type.STRING, "", Importance.MEDIUM,
          "Prepended to every topic name below, e.g. 'prod.' gives prod.text-events.")
      .define(TOPIC_TEXT, Type.STRING, "text-events", Importance.HIGH, "Input topic of TextEvent records.")
      .define(TOPIC_IMAGE, Type.STRING, "image-frames", Importance.HIGH, "Input topic of ImageFrameEvent records.")
      .define(TOPIC_AUDIO, Type.STRING, "audio-chunks", Importance.HIGH, "Input topic of AudioChunkEvent records.")
      .define(TOPIC_PREDICTIONS, Type.STRING, "fused-predictions", Importance.HIGH,
          "Output topic: one FusedPrediction per session window.")
      .define(TOPIC_DLQ, Type.STRING, "fusion-dlq", Importance.HIGH,
          "Dead-letter topic: the original bytes of records that cannot be processed, with headers saying why.")
      .define(WINDOW_SIZE_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.HIGH,
          "Event-time window size per session.")
      .define(WINDOW_ADVANCE_MS, Type.LONG, null, Importance.MEDIUM,
          "Hop between window starts; unset (or equal to the size) gives tumbling windows.")
      .define(WINDOW_GRACE_MS, Type.LONG, 2_000L, Range.atLeast(0), Importance.HIGH,
          "How long after a window's end out-of-order events are still accepted.")
      .define(WINDOW_IDLE_TIMEOUT_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.HIGH,
          "Wall-clock time after end + grace at which a window is emitted even if no newer event arrived.")
      .define(WINDOW_POOLING, Type.STRING, "mean", ValidString.in("mean", "max"), Importance.MEDIUM,
          "How the embeddings of one modality inside a window are pooled.")
      .define(REQUIRED_MODALITIES, Type.LIST, "", Importance.MEDIUM,
          "Modalities (text, image, audio) a window must have to be fused; others are skipped and counted.")
      .define(REPARTITION_PARTITIONS, Type.INT, DEFAULT_REPARTITION_PARTITIONS, Range.atLeast(1), Importance.MEDIUM,
          "Partitions of the internal topic that regroups encoded events by session (<application.id>-fusion-"
              + "encoded-by-session-repartition), fixed so that adding input partitions never invalidates it; it bounds"
              + " the parallelism of the window and fuse stages. Unset: an existing topic's count is kept, and a new"
              + " topic gets the larger of 12 and the input topics' count. Change it with ./fusion topics scale --repartition N.")
      .define(STATE_ROCKSDB_MEMORY_BYTES, Type.LONG, 64L * 1024 * 1024, Range.atLeast(0), Importance.MEDIUM,
          "Native memory all RocksDB state stores of the process share: one block cache, memtables, index and"
              + " filter blocks charged to it (Kafka Streams' bounded-memory setup). 0 leaves each store Kafka"
              + " Streams' own defaults (a cache and up to three 16 MiB memtables per store). A rocksdb.config.setter"
              + " of your own replaces this.")
      .define(MAX_BATCH_SIZE, Type.INT, 32, Range.atLeast(1), Importance.HIGH,
          "Largest batch of the encode and fuse stages.")
      .define(MAX_BATCH_DELAY_MS, Type.LONG, 50L, Range.atLeast(0), Importance.HIGH,
          "Longest a pending record waits for its batch to fill.")
      .define(LIMIT_TEXT_CHARS, Type.INT, 20_000, Range.atLeast(1), Importance.MEDIUM, "Longest text accepted.")
      .define(LIMIT_IMAGE_BYTES, Type.INT, 8 * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM,
          "Largest image payload accepted, in bytes.")
      .define(LIMIT_IMAGE_PIXELS, Type.LONG, 25_000_000L, Range.atLeast(1), Importance.MEDIUM,
          "Largest width*height accepted, checked on the header before decoding.")
      .define(LIMIT_AUDIO_BYTES, Type.INT, 8 * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM,
          "Largest audio payload accepted, in bytes.")
      .define(LIMIT_AUDIO_SECONDS, Type.DOUBLE, 30.0, Range.atLeast(0.001), Importance.MEDIUM,
          "Longest audio chunk accepted, in seconds.")
      .define(LIMIT_IMAGE_SIDE, Type.INT, 16_384, Range.atLeast(1), Importance.MEDIUM,
          "Longest accepted image side (width or height), checked on the header before decoding.")
      .define(LIMIT_IMAGE_ASPECT, Type.DOUBLE, 32.0, Range.atLeast(1.0), Importance.LOW,
          "Largest accepted ratio of an image's long side to its short side.")
      .define(LIMIT_AUDIO_RATE, Type.INT, 768_000, Range.atLeast(1), Importance.LOW,
          "Highest accepted sample rate, in Hz, for raw PCM and WAV alike.")
      .define(LIMIT_SESSION_ID_CHARS, Type.INT, 512, Range.between(1, 16_384), Importance.LOW,
          "Longest accepted session id; longer ones are dead letters.")
      .define(MAX_BATCH_BYTES, Type.LONG, 256L * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM,
          "Byte budget of the decoded inputs one pending encode batch holds in memory; reaching it flushes the batch early.")
      .define(EVENT_TIME_MAX_FUTURE_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.HIGH,
          "Event times further ahead of the wall clock than this are out of bounds (a device clock running ahead).")
      .define(EVENT_TIME_MAX_AGE_MS, Type.LONG, null, Importance.MEDIUM,
          "Event times further behind the wall clock than this are out of bounds; unset: no bound.")
      .define(EVENT_TIME_OUT_OF_BOUNDS, Type.STRING, OUT_OF_BOUNDS_DEAD_LETTER,
          ValidString.in(OUT_OF_BOUNDS_DEAD_LETTER, OUT_OF_BOUNDS_ARRIVAL_TIME), Importance.MEDIUM,
          "What happens to an event whose time is out of bounds: dead-letter it (reason timestamp-out-of-bounds),"
              + " or use-arrival-time (the Kafka record's timestamp). Counted per modality either way.")
      .define(TASK_MAX_FAILURES, Type.INT, 5, Range.atLeast(1), Importance.MEDIUM,
          "Failures of the same task within fusion.task.failure.window.ms after which the instance reports /health DOWN.")
      .define(TASK_FAILURE_WINDOW_MS, Type.LONG, 600_000L, Range.atLeast(1), Importance.LOW,
          "Window in which repeated failures of one task are counted.")
      .define(TASK_BACKOFF_MAX_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
          "Longest wait before a failed stream thread is replaced; the wait doubles from 1 s with each repeated failure.")
      .define(MODEL_DIR, Type.STRING, "models/fusion", Importance.HIGH,
          "Directory of fusion model versions; the newest is loaded and hot-swapped when a newer one appears.")
      .define(OUTPUT_EMBEDDING, Type.BOOLEAN, false, Importance.LOW,
          "Put the fused embedding into each prediction.")
      .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
          "Port of /health, /metrics and the dashboard.")
      .define(HTTP_HOST, Type.STRING, "127.0.0.1", Importance.HIGH,
          "Interface the HTTP server binds; this machine only by default. 0.0.0.0 (all interfaces) belongs next to "
              + HTTP_AUTH + " and a network policy: the dashboard shows session ids and inferred emotions.")
      .define(HTTP_AUTH, Type.STRING, "none", ValidString.in("none", "basic", "bearer"), Importance.HIGH,
          "Authentication of the dashboard, its feed, /metrics and /health: none, basic (user:password from $"
              + "DASHBOARD_BASIC_AUTH_USER_INFO or " + HTTP_AUTH_FILE + ") or bearer (a token from $DASHBOARD_BEARER_TOKEN"
              + " or " + HTTP_AUTH_FILE + "). Credentials are never read from a flag or the properties.")
      .define(HTTP_AUTH_FILE, Type.STRING, null, Importance.MEDIUM,
          "File holding the credentials of " + HTTP_AUTH + " (user:password, or the token), e.g. a mounted secret;"
              + " it wins over the environment variable.")
      .define(HTTP_AUTH_EXEMPT_PATHS, Type.LIST, "", ValidList.in(true, "/health", "/metrics"), Importance.MEDIUM,
          "Paths served without authentication for probes and scrapers: /health (with /health/ready and /health/live)"
              + " and/or /metrics.")
      .define(HTTP_ALLOWED_HOSTS, Type.LIST, "", Importance.MEDIUM,
          "Host-header names accepted besides the bound ones (localhost names, and this machine's names and addresses"
              + " when bound to all interfaces), e.g. a Service or ingress name; * accepts any (no DNS-rebinding check).")
      .define(HTTP_MAX_STREAM_CLIENTS, Type.INT, 16, Range.between(1, 1_000), Importance.LOW,
          "Most dashboard feeds (/events) open at once; more are answered 503.")
      .define(DLQ_PAYLOAD, Type.STRING, "keep", ValidString.in("keep", "drop", "hash"), Importance.HIGH,
          "What a dead letter keeps of the record: keep (key, value and the source headers), drop (none of them),"
              + " hash (none of them; SHA-256 and length of key and value in headers, to match against a copy).")
      .define(DLQ_STACKTRACE, Type.BOOLEAN, false, Importance.MEDIUM,
          "Put the stack trace into dead letters; the exception class, message and reason are always there.")
      .define(MODEL_POLL_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
          "How often the model directory is checked for a newer version (0: never).")
      .define(ENCODER_MODEL_DIR, Type.STRING, "models/encoders", Importance.MEDIUM,
          "Model repository: one folder per encoder model with its model.json (see docs/encoders.md).")
      .define(ENCODER_TEXT_MODEL, Type.STRING, "minilm", Importance.HIGH,
          "Text encoder: minilm (all-MiniLM-L6-v2, bundled), bge-zh (bge-small-zh-v1.5, bundled), a model name or a directory.")
      .define(ENCODER_IMAGE_MODEL, Type.STRING, "builtin", Importance.HIGH,
          "Image encoder: builtin (baseline colour + gradient features, no weights) or a model name or directory.")
      .define(ENCODER_AUDIO_MODEL, Type.STRING, "builtin", Importance.HIGH,
          "Audio encoder: builtin (baseline log-mel statistics, no weights) or a model name or directory.")
      .define(ENCODER_DEVICE, Type.STRING, "auto", Importance.MEDIUM, "auto (GPU if the engine sees one), cpu or gpu:N.")
      .define(ENCODER_MAX_SEQUENCE, Type.INT, 256, Range.atLeast(2), Importance.LOW,
          "Tokens per text; longer texts are truncated, never refused.")
      .define(ENCODER_BUCKET, Type.BOOLEAN, true, Importance.LOW,
          "Split a text batch by length so one long text does not pad many short ones.")
      .define(ENCODER_ONNX_THREADS, Type.INT, null, THREADS, Importance.MEDIUM,
          "ONNX Runtime intra-op threads per model call. Unset: cores / num.stream.threads, at least 1;"
              + " 0: ONNX Runtime's default (one per physical core, per call).")
      .define(ENCODER_TORCH_THREADS, Type.INT, null, THREADS, Importance.MEDIUM,
          "PyTorch threads per op (built-in encoders, log-mel, TorchScript models); process-wide, fixed when"
              + " the engine starts. Unset: cores / num.stream.threads, at least 1; 0: PyTorch's default (all cores).")
      .define(ENCODER_TORCHSCRIPT_ALLOW_WRITABLE, Type.BOOLEAN, false, Importance.MEDIUM,
          "Load a TorchScript encoder model even when this process can write its file or a directory from the"
              + " model directory down to it. TorchScript is code: keep false and mount model directories read-only.");

  public FusionConfig(Map<?, ?> props) {
    super(DEF, props, false);
    if (windowAdvance().compareTo(windowSize()) > 0) {
      throw new ConfigException(WINDOW_ADVANCE_MS, windowAdvance().toMillis(),
          "must not exceed " + WINDOW_SIZE_MS + " (" + windowSize().toMillis() + ")");
    }
  }

  public String topic(String key) {
    return getString(TOPIC_PREFIX) + getString(key);
  }

  public String textTopic() {
    return topic(TOPIC_TEXT);
  }

  public String imageTopic() {
    return topic(TOPIC_IMAGE);
  }

  public String audioTopic() {
    return topic(TOPIC_AUDIO);
  }

  public String predictionsTopic() {
    return topic(TOPIC_PREDICTIONS);
  }

  public String dlqTopic() {
    return topic(TOPIC_DLQ);
  }

  public Duration windowSize() {
    return Duration.ofMillis(getLong(WINDOW_SIZE_MS));
  }

  public Duration windowAdvance() {
    Long advance = getLong(WINDOW_ADVANCE_MS);
    return advance == null ? windowSize() : Duration.ofMillis(advance);
  }

  public Duration grace() {
    return Duration.ofMillis(getLong(WINDOW_GRACE_MS));
  }

  public Duration idleTimeout() {
    return Duration.ofMillis(getLong(WINDOW_IDLE_TIMEOUT_MS));
  }

  public boolean maxPooling() {
    return "max".equals(getString(WINDOW_POOLING));
  }

  public Set<Modality> requiredModalities() {
    Set<Modality> out = EnumSet.noneOf(Modality.class);
    for (String m : getList(REQUIRED_MODALITIES)) {
      try {
        out.add(Modality.valueOf(m.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(REQUIRED_MODALITIES, m, "expected text, image or audio");
      }
    }
    return out;
  }

  /** Partition count of the repartition topic (the key, or its default when unset). */
  public int repartitionPartitions() {
    return getInt(REPARTITION_PARTITIONS);
  }

  /** The cap on the RocksDB stores' native memory in bytes; 0: Kafka Streams' per-store defaults. */
  public long rocksDbMemoryBytes() {
    return getLong(STATE_ROCKSDB_MEMORY_BYTES);
  }

  /** Whether fusion.repartition.partitions was set, rather than defaulted. */
  public boolean repartitionPartitionsSet() {
    return originals().get(REPARTITION_PARTITIONS) != null;
  }

  public int maxBatchSize() {
    return getInt(MAX_BATCH_SIZE);
  }

  public Duration maxBatchDelay() {
    return Duration.ofMillis(getLong(MAX_BATCH_DELAY_MS));
  }

  public long maxBatchBytes() {
    return getLong(MAX_BATCH_BYTES);
  }

  /** The input limits of the fusion.limit.* keys, for the decoders. */
  public io.fusionstream.decode.Limits limits() {
    return new io.fusionstream.decode.Limits(getInt(LIMIT_TEXT_CHARS), getInt(LIMIT_IMAGE_BYTES),
        getLong(LIMIT_IMAGE_PIXELS), getInt(LIMIT_IMAGE_SIDE), getDouble(LIMIT_IMAGE_ASPECT),
        getInt(LIMIT_AUDIO_BYTES), getDouble(LIMIT_AUDIO_SECONDS), getInt(LIMIT_AUDIO_RATE));
  }

  /** The largest input record accepted: the largest payload limit plus room for the other fields. */
  public int maxEventBytes() {
    return limits().maxEventBytes(getInt(LIMIT_SESSION_ID_CHARS));
  }

  /** The encoder choice, for {@link io.fusionstream.encode.EncoderFactory}. */
  public io.fusionstream.encode.EncoderSettings encoderSettings() {
    return io.fusionstream.encode.EncoderSettings.defaults()
        .withTextModel(getString(ENCODER_TEXT_MODEL))
        .withImageModel(getString(ENCODER_IMAGE_MODEL))
        .withAudioModel(getString(ENCODER_AUDIO_MODEL))
        .withModelDir(java.nio.file.Path.of(getString(ENCODER_MODEL_DIR)))
        .withDevice(getString(ENCODER_DEVICE))
        .withMaxBatchSize(maxBatchSize())
        .withMaxSequenceLength(getInt(ENCODER_MAX_SEQUENCE))
        .withBucketByLength(getBoolean(ENCODER_BUCKET))
        .withOnnxThreads(threads().onnxThreads())
        .withTorchThreads(threads().torchThreads())
        .withTorchScriptAllowWritable(getBoolean(ENCODER_TORCHSCRIPT_ALLOW_WRITABLE));
  }

  /**
   * Stream and engine threads, set or derived from the processors this JVM sees; {@code
   * num.stream.threads} is read from the same properties (it is a Kafka Streams key).
   */
  public ThreadPlan threads() {
    return threads(Runtime.getRuntime().availableProcessors());
  }

  ThreadPlan threads(int cores) {
    return ThreadPlan.of(cores, streamThreadsSetting(), getInt(ENCODER_ONNX_THREADS), getInt(ENCODER_TORCH_THREADS));
  }

  private Integer streamThreadsSetting() {
    Object value = originals().get(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG);
    if (value == null || value.toString().isBlank()) {
      return null;
    }
    try {
      int threads = Integer.parseInt(value.toString().trim());
      if (threads >= 1) {
        return threads;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG, value, "must be a whole number of at least 1");
  }

  /** The settings as a plain map, for building a modified copy in tests and tools. */
  public Map<String, Object> asMap() {
    return new HashMap<>(originals());
  }
}
