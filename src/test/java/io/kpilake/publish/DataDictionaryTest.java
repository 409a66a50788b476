package io.kpilake.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kpilake.contract.PublishedTables;
import io.kpilake.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/data-dictionary.md is what `bin/kpi dictionary` generates from the table definitions today. */
class DataDictionaryTest {
  @Test
  void theCommittedDictionaryIsUpToDate() throws Exception {
    Path committed = Path.of(System.getProperty("kpi.home", "."), "docs", "data-dictionary.md");
    String fresh = DataDictionary.markdown(PublishedTables.ALL, ConfigLoader.load(null, Map.of()).catalog());
    assertEquals(fresh, Files.exists(committed) ? Files.readString(committed, StandardCharsets.UTF_8) : "",
        "docs/data-dictionary.md is stale: run 'bin/kpi dictionary' and commit it");
  }
}
