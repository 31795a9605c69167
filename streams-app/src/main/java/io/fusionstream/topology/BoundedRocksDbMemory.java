package io.fusionstream.topology;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the native memory of every RocksDB store of the process at one figure
 * ({@code fusion.state.rocksdb.memory.bytes}), the bounded-memory setup Kafka Streams documents:
 * one block cache shared by all stores, with memtables, index and filter blocks charged to it.
 *
 * <p>Why: Kafka Streams' own defaults give each store its own block cache and up to three 16 MiB
 * memtables, so the window store's native memory grows with the number of tasks (one store per
 * repartition partition, 12 by default) and with every restart of an app in the same process, none
 * of which the heap settings bound. The shared cache lives as long as the process: stores come
 * and go with rebalances, and a cache closed with its last store would leave the next one a dead
 * handle.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
  /** The streams-config entry carrying the cap in bytes (set from fusion.state.rocksdb.memory.bytes). */
  public static final String TOTAL_BYTES_CONFIG = "fusion.internal.rocksdb.memory.bytes";
  /** Share of the cap that memtables may take before RocksDB flushes them. */
  static final double MEMTABLE_SHARE = 0.5;
  /** Share of the cache kept for index and filter blocks, so data blocks cannot evict them. */
  static final double HIGH_PRIORITY_SHARE = 0.1;

  private record Shared(Cache cache, WriteBufferManager writeBuffers) {}

  /** One cache per cap, so two apps with different caps in one process each get theirs. */
  private static final Map<Long, Shared> SHARED = new ConcurrentHashMap<>();

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    long total = totalBytes(configs);
    Shared shared = SHARED.computeIfAbsent(total, BoundedRocksDbMemory::create);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(shared.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(shared.writeBuffers());
    // Smaller memtables than the 16 MiB default: a store fills many of them under a small cap.
    options.setWriteBufferSize(Math.max(1L << 20, Math.min(16L << 20, (long) (total * MEMTABLE_SHARE) / 4)));
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write-buffer manager are shared by every store of the process: not closed here.
  }

  static long totalBytes(Map<String, Object> configs) {
    Object value = configs.get(TOTAL_BYTES_CONFIG);
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value != null) {
      return Long.parseLong(value.toString().trim());
    }
    throw new IllegalStateException(TOTAL_BYTES_CONFIG + " missing: set by StreamsConfigFactory");
  }

  private static Shared create(long total) {
    Cache cache = new LRUCache(total, -1, false, HIGH_PRIORITY_SHARE);
    return new Shared(cache, new WriteBufferManager((long) (total * MEMTABLE_SHARE), cache));
  }
}
