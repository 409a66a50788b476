package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.contract.KpiTable;
import io.kpilake.contract.KpiTables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The publish fan-out of a run: versions in table order, tables at the same time, failures after all finished. */
class PublishAllTest {
  private static Map<KpiTable, Dataset<Row>> tables() {
    Map<KpiTable, Dataset<Row>> m = new LinkedHashMap<>();
    KpiTables.REVENUE.forEach(t -> m.put(t, null)); // the publish function below never reads the rows
    return m;
  }

  @Test
  void versionsComeInTableOrderAndTablesArePublishedAtTheSameTime() {
    Map<KpiTable, Dataset<Row>> tables = tables();
    List<String> names = tables.keySet().stream().map(KpiTable::name).toList();
    // The first two tables each wait until both have started: with 2 threads this returns, one
    // after another it would time out (and the versions would say -1).
    CountDownLatch bothStarted = new CountDownLatch(2);
    Map<String, Long> versions = KpiJob.publishAll(tables, 2, (t, rows) -> {
      int i = names.indexOf(t.name());
      if (i < 2) {
        bothStarted.countDown();
        try {
          if (!bothStarted.await(30, TimeUnit.SECONDS)) {
            return -1L;
          }
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      return 100L + i;
    });
    assertEquals(names, new ArrayList<>(versions.keySet()));
    for (int i = 0; i < names.size(); i++) {
      assertEquals(100L + i, versions.get(names.get(i)));
    }
  }

  @Test
  void aFailedTableIsThrownAfterTheOthersFinishedTheFirstInTableOrderWithTheRestSuppressed() {
    Map<KpiTable, Dataset<Row>> tables = tables();
    List<String> names = tables.keySet().stream().map(KpiTable::name).toList();
    List<String> done = Collections.synchronizedList(new ArrayList<>());
    // Tables 2 and 5 fail; the other six are published all the same.
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KpiJob.publishAll(tables, 3, (t, rows) -> {
      int i = names.indexOf(t.name());
      if (i == 2 || i == 5) {
        throw new IllegalStateException("boom " + t.name());
      }
      done.add(t.name());
      return 1L;
    }));
    assertEquals("boom " + names.get(2), e.getMessage());
    assertEquals(1, e.getSuppressed().length);
    assertEquals("boom " + names.get(5), e.getSuppressed()[0].getMessage());
    assertEquals(names.size() - 2, done.size());
    assertTrue(!done.contains(names.get(2)) && !done.contains(names.get(5)), done.toString());
  }
}
