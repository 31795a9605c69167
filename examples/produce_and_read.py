#!/usr/bin/env python3
"""Send one session to FusionStream with Confluent's Python client and print the prediction it makes.

  python3 examples/produce_and_read.py --bootstrap-server localhost:9092 --schema-registry http://localhost:8081

Needs Debian's python3-confluent-kafka and python3-avro (Apache Avro). Confluent's own AvroSerializer
needs fastavro, which Debian does not package, so this script writes the Confluent wire format itself
(byte 0, the schema id as 4 bytes big-endian, the Avro binary body) and uses confluent-kafka's
SchemaRegistryClient to register and look up schemas: any Confluent client reads what it writes.
Exits 0 once a prediction for the session is read, 1 if none comes within --timeout seconds.
"""
import argparse
import datetime
import io
import os
import struct
import sys
import time
import uuid

import avro.io
import avro.schema
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schemas", "src", "main", "avro")
HEADER = struct.Struct(">bI")  # magic byte 0, schema id


def serialize(schema_id, schema, record):
    out = io.BytesIO()
    out.write(HEADER.pack(0, schema_id))
    avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(out))
    return out.getvalue()


class Deserializer:
    """Reads the Confluent wire format, fetching each writer schema from the registry once."""

    def __init__(self, registry):
        self.registry = registry
        self.schemas = {}

    def __call__(self, data):
        if data is None or len(data) < HEADER.size:
            raise ValueError("record shorter than the 5-byte Confluent header")
        magic, schema_id = HEADER.unpack_from(data)
        if magic != 0:
            raise ValueError("Unknown magic byte %d" % magic)
        if schema_id not in self.schemas:
            self.schemas[schema_id] = avro.schema.parse(self.registry.get_schema(schema_id).schema_str)
        body = avro.io.BinaryDecoder(io.BytesIO(data[HEADER.size:]))
        return avro.io.DatumReader(self.schemas[schema_id]).read(body)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bootstrap-server", default="localhost:9092")
    p.add_argument("--schema-registry", default="http://localhost:8081")
    p.add_argument("--session", default="py-" + uuid.uuid4().hex[:8])
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()

    registry = SchemaRegistryClient({"url": a.schema_registry})
    with open(os.path.join(SCHEMAS, "TextEvent.avsc")) as f:
        text_schema = f.read()
    # TopicNameStrategy, as FusionStream's default: the subject is <topic>-value
    schema_id = registry.register_schema("text-events-value", Schema(text_schema, "AVRO"))
    parsed = avro.schema.parse(text_schema)

    producer = Producer({"bootstrap.servers": a.bootstrap_server})
    now = time.time()
    for i, text in enumerate(["thanks, this is great", "really happy with the call"]):
        event = {"session_id": a.session, "event_id": str(uuid.uuid4()),
                 # timestamp-millis: Apache Avro takes an aware datetime and writes epoch milliseconds
                 "timestamp": datetime.datetime.fromtimestamp(now + i * 0.1, tz=datetime.timezone.utc),
                 "text": text, "language": "en", "source": "chat"}
        producer.produce("text-events", key=a.session.encode("utf-8"), value=serialize(schema_id, parsed, event))
    if producer.flush(30) != 0:
        print("events not acknowledged by %s" % a.bootstrap_server, file=sys.stderr)
        return 1

    deserialize = Deserializer(registry)
    consumer = Consumer({
        "bootstrap.servers": a.bootstrap_server,
        "group.id": "produce-and-read-" + a.session,
        "auto.offset.reset": "earliest",
    })
    consumer.subscribe(["fused-predictions"])
    deadline = time.time() + a.timeout
    try:
        while time.time() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error() or msg.key() != a.session.encode("utf-8"):
                continue
            v = deserialize(msg.value())
            print("session %s: %s (%s) modalities=%s" % (v["session_id"], v["label"],
                  ", ".join("%s=%.3f" % kv for kv in sorted(v["scores"].items())), v["modalities_present"]))
            return 0
    finally:
        consumer.close()
    print("no prediction for session %s within %.0f s" % (a.session, a.timeout), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
