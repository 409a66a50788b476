package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kpilake.SparkTestBase;
import io.kpilake.spark.Warehouse;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Every {@code %%sql} cell of every notebook in {@code notebooks/} runs on the reference warehouse
 * (generated data, one nightly run): no cell may fail, and a cell must return rows unless it says
 * {@code -- may be empty} (with the reason) in its text.
 */
class NotebooksIT extends SparkTestBase {
  private static final String MAY_BE_EMPTY = "-- may be empty";

  @Test
  void everySqlCellOfEveryNotebookRuns() throws Exception {
    Reference ref = Reference.get();
    io.kpilake.publish.PublishedCatalog.registerAll(new Warehouse(spark(), ref.root.resolve("wh").toString()));
    List<Path> notebooks;
    try (Stream<Path> s = Files.list(new File(System.getProperty("kpi.home", "."), "notebooks").toPath())) {
      notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertEquals(3, notebooks.size(), "retention and cohorts, churn and recovery, health and value at risk: " + notebooks);
    List<String> problems = new ArrayList<>();
    int ran = 0;
    for (Path nb : notebooks) {
      JsonNode cells = new ObjectMapper().readTree(nb.toFile()).get("cells");
      int sqlCells = 0;
      for (int i = 0; i < cells.size(); i++) {
        JsonNode cell = cells.get(i);
        StringBuilder src = new StringBuilder();
        cell.get("source").forEach(line -> src.append(line.asText()));
        if (!"code".equals(cell.get("cell_type").asText()) || !src.toString().startsWith("%%sql")) {
          continue;
        }
        sqlCells++;
        assertEquals("markdown", cells.get(i - 1).get("cell_type").asText(), nb.getFileName() + " cell " + i + ": explain each query");
        String sql = src.substring("%%sql".length()).strip();
        try {
          List<Row> rows = spark().sql(sql).collectAsList();
          if (rows.isEmpty() && !sql.contains(MAY_BE_EMPTY)) {
            problems.add(nb.getFileName() + " cell " + i + ": no rows\n" + sql);
          }
          ran++;
        } catch (Exception e) {
          problems.add(nb.getFileName() + " cell " + i + ": " + e.getMessage().lines().findFirst().orElse("") + "\n" + sql);
        }
      }
      assertTrue(sqlCells >= 4, nb.getFileName() + " has " + sqlCells + " SQL cells");
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n\n", problems));
    }
    assertTrue(ran >= 12, "ran " + ran + " cells");
  }
}
