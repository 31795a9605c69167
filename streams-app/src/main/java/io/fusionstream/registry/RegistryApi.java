package io.fusionstream.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.fusionstream.serde.CompatibilityLevel;
import io.fusionstream.serde.SchemaRegistryException;
import io.fusionstream.serde.SchemaVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST subset over a {@link SchemaStore}: same paths, JSON shapes,
 * status codes and {@code {"error_code", "message"}} error bodies, so Confluent clients and ours
 * talk to it unchanged.
 */
final class RegistryApi implements HttpHandler {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Logger log = LoggerFactory.getLogger(RegistryApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 4 * 1024 * 1024;
  private static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;

  /** Media types Confluent's registry accepts on a request body; anything else is 415. */
  static final java.util.Set<String> JSON_TYPES = java.util.Set.of(CONTENT_TYPE,
      "application/vnd.schemaregistry+json", "application/json");
  static final int UNSUPPORTED_MEDIA_TYPE = 415;
  /** Code of a 500 answer; its message names a reference to find in the log, never the exception. */
  static final int INTERNAL_ERROR = 50001;
  /** Code of a 422 answer to a registration beyond {@link Limits}. */
  static final int LIMIT_REACHED = 42205;

  /** Caps that keep an open or misbehaving client from growing the store (and its topic) without end. */
  record Limits(int maxSubjects, int maxVersionsPerSubject) {
    static Limits defaults() {
      return new Limits(10_000, 1_000);
    }
  }

  private final SchemaStore store;
  private final BasicAuth auth;
  private final Limits limits;

  RegistryApi(SchemaStore store, BasicAuth auth) {
    this(store, auth, Limits.defaults());
  }

  RegistryApi(SchemaStore store, BasicAuth auth, Limits limits) {
    this.store = store;
    this.auth = auth;
    this.limits = limits;
  }

  /** An HTTP answer: status and JSON body. */
  private record Reply(int status, JsonNode body) {
    static Reply ok(JsonNode body) {
      return new Reply(200, body);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Reply reply;
    try {
      if (!auth.allows(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"schema-registry\"");
        reply = error(401, 40101, "Unauthorized");
      } else if (hasBody(exchange) && !isJson(exchange.getRequestHeaders().getFirst("Content-Type"))) {
        // a browser can send text/plain or form posts cross-site without a preflight; JSON it cannot
        reply = error(415, UNSUPPORTED_MEDIA_TYPE, "HTTP 415 Unsupported Media Type: send "
            + CONTENT_TYPE + " or application/json");
      } else {
        reply = route(exchange);
      }
    } catch (SchemaRegistryException e) {
      reply = error(e.httpStatus(), e.errorCode(), messageOf(e));
    } catch (JsonProcessingException e) {
      reply = error(400, 400, "Malformed JSON body: " + e.getOriginalMessage());
    } catch (RuntimeException e) {
      String reference = java.util.UUID.randomUUID().toString();
      log.error("Schema Registry request {} {} failed (reference {})", exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath(), reference, e);
      reply = error(500, INTERNAL_ERROR, "Internal server error (reference " + reference + ")");
    }
    send(exchange, reply);
  }

  private Reply route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String query = exchange.getRequestURI().getRawQuery();
    List<String> p = segments(exchange.getRequestURI().getRawPath());
    int n = p.size();
    if (n == 0) {
      return only(method, "GET", () -> Reply.ok(JSON.createObjectNode()));
    }
    switch (p.get(0)) {
      case "subjects":
        if (n == 1) {
          return only(method, "GET", () -> Reply.ok(JSON.valueToTree(store.subjects())));
        }
        String subject = p.get(1);
        if (n == 2) {
          return only(method, "POST", () -> lookup(subject, readSchema(exchange)));
        }
        if (p.get(2).equals("versions")) {
          if (n == 3 && method.equals("POST")) {
            return register(subject, readSchema(exchange));
          }
          if (n == 3) {
            return only(method, "GET", () -> Reply.ok(versionNumbers(subject)));
          }
          if (n == 4) {
            return only(method, "GET", () -> Reply.ok(versionJson(store.version(subject, p.get(3)))));
          }
          if (n == 5 && p.get(4).equals("schema")) {
            return only(method, "GET", () -> Reply.ok(JSON.readTree(store.version(subject, p.get(3)).schema().toString())));
          }
        }
        break;
      case "schemas":
        if (n == 3 && p.get(1).equals("ids")) {
          return only(method, "GET", () -> Reply.ok(JSON.createObjectNode()
              .put("schema", store.byId(parseId(p.get(2))).toString())));
        }
        if (n == 2 && p.get(1).equals("types")) {
          return only(method, "GET", () -> Reply.ok(JSON.createArrayNode().add("AVRO")));
        }
        break;
      case "compatibility":
        if (n == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
          return only(method, "POST", () -> compatibility(p.get(2), p.get(4), readSchema(exchange)));
        }
        break;
      case "config":
        if (n <= 2) {
          String configSubject = n == 2 ? p.get(1) : null;
          if (method.equals("PUT")) {
            return setConfig(configSubject, readBody(exchange));
          }
          return only(method, "GET", () -> getConfig(configSubject, query));
        }
        break;
      default:
        break;
    }
    return error(404, 404, "HTTP 404 Not Found: no endpoint " + method + " " + exchange.getRequestURI().getPath());
  }

  private Reply register(String subject, Schema schema) {
    if (store.find(subject, schema).isEmpty()) {
      checkLimits(subject);
    }
    SchemaVersion v = store.register(subject, schema);
    return Reply.ok(JSON.createObjectNode().put("id", v.id()));
  }

  private void checkLimits(String subject) {
    List<String> subjects = store.subjects();
    if (!subjects.contains(subject) && subjects.size() >= limits.maxSubjects()) {
      throw new SchemaRegistryException(422, LIMIT_REACHED,
          "Subject limit reached: this registry holds at most " + limits.maxSubjects() + " subjects");
    }
    if (subjects.contains(subject) && store.versions(subject).size() >= limits.maxVersionsPerSubject()) {
      throw new SchemaRegistryException(422, LIMIT_REACHED,
          "Version limit reached: a subject holds at most " + limits.maxVersionsPerSubject() + " versions");
    }
  }

  /** A write carrying a body; an empty POST cannot register anything and gets its usual answer. */
  private static boolean hasBody(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    return (method.equals("POST") || method.equals("PUT"))
        && !"0".equals(exchange.getRequestHeaders().getFirst("Content-Length"));
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    return JSON_TYPES.contains(media);
  }

  private Reply lookup(String subject, Schema schema) {
    return Reply.ok(versionJson(store.lookup(subject, schema)));
  }

  private ArrayNode versionNumbers(String subject) {
    ArrayNode out = JSON.createArrayNode();
    store.versions(subject).forEach(v -> out.add(v.version()));
    return out;
  }

  /**
   * "latest" checks at the subject's level (against every version for _TRANSITIVE levels); a
   * numbered version checks against that one version, in the level's directions.
   */
  private Reply compatibility(String subject, String version, Schema schema) {
    List<String> problems;
    if ("latest".equalsIgnoreCase(version) || "-1".equals(version)) {
      store.versions(subject); // 40401 for an unknown subject, as Confluent answers
      problems = store.compatibilityProblems(subject, schema);
    } else {
      SchemaVersion against = store.version(subject, version);
      problems = store.levelOf(subject).violations(schema, List.of(against.schema()));
    }
    ObjectNode body = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
    body.set("messages", JSON.valueToTree(problems));
    return Reply.ok(body);
  }

  private Reply getConfig(String subject, String query) {
    if (subject == null) {
      return Reply.ok(JSON.createObjectNode().put("compatibilityLevel", store.levelOf(null).name()));
    }
    boolean defaultToGlobal = query != null && Arrays.asList(query.split("&")).contains("defaultToGlobal=true");
    CompatibilityLevel level = store.subjectLevel(subject)
        .or(() -> defaultToGlobal ? java.util.Optional.of(store.levelOf(null)) : java.util.Optional.empty())
        .orElseThrow(() -> new SchemaRegistryException(404, SUBJECT_LEVEL_NOT_CONFIGURED,
            "Subject '" + subject + "' does not have subject-level compatibility configured"));
    return Reply.ok(JSON.createObjectNode().put("compatibilityLevel", level.name()));
  }

  private Reply setConfig(String subject, JsonNode body) {
    JsonNode level = body.get("compatibility");
    if (level == null || !level.isTextual()) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
          "Body must be {\"compatibility\": \"<level>\"}");
    }
    CompatibilityLevel parsed = CompatibilityLevel.parse(level.asText());
    store.setCompatibility(subject, parsed);
    return Reply.ok(JSON.createObjectNode().put("compatibility", parsed.name()));
  }

  /** The {@code schema} of a request body; only Avro without references is supported. */
  private Schema readSchema(HttpExchange exchange) throws IOException {
    JsonNode body = readBody(exchange);
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equalsIgnoreCase("AVRO")) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Unsupported schemaType " + type + ": this registry stores Avro schemas only");
    }
    if (body.path("references").size() > 0) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Schema references are not supported: send the schema with its named types inlined");
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: the body needs a \"schema\" field holding the schema as a JSON string");
    }
    return SchemaStore.parse(schema.asText());
  }

  private static JsonNode readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new SchemaRegistryException(413, 413, "Request body larger than " + MAX_BODY + " bytes");
      }
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new SchemaRegistryException(400, 400, "Expected a JSON object as the request body");
      }
      return node;
    }
  }

  private static ObjectNode versionJson(SchemaVersion v) {
    return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
        .put("schema", v.schema().toString());
  }

  private static int parseId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
    }
  }

  private interface Action {
    Reply run() throws IOException;
  }

  private static Reply only(String method, String allowed, Action action) throws IOException {
    if (!method.equals(allowed)) {
      return error(405, 405, "HTTP 405 Method Not Allowed: use " + allowed);
    }
    return action.run();
  }

  private static Reply error(int status, int code, String message) {
    return new Reply(status, JSON.createObjectNode().put("error_code", code).put("message", message));
  }

  /** The message without the " (error code N, HTTP S)" suffix the exception adds for logs. */
  private static String messageOf(SchemaRegistryException e) {
    String m = e.getMessage();
    int suffix = m == null ? -1 : m.lastIndexOf(" (error code ");
    return suffix < 0 ? m : m.substring(0, suffix);
  }

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(reply.body());
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
