package io.kpilake.ingest;

import java.io.Serializable;
import java.time.LocalDate;

/** One file found in the landing area. The ledger key is (path, size, modificationTime). */
public record LandingFile(String path, String source, String entity, LocalDate dt, long size, long modificationTime)
    implements Serializable {

  public String format() {
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".csv")) {
      return "csv";
    }
    if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
      return "json";
    }
    if (lower.endsWith(".parquet")) {
      return "parquet";
    }
    return "unknown";
  }

  /** Orders files for the "later file wins" rule: delivery date, then file name. */
  public String fileOrder() {
    return dt + "/" + path.substring(path.lastIndexOf('/') + 1);
  }
}
