package io.kpilake.ingest;

import io.kpilake.contract.FeedSpec;
import io.kpilake.ops.OpsTables;
import io.kpilake.ops.RunContext;
import io.kpilake.spark.Warehouse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** The file ledger {@code ops.ingested_files}: a file is ingested once per (path, size, mtime). */
public final class Ledger {
  private final Warehouse wh;

  public Ledger(Warehouse wh) {
    this.wh = wh;
  }

  public static String key(String path, long size, long mtime) {
    return path + "|" + size + "|" + mtime;
  }

  /** The ledger as read once at the start of a run. */
  public record Snapshot(Set<String> keys, Map<String, Long> filesPerFeed) {
    public boolean contains(LandingFile f) {
      return keys.contains(key(f.path(), f.size(), f.modificationTime()));
    }

    public long fileCount(FeedSpec feed) {
      return filesPerFeed.getOrDefault(feed.name(), 0L);
    }

    /** The files of every feed. */
    public long fileCount() {
      return filesPerFeed.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  public Snapshot read() {
    Set<String> keys = new HashSet<>();
    Map<String, Long> perFeed = new HashMap<>();
    if (wh.isEmpty("ops", OpsTables.INGESTED_FILES)) {
      return new Snapshot(Set.of(), Map.of());
    }
    for (Row r : wh.table("ops", OpsTables.INGESTED_FILES).toDF()
        .select("path", "size_bytes", "modification_time", "source", "entity").collectAsList()) {
      keys.add(key(r.getString(0), r.getLong(1), r.getLong(2)));
      perFeed.merge(r.getString(3) + "/" + r.getString(4), 1L, Long::sum);
    }
    return new Snapshot(Set.copyOf(keys), Map.copyOf(perFeed));
  }

  /** counts = {read, accepted, quarantined, duplicate}. */
  public static Row row(LandingFile f, RunContext run, long[] counts, Date dt) {
    return RowFactory.create(f.path(), f.size(), f.modificationTime(), f.source(), f.entity(), dt, run.runId(),
        counts[0], counts[1], counts[2], counts[3], Timestamp.from(Instant.now()));
  }

  public void append(List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    wh.spark().createDataFrame(rows, OpsTables.INGESTED_FILES_SCHEMA)
        .write().format("delta").mode("append").save(wh.path("ops", OpsTables.INGESTED_FILES));
  }
}
