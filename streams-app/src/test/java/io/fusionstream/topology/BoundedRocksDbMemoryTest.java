package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.config.FusionConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbMemoryTest {

  @Test
  void theCapIsOnByDefaultAndReachesTheSetterAsAStreamsConfig() {
    Properties p = StreamsConfigFactory.create(new FusionConfig(Map.of()), Map.of("bootstrap.servers", "b:9092"),
        PipelineMetrics.NOOP);
    assertThat(p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(BoundedRocksDbMemory.class.getName());
    assertThat(p.get(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG)).isEqualTo(64L * 1024 * 1024);
    // Kafka Streams accepts the class and hands the setter the application's configs.
    assertThat(new StreamsConfig(p).getClass(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo(BoundedRocksDbMemory.class);
  }

  @Test
  void zeroLeavesKafkaStreamsDefaultsAndAUsersSetterWins() {
    Properties off = StreamsConfigFactory.create(
        new FusionConfig(Map.of(FusionConfig.STATE_ROCKSDB_MEMORY_BYTES, "0")), Map.of(), PipelineMetrics.NOOP);
    assertThat(off).doesNotContainKeys(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.TOTAL_BYTES_CONFIG);

    Properties mine = StreamsConfigFactory.create(new FusionConfig(Map.of()),
        Map.of(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.MySetter"), PipelineMetrics.NOOP);
    assertThat(mine.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo("com.example.MySetter");
    assertThat(mine).doesNotContainKey(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG);
  }

  @Test
  void everyStoreSharesOneWriteBufferManagerAndChargesIndexesToTheCache() {
    RocksDB.loadLibrary();
    BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
    Map<String, Object> configs = Map.of(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, 8L * 1024 * 1024);
    try (Options first = new Options(); Options second = new Options()) {
      first.setTableFormatConfig(new BlockBasedTableConfig());
      second.setTableFormatConfig(new BlockBasedTableConfig());
      setter.setConfig("windows-0", first, configs);
      setter.setConfig("windows-1", second, configs);

      assertThat(first.writeBufferManager()).isNotNull().isSameAs(second.writeBufferManager());
      BlockBasedTableConfig table = (BlockBasedTableConfig) first.tableFormatConfig();
      assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
      assertThat(table.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
      // 8 MiB cap, half for memtables, four of them: 1 MiB each instead of Kafka Streams' 16 MiB.
      assertThat(first.writeBufferSize()).isEqualTo(1L << 20);
      setter.close("windows-0", first);
      setter.close("windows-1", second);
    }
  }

  @Test
  void aMissingCapIsAWiringErrorNotASilentDefault() {
    assertThatThrownBy(() -> BoundedRocksDbMemory.totalBytes(Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG);
    assertThat(BoundedRocksDbMemory.totalBytes(Map.of(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, "1024"))).isEqualTo(1024);
  }
}
