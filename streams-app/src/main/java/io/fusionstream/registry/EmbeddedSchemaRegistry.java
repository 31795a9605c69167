package io.fusionstream.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Schema Registry for the demo and tests that speaks Confluent's REST protocol (the subset in
 * DESIGN.md) and keeps its schemas in a compacted Kafka topic, so a restart keeps every id.
 * Meant as a single instance per topic: two instances writing the same topic would not see each
 * other's registrations until restarted.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
  public static final int DEFAULT_PORT = 8081;
  public static final String DEFAULT_TOPIC = "_schemas";

  private final HttpServer server;
  private final ExecutorService executor;
  private final SchemaLog schemaLog;
  private final SchemaStore store;
  private final String url;

  private EmbeddedSchemaRegistry(HttpServer server, ExecutorService executor, SchemaLog schemaLog,
      SchemaStore store, String host) {
    this.server = server;
    this.executor = executor;
    this.schemaLog = schemaLog;
    this.store = store;
    String shownHost = host.equals("0.0.0.0") ? "localhost" : host;
    this.url = "http://" + shownHost + ":" + server.getAddress().getPort();
  }

  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  public static final class Builder {
    private final String bootstrapServers;
    private String host = "localhost";
    private int port = DEFAULT_PORT;
    private String topic = DEFAULT_TOPIC;
    private String basicAuthUserInfo;
    private boolean allowUnauthenticated;
    private int maxSubjects = RegistryApi.Limits.defaults().maxSubjects();
    private int maxVersionsPerSubject = RegistryApi.Limits.defaults().maxVersionsPerSubject();
    private Duration kafkaTimeout = Duration.ofSeconds(30);
    private final Map<String, Object> kafkaClientConfig = new HashMap<>();

    private Builder(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The interface to listen on; localhost by default, 0.0.0.0 for all. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** Require HTTP basic auth with this {@code user:password}. */
    public Builder basicAuth(String userInfo) {
      this.basicAuthUserInfo = userInfo;
      return this;
    }

    /**
     * Serve without authentication on an interface other than loopback. Off by default: anyone who
     * reaches the port could then register schemas or change compatibility for every producer.
     */
    public Builder allowUnauthenticated(boolean allow) {
      this.allowUnauthenticated = allow;
      return this;
    }

    /** Most subjects, and versions per subject, the registry accepts; registrations beyond get 422. */
    public Builder limits(int maxSubjects, int maxVersionsPerSubject) {
      if (maxSubjects < 1 || maxVersionsPerSubject < 1) {
        throw new IllegalArgumentException("Registry limits must be positive");
      }
      this.maxSubjects = maxSubjects;
      this.maxVersionsPerSubject = maxVersionsPerSubject;
      return this;
    }

    /** How long a write to, or the start-up read of, the schema topic may take. */
    public Builder kafkaTimeout(Duration timeout) {
      this.kafkaTimeout = timeout;
      return this;
    }

    /** Extra Kafka client settings (security.protocol, sasl.*, ssl.*) for the schema topic. */
    public Builder kafkaClientConfig(String key, Object value) {
      kafkaClientConfig.put(key, value);
      return this;
    }

    /** Creates the topic if needed, replays it, then starts answering HTTP. */
    public EmbeddedSchemaRegistry start() {
      BasicAuth auth = BasicAuth.of(basicAuthUserInfo);
      if (!auth.enabled() && !allowUnauthenticated && !isLoopback(host)) {
        throw new IllegalStateException("Refusing to serve the Schema Registry on " + host
            + " without authentication: set basic auth, bind localhost, or allow it explicitly"
            + " (--allow-unauthenticated)");
      }
      limitRequestTimes();
      SchemaLog schemaLog = new SchemaLog(bootstrapServers, topic, kafkaClientConfig, kafkaTimeout);
      ExecutorService executor = null;
      try {
        schemaLog.ensureTopic();
        SchemaStore store = new SchemaStore();
        int replayed = schemaLog.replayInto(store);
        store.setListener(schemaLog);
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        executor = workers();
        server.setExecutor(executor);
        server.createContext("/", new RegistryApi(store, auth, new RegistryApi.Limits(maxSubjects, maxVersionsPerSubject)));
        server.start();
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(server, executor, schemaLog, store, host);
        log.info("Schema Registry at {} (schemas in topic {}, {} records replayed{})", registry.url(), topic,
            replayed, auth.enabled() ? ", basic auth on" : "");
        return registry;
      } catch (IOException e) {
        cleanUp(schemaLog, executor);
        throw new UncheckedIOException("Cannot start the Schema Registry on " + host + ":" + port + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        cleanUp(schemaLog, executor);
        throw e;
      }
    }

    private static void cleanUp(SchemaLog schemaLog, ExecutorService executor) {
      schemaLog.close();
      if (executor != null) {
        executor.shutdownNow();
      }
    }
  }

  /** Seconds a client may take to send a request, or to read an answer, before it is disconnected. */
  static final long MAX_REQUEST_SECONDS = 30;
  static final int MAX_WORKERS = 32;
  static final int MAX_QUEUED = 256;

  /**
   * The JDK server reads each request body on a worker, so a client that sends slowly holds one;
   * its request and response time limits (system properties it reads once per JVM) close such
   * connections. Set only when the user did not set them.
   */
  private static void limitRequestTimes() {
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Long.toString(MAX_REQUEST_SECONDS));
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Long.toString(MAX_REQUEST_SECONDS));
  }

  /**
   * Workers grow from 4 to {@link #MAX_WORKERS} under load and queue a bounded number of exchanges;
   * beyond that the server refuses the connection instead of queueing without end.
   */
  private static ExecutorService workers() {
    java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(MAX_WORKERS,
        MAX_WORKERS, 30, java.util.concurrent.TimeUnit.SECONDS,
        new java.util.concurrent.ArrayBlockingQueue<>(MAX_QUEUED), daemonThreads(),
        new java.util.concurrent.ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(java.util.Locale.ROOT);
    if (h.equals("localhost") || h.equals("127.0.0.1") || h.equals("::1") || h.equals("[::1]")) {
      return true;
    }
    try {
      return !h.equals("0.0.0.0") && !h.equals("::") && java.net.InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "schema-registry-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Base URL, e.g. {@code http://localhost:8081}: the value for {@code schema.registry.url}. */
  public String url() {
    return url;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The live state, for in-JVM checks; HTTP clients should use {@link #url()}. */
  public SchemaStore store() {
    return store;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    schemaLog.close();
  }
}
