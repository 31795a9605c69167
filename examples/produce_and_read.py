#!/usr/bin/env python3
"""Send one session to FusionStream with Confluent's Python client and print the prediction it makes.

  python3 examples/produce_and_read.py --bootstrap-server localhost:9092 --schema-registry http://localhost:8081

Needs confluent-kafka with its Schema Registry client and avro (Debian: python3-confluent-kafka python3-avro).
Exits 0 once a prediction for the session is read, 1 if none comes within --timeout seconds.
"""
import argparse
import os
import sys
import time
import uuid

from confluent_kafka import DeserializingConsumer, SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import StringDeserializer, StringSerializer

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schemas", "src", "main", "avro")


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
    producer = SerializingProducer({
        "bootstrap.servers": a.bootstrap_server,
        "key.serializer": StringSerializer("utf_8"),
        "value.serializer": AvroSerializer(schema_registry_client=registry, schema_str=text_schema),
    })
    now = int(time.time() * 1000)
    for i, text in enumerate(["thanks, this is great", "really happy with the call"]):
        producer.produce("text-events", key=a.session, value={
            "session_id": a.session, "event_id": str(uuid.uuid4()), "timestamp": now + i * 100,
            "text": text, "language": "en", "source": "chat"})
    producer.flush()

    # No reader schema: records come back as dicts in the writer's (FusionStream's) schema.
    consumer = DeserializingConsumer({
        "bootstrap.servers": a.bootstrap_server,
        "group.id": "produce-and-read-" + a.session,
        "auto.offset.reset": "earliest",
        "key.deserializer": StringDeserializer("utf_8"),
        "value.deserializer": AvroDeserializer(schema_registry_client=registry),
    })
    consumer.subscribe(["fused-predictions"])
    deadline = time.time() + a.timeout
    try:
        while time.time() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error() or msg.key() != a.session:
                continue
            v = msg.value()
            print("session %s: %s (%s) modalities=%s" % (v["session_id"], v["label"],
                  ", ".join("%s=%.3f" % kv for kv in sorted(v["scores"].items())), v["modalities_present"]))
            return 0
    finally:
        consumer.close()
    print("no prediction for session %s within %.0f s" % (a.session, a.timeout), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
