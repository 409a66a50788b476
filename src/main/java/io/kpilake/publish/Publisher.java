package io.kpilake.publish;

import static org.apache.spark.sql.functions.col;

import io.kpilake.ops.RunContext;
import io.kpilake.spark.Warehouse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Publishes curated tables: created once with comments, NOT NULL and CHECK constraints; each run
 * replaces the content in one Delta commit (readers see the old or the new table, never a mix)
 * and stamps the provenance properties kpi.as_of_date, kpi.run_id, kpi.app_version,
 * kpi.policy_hash and kpi.inputs (what the run read).
 */
public final class Publisher {
  private final Warehouse wh;
  private final RunContext run;
  private final String inputs;

  public Publisher(Warehouse wh, RunContext run, String inputs) {
    this.wh = wh;
    this.run = run;
    this.inputs = inputs;
  }

  public static void ensure(Warehouse wh, KpiTable t) {
    if (!wh.exists("kpi", t.name())) {
      wh.createIfNotExists("kpi", t.name(), t.schema(), t.comment(), Map.of(), List.of());
      for (Map.Entry<String, String> c : t.checks().entrySet()) {
        wh.spark().sql("ALTER TABLE kpi." + t.name() + " ADD CONSTRAINT " + c.getKey() + " CHECK (" + c.getValue() + ")");
      }
    } else {
      wh.register("kpi", t.name());
    }
  }

  /** The provenance of a published table, or null when it was never published. */
  public static String inputsOf(Warehouse wh, KpiTable t) {
    if (!wh.exists("kpi", t.name())) {
      return null;
    }
    return wh.table("kpi", t.name()).detail().select("properties").first().<String, String>getJavaMap(0).get("kpi.inputs");
  }

  /** Replaces the table's content with {@code rows} (columns selected and cast as declared). */
  public void publish(KpiTable t, Dataset<Row> rows) {
    ensure(wh, t);
    Column[] cols = t.columns().stream().map(c -> col(c.name()).cast(c.type()).as(c.name())).toArray(Column[]::new);
    Dataset<Row> out = rows.select(cols);
    String meta = "{\"run_id\":\"" + run.runId() + "\",\"as_of_date\":\"" + run.asOf() + "\",\"policy_hash\":\"" + run.policyHash() + "\"}";
    out.write().format("delta").mode("overwrite").option("userMetadata", meta).save(wh.path("kpi", t.name()));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("kpi.as_of_date", run.asOf().toString());
    props.put("kpi.run_id", run.runId());
    props.put("kpi.app_version", run.appVersion());
    props.put("kpi.policy_hash", run.policyHash());
    props.put("kpi.inputs", inputs);
    StringBuilder sb = new StringBuilder();
    props.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append("'").append(k).append("' = '").append(v.replace("'", "")).append("'"));
    wh.spark().sql("ALTER TABLE kpi." + t.name() + " SET TBLPROPERTIES (" + sb + ")");
  }
}
