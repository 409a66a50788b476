package io.kpilake.cli;

import io.kpilake.config.ConfigLoader;
import io.kpilake.publish.DataDictionary;
import io.kpilake.contract.PublishedTables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kpi dictionary}: regenerates docs/data-dictionary.md from the table definitions (no Spark). */
@Command(name = "dictionary", description = "Regenerate the data dictionary (docs/data-dictionary.md) from the table definitions.")
public final class DictionaryCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "docs/data-dictionary.md", description = "File to write (default ${DEFAULT-VALUE})")
  Path out;

  @Override
  public Integer call() throws IOException {
    String md = DataDictionary.markdown(PublishedTables.ALL, ConfigLoader.load(null, Map.of()).catalog());
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, md, StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
    return Main.OK;
  }
}
