package io.kpilake.metrics;

import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * kpi.value_at_risk and its summary (kpis.md section 6): active accounts at D whose renewal falls
 * within the largest horizon, with ARR, health and an at-risk flag.
 */
public final class ValueAtRisk {
  private ValueAtRisk() {}

  /**
   * Renewal date at S: the CRM renewal_date when present and on or after S, else the earliest
   * period_end of the account's covering lines of 12 months or longer, else none. Input: health
   * rows at D (with {@code crm_renewal_date}); {@code coveringLines} from
   * {@code PointInTimeMrr.coveringLines} (shift 0) ({@code models/value_at_risk_renewal_dates.sql}).
   */
  public static Transform withRenewalDate(Dataset<Row> coveringLines) {
    SqlModel model = SqlModel.of("value_at_risk_renewal_dates");
    return health -> model.run(Map.of("health", health, "covering_lines", coveringLines), Map.of());
  }

  /** Accounts at D (health rows with renewal_date) due within the largest horizon ({@code models/value_at_risk.sql}). */
  public static Transform valueAtRisk(LocalDate asOf, List<Integer> horizons) {
    SqlModel model = SqlModel.of("value_at_risk");
    Column array = array(horizons);
    return health -> model.run(Map.of("health", health), Map.of("as_of", asOf, "horizons", array));
  }

  private static Column array(List<Integer> horizons) {
    return org.apache.spark.sql.functions.array(horizons.stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new));
  }

  /**
   * Cumulative by owner and segment: horizon h counts every account with horizon_days <= h; every
   * horizon has a row for every (owner, segment) with an account due ({@code models/value_at_risk_summary.sql}).
   */
  public static Transform summary(List<Integer> horizons) {
    SqlModel model = SqlModel.of("value_at_risk_summary");
    Column array = array(horizons);
    return var -> model.run(Map.of("value_at_risk", var), Map.of("horizons", array));
  }
}
