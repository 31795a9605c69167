package io.fusionstream.config;

import io.fusionstream.serde.AvroSerdeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Builds the effective settings: defaults (in each ConfigDef) &lt; properties file &lt; environment
 * &lt; command-line flags. Environment names: {@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code SCHEMA_REGISTRY_URL}, and {@code FUSION_<KEY>} where KEY is the setting upper-cased with
 * dots as underscores and without its {@code fusion.} prefix ({@code FUSION_WINDOW_SIZE_MS} sets
 * {@code fusion.window.size.ms}, {@code FUSION_APPLICATION_ID} sets {@code application.id}).
 */
public final class ConfigLoader {
  /** Prefixes Kafka Streams forwards to its clients and topics; anything under them passes. */
  private static final List<String> PASS_THROUGH_PREFIXES = List.of(
      "producer.", "consumer.", "main.consumer.", "restore.consumer.", "global.consumer.", "admin.",
      "topic.", AvroSerdeConfig.SSL_PREFIX);

  private ConfigLoader() {}

  public static Map<String, String> load(Path file, Map<String, String> env, Map<String, String> flags) {
    Map<String, String> out = new LinkedHashMap<>();
    if (file != null) {
      out.putAll(readProperties(file));
    }
    out.putAll(fromEnvironment(env));
    out.putAll(flags);
    return out;
  }

  public static Map<String, String> readProperties(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
    return out;
  }

  static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((name, value) -> {
      if (name.equals("KAFKA_BOOTSTRAP_SERVERS")) {
        out.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, value);
      } else if (name.equals("SCHEMA_REGISTRY_URL")) {
        out.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, value);
      } else if (name.startsWith("FUSION_") && name.length() > 7) {
        String key = name.substring(7).toLowerCase(Locale.ROOT).replace('_', '.');
        out.put(FusionConfig.DEF.names().contains("fusion." + key) ? "fusion." + key : key, value);
      }
    });
    return out;
  }

  /**
   * The settings Kafka clients get: without FusionStream's own keys, which clients would only log
   * as unknown, and without the Streams-only keys a plain producer or consumer does not take.
   */
  public static Map<String, Object> clientSettings(Map<String, String> settings) {
    Map<String, Object> out = new LinkedHashMap<>();
    settings.forEach((k, v) -> {
      if (!k.startsWith("fusion.") && !STREAMS_ONLY.contains(k)) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static final Set<String> STREAMS_ONLY = Set.of(StreamsConfig.APPLICATION_ID_CONFIG,
      StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
      StreamsConfig.NUM_STREAM_THREADS_CONFIG, StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG);

  /** Every key a FusionStream properties file may hold. */
  public static Set<String> knownKeys() {
    Set<String> keys = new TreeSet<>(FusionConfig.DEF.names());
    keys.addAll(AvroSerdeConfig.DEF.names());
    keys.addAll(StreamsConfig.configDef().names());
    keys.addAll(ProducerConfig.configNames());
    keys.addAll(ConsumerConfig.configNames());
    keys.addAll(AdminClientConfig.configNames());
    return keys;
  }

  /** One line per key that no component knows, with the nearest valid key. */
  public static List<String> unknownKeys(Map<String, ?> settings) {
    Set<String> known = knownKeys();
    List<String> problems = new ArrayList<>();
    for (String key : settings.keySet()) {
      if (known.contains(key) || PASS_THROUGH_PREFIXES.stream().anyMatch(key::startsWith)) {
        continue;
      }
      String nearest = known.stream().min(Comparator.comparingInt(k -> distance(k, key))).orElse("");
      problems.add("Unknown setting '" + key + "' (did you mean '" + nearest + "'?)");
    }
    return problems;
  }

  /** Levenshtein distance: small enough key sets that the plain dynamic programme is fine. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
