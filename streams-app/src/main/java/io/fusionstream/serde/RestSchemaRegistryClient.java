package io.fusionstream.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * Schema Registry client over HTTP. Ids and schemas are immutable in the registry, so both
 * directions are cached (bounded, least recently used out first); an id the registry does not know
 * is remembered as unknown for a while, so a stream of records with bogus ids costs one call per id
 * and period, not one per record. A subject's latest version can change, so it is cached for
 * {@code latest.cache.ttl.sec} (as Confluent's client: -1 until restart). 429 and 5xx answers and I/O
 * errors are retried with exponential backoff, moving on to the next configured URL. Answers larger
 * than {@link #MAX_RESPONSE_BYTES} are refused.
 *
 * <p>Basic-auth credentials are refused over plain {@code http://} unless
 * {@code schema.registry.basic.auth.allow.insecure=true}: anyone on the path would read them.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  /** Opt-in to sending basic-auth credentials over plain http (a registry on the same host, a test). */
  public static final String ALLOW_INSECURE_BASIC_AUTH = "schema.registry.basic.auth.allow.insecure";
  static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
  static final int MAX_CACHED_SCHEMAS = 10_000;
  static final Duration UNKNOWN_ID_TTL = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> baseUrls;
  private final HttpClient http;
  private final Duration timeout;
  private final int maxRetries;
  private final long backoffMs;
  private final String authorization;
  private final Map<Integer, Schema> schemaById = lru(MAX_CACHED_SCHEMAS);
  private final Map<String, Integer> idBySubjectSchema = lru(MAX_CACHED_SCHEMAS);
  /** Ids answered 404, with when they may be asked again (nanoTime). */
  private final Map<Integer, Long> unknownIds = lru(MAX_CACHED_SCHEMAS);
  private final long latestTtlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Cached> latestBySubject = lru(MAX_CACHED_SCHEMAS);

  private record Cached(SchemaVersion version, long fetchedAtNanos) {}

  public RestSchemaRegistryClient(AvroSerdeConfig config) {
    this(config, System::nanoTime);
  }

  /** With the clock the latest-version cache ages by, for tests. */
  RestSchemaRegistryClient(AvroSerdeConfig config, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    long ttlSec = config.getLong(AvroSerdeConfig.LATEST_CACHE_TTL_SEC);
    this.latestTtlNanos = ttlSec < 0 ? Long.MAX_VALUE : TimeUnit.SECONDS.toNanos(ttlSec);
    List<String> urls = config.getList(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
    if (urls.isEmpty() || urls.get(0).isBlank()) {
      throw new IllegalArgumentException(AvroSerdeConfig.SCHEMA_REGISTRY_URL + " is not set");
    }
    List<URI> given = urls.stream().map(u -> URI.create(u.endsWith("/") ? u : u + "/")).toList();
    // credentials in the URL are sent as a header, never as part of the request line
    this.baseUrls = given.stream().map(RestSchemaRegistryClient::withoutUserInfo).toList();
    this.timeout = Duration.ofMillis(config.getInt(AvroSerdeConfig.REQUEST_TIMEOUT_MS));
    this.maxRetries = config.getInt(AvroSerdeConfig.MAX_RETRIES);
    this.backoffMs = config.getInt(AvroSerdeConfig.RETRY_BACKOFF_MS);
    String userInfo = credentials(config, given);
    this.authorization = userInfo == null ? null
        : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    if (authorization != null && !Boolean.parseBoolean(String.valueOf(config.originals().get(ALLOW_INSECURE_BASIC_AUTH)))) {
      for (URI url : baseUrls) {
        if (!"https".equalsIgnoreCase(url.getScheme())) {
          throw new IllegalArgumentException("Refusing to send Schema Registry basic-auth credentials over "
              + url.getScheme() + "://" + url.getAuthority() + ": use https, or set " + ALLOW_INSECURE_BASIC_AUTH + "=true");
        }
      }
    }
    // HTTP/1.1 as the registry speaks it: no h2c upgrade attempt for proxies to stumble on
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
    SSLContext ssl = sslContext(config);
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    this.http = builder.build();
  }

  public RestSchemaRegistryClient(Map<String, ?> configs) {
    this(new AvroSerdeConfig(configs));
  }

  @Override
  public int register(String subject, Schema schema) {
    Integer cached = idBySubjectSchema.get(key(subject, schema));
    if (cached != null) {
      return cached;
    }
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    JsonNode answer = call("POST", "subjects/" + enc(subject) + "/versions", body);
    int id = answer.get("id").asInt();
    remember(subject, schema, id);
    return id;
  }

  @Override
  public Schema getSchemaById(int id) {
    Schema cached = schemaById.get(id);
    if (cached != null) {
      return cached;
    }
    Long retryAt = unknownIds.get(id);
    if (retryAt != null && nanoClock.getAsLong() - retryAt < 0) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND,
          "Schema " + id + " not found (remembered for up to " + UNKNOWN_ID_TTL.toSeconds() + " s)");
    }
    JsonNode answer;
    try {
      answer = call("GET", "schemas/ids/" + id, null);
    } catch (SchemaRegistryException e) {
      if (e.isSchemaNotFound()) { // 40403 only: a plain 404 is a wrong URL, not a bad id
        unknownIds.put(id, nanoClock.getAsLong() + UNKNOWN_ID_TTL.toNanos());
      }
      throw e;
    }
    unknownIds.remove(id);
    Schema schema = parse(answer.get("schema").asText());
    schemaById.put(id, schema);
    return schema;
  }

  @Override
  public int getId(String subject, Schema schema) {
    Integer cached = idBySubjectSchema.get(key(subject, schema));
    if (cached != null) {
      return cached;
    }
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    JsonNode answer = call("POST", "subjects/" + enc(subject), body);
    int id = answer.get("id").asInt();
    remember(subject, schema, id);
    return id;
  }

  /**
   * Cached per subject for {@code latest.cache.ttl.sec}: with {@code use.latest.version} the
   * serializer asks for every record, and one HTTP call per record would bound throughput by the
   * registry's latency.
   */
  @Override
  public SchemaVersion getLatestVersion(String subject) {
    Cached cached = latestBySubject.get(subject);
    long now = nanoClock.getAsLong();
    if (cached != null && now - cached.fetchedAtNanos() < latestTtlNanos) {
      return cached.version();
    }
    SchemaVersion latest = version(call("GET", "subjects/" + enc(subject) + "/versions/latest", null));
    if (latestTtlNanos > 0) {
      latestBySubject.put(subject, new Cached(latest, now));
    }
    return latest;
  }

  @Override
  public SchemaVersion getVersion(String subject, int version) {
    return version(call("GET", "subjects/" + enc(subject) + "/versions/" + version, null));
  }

  @Override
  public List<Integer> getVersions(String subject) {
    List<Integer> out = new ArrayList<>();
    call("GET", "subjects/" + enc(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
    return out;
  }

  @Override
  public List<String> getSubjects() {
    List<String> out = new ArrayList<>();
    call("GET", "subjects", null).forEach(n -> out.add(n.asText()));
    return out;
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    try {
      return call("POST", "compatibility/subjects/" + enc(subject) + "/versions/latest", body)
          .get("is_compatible").asBoolean();
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
        return true; // nothing registered yet: anything may come first
      }
      throw e;
    }
  }

  @Override
  public CompatibilityLevel getCompatibility(String subject) {
    String path = subject == null ? "config" : "config/" + enc(subject) + "?defaultToGlobal=true";
    JsonNode answer = call("GET", path, null);
    JsonNode level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
    return CompatibilityLevel.parse(level.asText());
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    call("PUT", subject == null ? "config" : "config/" + enc(subject), body);
  }

  private void remember(String subject, Schema schema, int id) {
    idBySubjectSchema.put(key(subject, schema), id);
    schemaById.putIfAbsent(id, schema);
  }

  private static String key(String subject, Schema schema) {
    return subject + '\u0000' + schema.toString();
  }

  /** A synchronized map that forgets its least recently used entry beyond {@code max}. */
  private static <K, V> Map<K, V> lru(int max) {
    return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<K, V>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    });
  }

  private SchemaVersion version(JsonNode n) {
    SchemaVersion v = new SchemaVersion(n.get("subject").asText(), n.get("version").asInt(),
        n.get("id").asInt(), parse(n.get("schema").asText()));
    schemaById.putIfAbsent(v.id(), v.schema());
    return v;
  }

  private static Schema parse(String text) {
    return new Schema.Parser().parse(text);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** One logical call: retried on 5xx and I/O errors, rotating through the configured URLs. */
  private JsonNode call(String method, String path, JsonNode body) {
    SchemaRegistryException lastServerError = null;
    IOException lastIo = null;
    for (int attempt = 0; attempt <= maxRetries; attempt++) {
      URI base = baseUrls.get(attempt % baseUrls.size());
      if (attempt > 0) {
        sleep(backoffMs << Math.min(attempt - 1, 10));
      }
      try {
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
            .header("Accept", CONTENT_TYPE);
        if (authorization != null) {
          req.header("Authorization", authorization);
        }
        if (body == null) {
          req.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
          req.header("Content-Type", CONTENT_TYPE)
              .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        String text = readBounded(resp.body());
        if (resp.statusCode() / 100 == 2) {
          return JSON.readTree(text);
        }
        SchemaRegistryException error = errorOf(resp.statusCode(), text);
        if (!retriable(resp.statusCode())) {
          throw error;
        }
        lastServerError = error;
      } catch (IOException e) {
        lastIo = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException("Interrupted calling the Schema Registry " + method + " /" + path, e);
      }
    }
    if (lastServerError != null) {
      throw lastServerError;
    }
    throw new SchemaRegistryException("Schema Registry unreachable at " + baseUrls + " for " + method + " /"
        + path + " after " + (maxRetries + 1) + " attempts: " + lastIo, lastIo);
  }

  /** The body as text, refused past {@link #MAX_RESPONSE_BYTES} (a proxy or a hostile server). */
  private static String readBounded(InputStream body) throws IOException {
    try (body) {
      byte[] bytes = body.readNBytes(MAX_RESPONSE_BYTES + 1);
      if (bytes.length > MAX_RESPONSE_BYTES) {
        throw new IOException("Schema Registry answer larger than " + MAX_RESPONSE_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }


  /** 429 (rate limited) and 5xx pass with time; any other answer would be the same on a retry. */
  static boolean retriable(int status) {
    return status == 429 || status / 100 == 5;
  }

  private static URI withoutUserInfo(URI u) {
    if (u.getRawUserInfo() == null) {
      return u;
    }
    return URI.create(u.toString().replaceFirst("//[^/@]*@", "//"));
  }

  /** The user:password to send, from the source basic.auth.credentials.source names (see AvroSerdeConfig). */
  static String credentials(AvroSerdeConfig config, List<URI> urls) {
    String source = config.getString(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE).toUpperCase(Locale.ROOT);
    String fromUrl = urls.stream().map(URI::getUserInfo).filter(Objects::nonNull).findFirst().orElse(null);
    String userInfo = config.password(AvroSerdeConfig.BASIC_AUTH_USER_INFO);
    switch (source) {
      case AvroSerdeConfig.CREDENTIALS_URL:
        if (fromUrl == null) {
          throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, source,
              "no user:password@ in " + AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        }
        return fromUrl;
      case AvroSerdeConfig.CREDENTIALS_USER_INFO:
        if (userInfo == null) {
          throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, source,
              AvroSerdeConfig.BASIC_AUTH_USER_INFO + " is not set");
        }
        return userInfo;
      case AvroSerdeConfig.CREDENTIALS_SASL_INHERIT:
        return fromJaas(config.originals().get(SaslConfigs.SASL_JAAS_CONFIG));
      default:
        return fromUrl != null ? fromUrl : userInfo;
    }
  }

  private static final Pattern JAAS_OPTION = Pattern.compile("(username|password)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** username and password of a PlainLoginModule (or SCRAM) line, as Confluent's SASL_INHERIT reads them. */
  static String fromJaas(Object jaasConfig) {
    String text = jaasConfig instanceof Password p ? p.value() : jaasConfig == null ? null : jaasConfig.toString();
    if (text == null || text.isBlank()) {
      throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, AvroSerdeConfig.CREDENTIALS_SASL_INHERIT,
          SaslConfigs.SASL_JAAS_CONFIG + " is not set");
    }
    Map<String, String> options = new java.util.HashMap<>();
    Matcher m = JAAS_OPTION.matcher(text);
    while (m.find()) {
      options.putIfAbsent(m.group(1), m.group(2).replaceAll("\\\\(.)", "$1"));
    }
    if (!options.containsKey("username") || !options.containsKey("password")) {
      throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, AvroSerdeConfig.CREDENTIALS_SASL_INHERIT,
          SaslConfigs.SASL_JAAS_CONFIG + " has no username and password options");
    }
    return options.get("username") + ":" + options.get("password");
  }

  private static SchemaRegistryException errorOf(int status, String body) {
    int code = status;
    String message = "HTTP " + code + " from the Schema Registry";
    List<String> reasons = new ArrayList<>();
    try {
      JsonNode err = JSON.readTree(body);
      if (err.has("error_code")) {
        code = err.get("error_code").asInt();
      }
      if (err.has("message")) {
        message = err.get("message").asText();
      }
    } catch (IOException | RuntimeException ignored) {
      // a proxy's HTML error page: keep the status line
    }
    if (status == 409) {
      return new IncompatibleSchemaException(code, message, reasons);
    }
    return new SchemaRegistryException(status, code, message);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static SSLContext sslContext(AvroSerdeConfig c) {
    String trust = c.getString(AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION);
    String keys = c.getString(AvroSerdeConfig.SSL_KEYSTORE_LOCATION);
    if (trust == null && keys == null) {
      return null;
    }
    try {
      TrustManagerFactory tmf = null;
      if (trust != null) {
        KeyStore ts = load(trust, c.getString(AvroSerdeConfig.SSL_TRUSTSTORE_TYPE), c.password(AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD));
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
      }
      KeyManagerFactory kmf = null;
      if (keys != null) {
        String pass = c.password(AvroSerdeConfig.SSL_KEYSTORE_PASSWORD);
        KeyStore ks = load(keys, c.getString(AvroSerdeConfig.SSL_KEYSTORE_TYPE), pass);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPass = c.password(AvroSerdeConfig.SSL_KEY_PASSWORD);
        kmf.init(ks, (keyPass != null ? keyPass : pass == null ? "" : pass).toCharArray());
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalArgumentException("Cannot set up TLS for the Schema Registry client: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(String location, String type, String password) throws Exception {
    KeyStore ks = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      ks.load(in, password == null ? null : password.toCharArray());
    }
    return ks;
  }
}
