package io.kpilake.ops;

import io.kpilake.config.KpiConfig;
import io.kpilake.ingest.IngestJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Checks that must pass before anything is published; each failure is one readable sentence. */
public final class QualityGates {
  private QualityGates() {}

  /** The quarantine rate of every feed in this run is under {@code kpi.quality.max-quarantine-rate}. */
  public static List<String> ingest(List<IngestJob.FeedResult> results, KpiConfig.QualitySettings q) {
    List<String> failures = new ArrayList<>();
    for (IngestJob.FeedResult r : results) {
      if (r.read() > 0) {
        double rate = (double) r.quarantined() / r.read();
        if (rate > q.maxQuarantineRate()) {
          failures.add(String.format(Locale.ROOT,
              "%s: %.1f%% of the rows read were quarantined (%d of %d), above kpi.quality.max-quarantine-rate = %.1f%%",
              r.feed().name(), 100 * rate, r.quarantined(), r.read(), 100 * q.maxQuarantineRate()));
        }
      }
    }
    return failures;
  }
}
