package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.topology.InternalTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code topics describe} and {@code topics scale} against an application's state on the
 * in-process broker, set up by hand: internal topics, input records at known times and the group's
 * committed offsets. {@code scale --dry-run} states the procedure and changes nothing; {@code scale}
 * refuses while an instance is in the group, and otherwise moves the input offsets back by the
 * rewind span and deletes the internal topics.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicsScaleIT {
  private static final String APP = "scale-test";
  private static final long REWIND_MS = 10_000;

  @Test
  void describeShowsLagAndScaleStatesThenRunsItsProcedure(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(); Admin admin = kafka.admin()) {
      Path config = dir.resolve("app.properties");
      Files.writeString(config, "application.id=" + APP + "\nstate.dir=/var/lib/fusionstream/state\n");
      String[] common = {"-b", kafka.bootstrapServers(), "-c", config.toString()};
      assertThat(CliRun.run(CliRun.concat(new String[] {"topics", "create", "--partitions", "2"}, common)).code()).isZero();
      String repartition = InternalTopics.repartitionTopic(APP);
      String changelog = APP + "-fusion-windows-changelog";
      kafka.createTopics(List.of(new NewTopic(repartition, 12, (short) 1), new NewTopic(changelog, 12, (short) 1)));

      // text-events partition 0: ten records one second apart, ending at `last`; the group consumed eight.
      long last = System.currentTimeMillis() - 60_000;
      try (var producer = new KafkaProducer<String, String>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
          new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("text-events", 0, last - (9 - i) * 1_000L, "s", "r" + i)).get();
        }
      }
      TopicPartition text0 = new TopicPartition("text-events", 0);
      admin.alterConsumerGroupOffsets(APP, Map.of(text0, new OffsetAndMetadata(8),
          new TopicPartition(repartition, 0), new OffsetAndMetadata(0))).all().get();

      CliRun.Result described = CliRun.run(CliRun.concat(new String[] {"topics", "describe"}, common));
      assertThat(described.code()).isZero();
      assertThat(described.out()).contains("Internal topics of application " + APP, repartition, changelog)
          .containsPattern("text-events\\s+2\\s+2\\s+0:2 1:0");

      // Dry run: the procedure with its figures; nothing changes.
      CliRun.Result dry = CliRun.run(CliRun.concat(new String[] {"topics", "scale", "--repartition", "24", "--dry-run",
          "--rewind-ms", Long.toString(REWIND_MS)}, common));
      assertThat(dry.code()).isZero();
      // The newest consumed record is r7 at last - 2 s; a 10 s span starts before r0, so all 8 consumed
      // records are read again.
      assertThat(dry.out()).contains("from 12 to 24 partitions", "has no members. OK",
          "8 records on 1 partitions are read again", changelog, "fusion.repartition.partitions=24",
          "/var/lib/fusionstream/state/" + APP, "Dry run: nothing changed.");
      assertThat(admin.listTopics().names().get()).contains(repartition, changelog);
      assertThat(committed(admin, text0)).isEqualTo(8);

      // A member in the group: refused, nothing changes.
      try (var member = memberOfGroup(kafka)) {
        CliRun.Result refused = CliRun.run(CliRun.concat(new String[] {"topics", "scale", "--repartition", "24"}, common));
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out()).contains("Cannot proceed: stop every instance of " + APP);
      }
      assertThat(admin.listTopics().names().get()).contains(repartition, changelog);

      // The application refuses to start with an explicit count that differs from the topic's.
      var explicit = new io.fusionstream.config.FusionConfig(Map.of("fusion.repartition.partitions", "24"));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> InternalTopics.resolve(admin, explicit, APP))
          .hasMessageContaining("has 12 partitions").hasMessageContaining("./fusion topics scale --repartition 24");

      // Run: offsets moved back by the span from the newest consumed record, internal topics gone.
      CliRun.Result ran = CliRun.run(CliRun.concat(new String[] {"topics", "scale", "--repartition", "24", "--rewind-ms", "3500"},
          common));
      assertThat(ran.code()).isZero();
      // r7 at last - 2 s, span 3.5 s: from last - 5.5 s, i.e. r4 (last - 5 s) onwards.
      assertThat(committed(admin, text0)).isEqualTo(4);
      Set<String> topics = admin.listTopics().names().get();
      assertThat(topics).doesNotContain(repartition, changelog).contains("text-events");
    }
  }

  private static long committed(Admin admin, TopicPartition tp) throws Exception {
    return admin.listConsumerGroupOffsets(APP).partitionsToOffsetAndMetadata().get().get(tp).offset();
  }

  /** A consumer that joins the application's group, as a running instance would. */
  private static KafkaConsumer<byte[], byte[]> memberOfGroup(EmbeddedKafka kafka) throws InterruptedException {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, APP);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of("audio-chunks"));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200));
    }
    return consumer;
  }



}
