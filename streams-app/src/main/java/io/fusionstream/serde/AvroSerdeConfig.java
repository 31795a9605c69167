package io.fusionstream.serde;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Serde and registry-client settings, named as in Confluent's serializers so a user switching
 * between the two relearns nothing.
 */
public final class AvroSerdeConfig extends AbstractConfig {
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
  /** Ours, not Confluent's: the deserializer refuses larger values before decoding them. */
  public static final String MAX_RECORD_BYTES = "fusion.max.record.bytes";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  /** Confluent's sources of basic credentials; empty (ours): the URL's user info, else basic.auth.user.info. */
  public static final String CREDENTIALS_URL = "URL";
  public static final String CREDENTIALS_USER_INFO = "USER_INFO";
  public static final String CREDENTIALS_SASL_INHERIT = "SASL_INHERIT";
  public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
  public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
  public static final String MAX_RETRIES = "schema.registry.max.retries";
  public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
  public static final String SSL_PREFIX = "schema.registry.ssl.";
  public static final String SSL_TRUSTSTORE_LOCATION = SSL_PREFIX + "truststore.location";
  public static final String SSL_TRUSTSTORE_PASSWORD = SSL_PREFIX + "truststore.password";
  public static final String SSL_TRUSTSTORE_TYPE = SSL_PREFIX + "truststore.type";
  public static final String SSL_KEYSTORE_LOCATION = SSL_PREFIX + "keystore.location";
  public static final String SSL_KEYSTORE_PASSWORD = SSL_PREFIX + "keystore.password";
  public static final String SSL_KEYSTORE_TYPE = SSL_PREFIX + "keystore.type";
  public static final String SSL_KEY_PASSWORD = SSL_PREFIX + "key.password";

  public static final ConfigDef DEF =
      new ConfigDef()
          .define(SCHEMA_REGISTRY_URL, Type.LIST, "", Importance.HIGH,
              "Comma-separated Schema Registry URLs; the client fails over to the next on I/O errors.")
          .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
              "Register the record's schema under its subject (see value.subject.name.strategy) when serializing;"
                  + " false: the schema must already be registered.")
          .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.MEDIUM,
              "With auto.register.schemas=false: write with the subject's latest schema.")
          .define(SPECIFIC_AVRO_READER, Type.BOOLEAN, false, Importance.MEDIUM,
              "Deserialize into generated classes instead of GenericRecord.")
          .define(MAX_RECORD_BYTES, Type.INT, null, Importance.MEDIUM,
              "Largest value the deserializer decodes; larger ones fail with OversizedRecordException before"
                  + " decoding, and Avro's string, bytes and collection length limits (JVM-wide) are lowered to"
                  + " it. Unset: no limit.")
          .define(KEY_SUBJECT_NAME_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.confluentClassName(),
              SubjectNameStrategy.VALIDATOR, Importance.MEDIUM,
              "Subject of record keys: TopicNameStrategy (<topic>-key), RecordNameStrategy (the record's full name)"
                  + " or TopicRecordNameStrategy (<topic>-<record full name>); Confluent's class names"
                  + " (io.confluent.kafka.serializers.subject.*) and the short names topic, record, topic-record are accepted.")
          .define(VALUE_SUBJECT_NAME_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.confluentClassName(),
              SubjectNameStrategy.VALIDATOR, Importance.MEDIUM,
              "Subject of record values, as key.subject.name.strategy (TopicNameStrategy: <topic>-value).")
          .define(LATEST_CACHE_TTL_SEC, Type.LONG, -1L, Importance.LOW,
              "How long the client caches a subject's latest version (use.latest.version); -1: until restart, as"
                  + " Confluent's client does; 0: ask the registry every time.")
          .define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, "",
              ConfigDef.CaseInsensitiveValidString.in("", CREDENTIALS_URL, CREDENTIALS_USER_INFO, CREDENTIALS_SASL_INHERIT),
              Importance.MEDIUM,
              "Where HTTP basic credentials come from: URL (user:password@ in schema.registry.url), USER_INFO"
                  + " (basic.auth.user.info) or SASL_INHERIT (username and password of the Kafka client's"
                  + " sasl.jaas.config). Unset: the URL's credentials if it has any, else basic.auth.user.info.")
          .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM, "user:password")
          .define(REQUEST_TIMEOUT_MS, Type.INT, 10_000, Importance.LOW, "Timeout of one HTTP request.")
          .define(MAX_RETRIES, Type.INT, 3, Importance.LOW, "Retries on 429 and 5xx answers and I/O errors.")
          .define(RETRY_BACKOFF_MS, Type.INT, 100, Importance.LOW, "First retry backoff, doubled each retry.")
          .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.LOW, "Trust store for https registries.")
          .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Trust store password.")
          .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, "Trust store type.")
          .define(SSL_KEYSTORE_LOCATION, Type.STRING, null, Importance.LOW, "Key store for mutual TLS.")
          .define(SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Key store password.")
          .define(SSL_KEYSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, "Key store type.")
          .define(SSL_KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Key password.");

  public AvroSerdeConfig(Map<?, ?> props) {
    super(DEF, props, false);
  }

  public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
    return SubjectNameStrategy.parse(getString(isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY));
  }

  public String password(String key) {
    Password p = getPassword(key);
    return p == null ? null : p.value();
  }
}
