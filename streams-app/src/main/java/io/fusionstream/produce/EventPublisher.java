package io.fusionstream.produce;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerializer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends session events to the three input topics, keyed by session id, and counts what the
 * brokers acknowledged per topic. The first send failure is kept and rethrown by {@link #flush()}.
 */
public final class EventPublisher implements AutoCloseable {
  private final FusionConfig config;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final Map<String, AtomicLong> acked = new ConcurrentHashMap<>();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
  private final AtomicLong unacknowledged = new AtomicLong();

  public EventPublisher(FusionConfig config, Map<String, Object> clientSettings) {
    this.config = config;
    Map<String, Object> props = new HashMap<>(clientSettings);
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024 + 4096);
    AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
    values.configure(props, false);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), values);
  }

  public void send(TextEvent e) {
    send(config.textTopic(), e.getSessionId(), e);
  }

  public void send(ImageFrameEvent e) {
    send(config.imageTopic(), e.getSessionId(), e);
  }

  public void send(AudioChunkEvent e) {
    send(config.audioTopic(), e.getSessionId(), e);
  }

  private void send(String topic, String session, SpecificRecord value) {
    unacknowledged.incrementAndGet();
    producer.send(new ProducerRecord<>(topic, session, value), (meta, err) -> {
      unacknowledged.decrementAndGet();
      if (err == null) {
        acked.computeIfAbsent(topic, t -> new AtomicLong()).incrementAndGet();
      } else {
        firstFailure.compareAndSet(null, err);
      }
    });
  }

  /** Waits for every send; throws the first failure. */
  public void flush() {
    producer.flush();
    Exception failure = firstFailure.get();
    if (failure != null) {
      throw new IllegalStateException("A send failed: " + failure.getMessage(), failure);
    }
  }

  public long acked(String topic) {
    AtomicLong n = acked.get(topic);
    return n == null ? 0 : n.get();
  }

  /** Acknowledged counts for the three input topics, in text, image, audio order. */
  public Map<String, Long> ackedByTopic() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (String t : new String[] {config.textTopic(), config.imageTopic(), config.audioTopic()}) {
      out.put(t, acked(t));
    }
    return out;
  }

  @Override
  public void close() {
    producer.close();
  }

  /**
   * Closes within {@code timeout} even when the brokers are gone; returns false when some events
   * were still unacknowledged and are dropped.
   */
  public boolean close(java.time.Duration timeout) {
    producer.close(timeout);
    return unacknowledged.get() == 0;
  }
}
