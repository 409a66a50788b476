package io.kpilake.ingest;

import io.kpilake.config.KpiConfig;
import io.kpilake.config.KpiConfig.QualitySettings;
import io.kpilake.ops.QualityGates.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The quality gates on an ingest's results (kpi.quality.gates), judged by {@link io.kpilake.ops.QualityGates}. */
public final class IngestGates {
  private IngestGates() {}

  /** quarantine-rate: per feed, the quarantined share of the rows read in this run is at most max. */
  public static List<Finding> quarantineRate(List<IngestJob.FeedResult> results, QualitySettings q) {
    KpiConfig.Gate g = q.gate(QualitySettings.QUARANTINE_RATE);
    List<Finding> findings = new ArrayList<>();
    for (IngestJob.FeedResult r : results) {
      if (r.read() > 0) {
        double rate = (double) r.quarantined() / r.read();
        if (rate > g.max()) {
          findings.add(new Finding(g.name(), String.format(Locale.ROOT,
              "%s: %.1f%% of the rows read were quarantined (%d of %d), above kpi.quality.gates.quarantine-rate.max = %.1f%%",
              r.feed().name(), 100 * rate, r.quarantined(), r.read(), 100 * g.max())));
        }
      }
    }
    return findings;
  }
}
