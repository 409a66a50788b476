package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.SparkTestBase;
import io.kpilake.bench.DuckDbPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/**
 * The bench's DuckDB peer, a second implementation of the revenue definitions that shares no code
 * with the pipeline, gives the reference run's kpi.account_mrr_monthly row for row, from the same
 * landing files (bad records, redeliveries, three currencies and churn included).
 */
class DuckDbPeerIT extends SparkTestBase {
  @Test
  void thePeerAgreesWithTheReferenceRunRowForRow() throws Exception {
    Reference ref = Reference.get();
    Path export = Files.createTempDirectory("kpi-amm-").resolve("spark");
    spark().read().format("delta").load(ref.root.resolve("wh/kpi/account_mrr_monthly").toString())
        .selectExpr(DuckDbPeer.COLUMNS.split(", ")).write().parquet(export.toString());
    DuckDbPeer peer = DuckDbPeer.open(2, "2GB", export.getParent().resolve("spill"));
    try {
      DuckDbPeer.Timing t = peer.run(ref.landing, LocalDate.parse(Reference.LAST_DAY), "USD", 30);
      DuckDbPeer.Comparison c = peer.compare(export);
      assertTrue(c.sparkRows() > 50, "the reference has account-months: " + c);
      assertEquals(c.sparkRows(), t.rows());
      assertTrue(c.identical(), "DuckDB and Spark disagree: " + c);
    } finally {
      peer.close();
    }
  }
}
