package io.fusionstream.serde;

import org.apache.avro.Schema;

/** One registered version of a subject, as the registry's {@code versions} endpoints return it. */
public record SchemaVersion(String subject, int version, int id, Schema schema) {}
